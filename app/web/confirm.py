"""Nothing is destroyed by one click: every remove / delete / retire / waive / revoke /
unlock route shows, on GET, a page that says in plain words what will go, and acts only
on a POST of that page's form (CSRF-checked). tests/functional/test_confirmations.py walks
the URL map so that a destructive POST route without such a page fails."""
from dataclasses import dataclass, field

from flask import render_template
from flask_wtf import FlaskForm

# Words in a route's endpoint or URL that mark it as destroying or taking something away.
DESTRUCTIVE_WORDS = ("remove", "delete", "retire", "waive", "revoke", "unlock", "withdraw", "discard")


class DestroyForm(FlaskForm):
    """The confirmation page's form: its CSRF token only (the button is in the page)."""


@dataclass
class Confirmation:
    title: str  # "Remove a peer figure"
    going: list[tuple[str, str]]  # what will go, as (label, value) rows
    consequence: str  # a sentence: what happens once it is gone
    button: str  # "Yes, remove it"
    back_url: str
    back_text: str = "No, keep it"
    hidden: dict = field(default_factory=dict)


def confirm_page(confirmation: Confirmation, status: int = 200):
    return render_template("shared/confirm.html", title=confirmation.title, confirmation=confirmation,
                           form=DestroyForm()), status
