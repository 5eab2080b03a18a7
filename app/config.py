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
    # Where uploaded returns are kept (app/services/uploads.py): "local" (UPLOAD_FOLDER) or
    # "s3", an S3-compatible bucket several machines share. With "s3": the bucket, and for a
    # server other than AWS its address (e.g. "https://s3.example.org"); the keys may be left
    # None to use boto3's own (AWS_ACCESS_KEY_ID..., an instance role). A prefix keeps this
    # app's files apart in a shared bucket.
    UPLOAD_STORAGE = "local"
    UPLOAD_S3_BUCKET = None
    UPLOAD_S3_ENDPOINT_URL = None
    UPLOAD_S3_REGION = None
    UPLOAD_S3_PREFIX = ""
    UPLOAD_S3_ACCESS_KEY_ID = None
    UPLOAD_S3_SECRET_ACCESS_KEY = None
    # An upload's preview can be reopened for this many hours; then it (and, if it was
    # never confirmed, the file) is removed by `flask uploads prune`.
    UPLOAD_PENDING_HOURS = 24
    # `flask uploads prune` removes an original no submission points at once it is this old
    # (a worker killed mid-import); younger ones may belong to an import under way.
    UPLOAD_ORPHAN_HOURS = 1

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

    # ---- The JSON API (/api/v1, issue 20) ----------------------------------------------------
    # Requests a token may make (Flask-Limiter's notation); counts are kept in
    # RATELIMIT_STORAGE_URI ("memory://": per worker; "redis://host:6379" to share them).
    API_RATE_LIMIT = "120 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # The largest JSON request body (bytes); a file sent to the API is held to MAX_CONTENT_LENGTH.
    API_MAX_JSON_BYTES = 2 * 1024 * 1024

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

    # ---- Email (app/mail.py, Flask-Mailman) -------------------------------------------------
    # "log": every message is written to the log, nothing is sent (the default: `make run`
    # needs no mail server). "smtp": sent through MAIL_SERVER. Set these in instance/config.py
    # or as FLASK_MAIL_BACKEND=smtp, FLASK_MAIL_SERVER=..., FLASK_MAIL_PASSWORD=...
    MAIL_BACKEND = "log"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False  # STARTTLS (usually port 587)
    MAIL_USE_SSL = False  # TLS from the start (usually port 465)
    MAIL_TIMEOUT = 30  # seconds to wait for the mail server
    MAIL_DEFAULT_SENDER = "Safer Returns <no-reply@localhost>"
    MAIL_REPLY_TO = None  # e.g. the partnership's team mailbox
    MAIL_HTML = True  # send a simple HTML copy beside the plain text
    # Links in emails start with this (never with the address a request came in on).
    PUBLIC_URL = "http://127.0.0.1:5000"
    # `flask reminders send`: a reminder this many days before a return's deadline; a chaser
    # this many days after it, then every CHASER_EVERY_DAYS, at most CHASERS_AT_MOST times.
    REMINDER_DAYS_BEFORE = 7
    CHASER_DAYS_AFTER = 1
    CHASER_EVERY_DAYS = 7
    CHASERS_AT_MOST = 3
    # A message that fails is retried by each later run, up to this many tries in all.
    MAIL_TRIES_AT_MOST = 24
    # Signed links: a password reset link works for this many hours, an invitation for this
    # many days; each works once.
    PASSWORD_RESET_EXPIRES_HOURS = 2
    INVITATION_EXPIRES_DAYS = 7
