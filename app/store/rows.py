"""One row by primary key, or ``NotFound``: how every service looks up what a URL names."""
from app.errors import NotFound
from app.extensions import db


def get_row(model, row_id, message: str | None = None):
    """The ``model`` row with this id. Raises NotFound (with ``message``, a sentence a person
    can read) when there is none."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message or row_id)
    return row
