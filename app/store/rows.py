"""One row by primary key, or ``NotFound``: how every service looks up what a URL names; and
many rows inserted or read at once."""
from sqlalchemy.exc import DBAPIError

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
    ``table`` on the session's connection, in its transaction: for tens of thousands of
    rows, a dict per row and SQLAlchemy's per-row parameter handling cost more than the
    database does. On SQLite one ``executemany``; on PostgreSQL one ``COPY`` (psycopg's
    ``executemany`` costs about ten times the client CPU and three times the wall time
    for 100,000 rows). A database error is raised as SQLAlchemy's, as for any statement
    (an ``IntegrityError`` for a conflict)."""
    if not rows:
        return 0
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name != "postgresql":
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([marker] * len(columns))})",
                                   rows)
        return len(rows)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    dbapi = connection.dialect.loaded_dbapi
    try:
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as error:
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
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
