"""One row by primary key, or ``NotFound``: how every service looks up what a URL names; and
many rows inserted or read at once."""
from app.errors import NotFound
from app.extensions import db


def get_row(model, row_id, message: str | None = None):
    """The ``model`` row with this id. Raises NotFound (with ``message``, a sentence a person
    can read) when there is none."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message or row_id)
    return row


def insert_tuples(table, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert ``rows`` (tuples of ``columns``' values, as the driver takes them) into
    ``table`` with one ``executemany`` on the session's connection, in its transaction: for
    tens of thousands of rows, a dict per row and SQLAlchemy's per-row parameter handling
    cost more than the database does."""
    if not rows:
        return 0
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join([marker] * len(columns))})", rows)
    return len(rows)


def fetch_tuples(statement) -> list[tuple]:
    """The rows of the select ``statement`` as the driver gives them, on the session's
    connection, in its transaction: plain tuples, without SQLAlchemy's Row objects and
    result processing, which cost more than the database does for 100,000 rows. Only for
    columns the driver gives as Python values already: integers, floats and text (a
    boolean is 0 or 1 on SQLite; a date is text there)."""
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
