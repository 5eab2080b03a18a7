"""What a form may carry. Checked once for every request, before any view reads the form.

Control characters (NUL above all) cannot be typed by a person and no database column
wants them: PostgreSQL refuses a NUL in text outright, which would surface as a 500 after
the form had been accepted. So a form holding one is refused at the door, with a message
naming the field; tabs and line breaks are ordinary text.
"""
import re

from flask import render_template, request

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def field_with_control_characters(form) -> str | None:
    """The name of the first field whose value holds a control character, else None."""
    for name, values in form.lists():
        if any(CONTROL_CHARACTERS.search(value) for value in values):
            return name
    return None


def refuse_control_characters():
    """before_request: a 400 page naming the field, before the view sees the form."""
    if request.method not in ("POST", "PUT", "PATCH") or request.blueprint == "api" or not request.form:
        return None  # (the API's schemas refuse control characters themselves, in JSON)
    name = field_with_control_characters(request.form)
    if name is None:
        return None
    label = name.replace("_", " ").replace("-", " ")
    detail = (f"The field '{label}' contains a control character (such as NUL) that cannot be stored. "
              "Type the text again rather than pasting it, and submit the form again.")
    return render_template("errors/error.html", code=400, error=None, detail=detail), 400
