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
    # The largest figure (either sign) a return may hold, per kind of cell; see app/vocabulary.py.
    INGEST_MAX_FIGURE = {"whole": 1e12, "decimal": 1e12, "money": 1e12, "percent": 1e6}

    # None: Werkzeug's default (scrypt). Only tests choose a faster one.
    PASSWORD_HASH_METHOD = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a return can take an afternoon to fill in

    # Domestic Homicide Review statutory clocks (Home Office guidance): a decision within
    # 1 month of notification, the review within 6 months of the decision; a running clock
    # with this many days or fewer left shows Amber.
    DHR_DECISION_WITHIN_MONTHS = 1
    DHR_REVIEW_WITHIN_MONTHS = 6
    DHR_AMBER_DAYS = 30

    # The date the app treats as today for lateness and the DHR clocks (YYYY-MM-DD), when
    # an administrator has not set one on the settings page; None: the real date.
    AS_AT_DATE = None

    SERVICE_NAME = "Safer Returns"
    PARTNERSHIP_NAME = "Community Safety Partnership"
