"""Presentation: turning rows and results into the labels, table rows and summaries the
templates show. No database, no decisions about who may see what.

Each area of the product keeps its own section below.
"""

# ---- returns, templates and admin ----


def stored_return_message(submission, previous) -> str:
    """What the officer is told once a return is stored (and what it replaced)."""
    message = f"Your return is stored as submission {submission.id}."
    if previous is not None:
        message += f" It replaces submission {previous.id}, which is kept."
    return message


def population_text(area) -> str:
    """An area's population estimates, oldest first: "2014: 98,000, 2015: 99,100"."""
    return ", ".join(f"{p.year}: {p.population:,}" for p in area.populations)


# The columns of each admin list: (heading, the cell's text for a row).
ADMIN_COLUMNS = {
    "users": [("Name", lambda u: u.name), ("Email", lambda u: u.email), ("Role", lambda u: u.role_label),
              ("Agency", lambda u: u.agency.name if u.agency else ""),
              ("Active", lambda u: "Yes" if u.active else "No")],
    "areas": [("Name", lambda a: a.name), ("Code", lambda a: a.code), ("Kind", lambda a: a.kind.title()),
              ("Part of", lambda a: a.parent.name if a.parent else ""), ("Population", population_text)],
    "agencies": [("Name", lambda a: a.name), ("Short name", lambda a: a.slug),
                 ("Area", lambda a: a.area.name if a.area else "")],
    "outcomes": [("Outcome", lambda o: o.name), ("Indicators", lambda o: str(len(o.indicators)))],
    "indicators": [("Name", lambda i: i.name), ("Short name", lambda i: i.slug), ("Unit", lambda i: i.unit_label),
                   ("Better", lambda i: i.polarity_label), ("Outcome", lambda i: i.outcome.name if i.outcome else "")],
}


def form_heading(noun: str, editing: bool) -> str:
    """ "Change user", "Add a user", "Add an area"."""
    return f"Change {noun}" if editing else f"Add {'an' if noun[0] in 'aeiou' else 'a'} {noun}"


# ---- DHR ----

# RAG → (word, GOV.UK tag class): the word is always shown, so colour is never the only signal.
RAG_TAGS = {"R": ("Red", "govuk-tag--red"), "A": ("Amber", "govuk-tag--orange"), "G": ("Green", "govuk-tag--green")}


def format_count(value) -> str:
    """A Decimal count without trailing zeros ("2.5", "3"); blank for None."""
    return f"{value.normalize():f}" if value is not None else ""
