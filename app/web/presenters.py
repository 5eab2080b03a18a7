"""Presentation helpers: how values are shown in the templates (formatting only, no rules)."""


# ---- DHR ----

# RAG → (word, GOV.UK tag class): the word is always shown, so colour is never the only signal.
RAG_TAGS = {"R": ("Red", "govuk-tag--red"), "A": ("Amber", "govuk-tag--orange"), "G": ("Green", "govuk-tag--green")}


def format_count(value) -> str:
    """A Decimal count without trailing zeros ("2.5", "3"); blank for None."""
    return f"{value.normalize():f}" if value is not None else ""
