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
    # Requests one token (or, without one, one address) may make: "N per second|minute|hour|
    # day" ("N per 2 hours" too); counted in the database every worker shares (api_request_count).
    API_RATE_LIMIT = "120 per minute"
    # The largest JSON request body (bytes); a file sent to the API is held to MAX_CONTENT_LENGTH.
    API_MAX_JSON_BYTES = 2 * 1024 * 1024

    # ---- Signing in and sessions (README "Security") ---------------------------------------
    # argon2-cffi's PasswordHasher parameters; {}: its defaults (3 passes over 64 MiB). Only
    # tests choose cheaper ones. Hashes made otherwise are replaced at the next sign-in.
    PASSWORD_ARGON2 = {}
    # A file of more passwords to refuse (one a line), beside app/services/common_passwords.txt.
    PASSWORD_DENY_LIST_FILE = None
    # Throttling (counted in the database, so every worker shares it): this many failed
    # sign-ins for one email address, or from one network address, within the window lock
    # it for the lockout period; the lock then expires by itself.
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_ADDRESS_MAX_FAILURES = 30
    SIGN_IN_FAILURE_WINDOW_MINUTES = 15
    SIGN_IN_LOCKOUT_MINUTES = 15
    # A session ends after this long without a request, and this long after signing in,
    # whatever happens; and always on signing out or a new password.
    SESSION_IDLE_MINUTES = 60
    SESSION_ABSOLUTE_HOURS = 12
    # Between the password and the two-factor code, at most this long.
    TWO_FACTOR_PENDING_MINUTES = 10
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0: none), so
    # throttling counts the visitor's address, not the proxy's.
    PROXY_COUNT = 0

    # Cookies: Secure (sent over HTTPS only), HttpOnly, SameSite=Lax. `make run` serves
    # plain http on 127.0.0.1 and turns Secure off (FLASK_SESSION_COOKIE_SECURE=false).
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Strict-Transport-Security max-age in seconds (0: not sent).
    HSTS_SECONDS = 365 * 24 * 3600
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
