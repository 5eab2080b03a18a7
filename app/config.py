"""Default configuration.

Loaded first by ``create_app``; ``instance/config.py`` and then ``FLASK_*``
environment variables override it (e.g. ``FLASK_SQLALCHEMY_DATABASE_URI``).
"""


class Config:
    # None means "use SQLite in the instance folder" (resolved in create_app,
    # because the instance path is only known there).
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # None means "generate one into instance/secret_key on first run".
    SECRET_KEY = None

    # Uploads: the whole request is refused above this size (bytes).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_FOLDER = None  # default: <project>/uploads

    # Limits applied to an uploaded workbook before and while it is read.
    INGEST_MAX_ZIP_ENTRIES = 2000
    INGEST_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
    INGEST_MAX_COMPRESSION_RATIO = 200
    INGEST_MAX_ROWS = 5000
    INGEST_MAX_COLUMNS = 200
    INGEST_MAX_CELL_CHARS = 2000
    INGEST_MAX_SECONDS = 60

    # None: Werkzeug's default (scrypt). Only tests choose a faster one.
    PASSWORD_HASH_METHOD = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a return can take an afternoon to fill in

    SERVICE_NAME = "Safer Returns"
    PARTNERSHIP_NAME = "Community Safety Partnership"
