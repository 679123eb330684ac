"""Settings read from the environment: Config for development, TestConfig, ProductionConfig."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("GOVTOOL_INSTANCE_DIR", PROJECT_ROOT / "instance"))
# The key older versions shipped for development; public, so never accepted (see create_app).
DEFAULT_SECRET_KEY = "dev-only-not-secret"
# The public address when GOVTOOL_BASE_URL is unset (the development server's).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
ENVIRONMENTS = ("development", "production")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str) -> list[str] | None:
    """A comma-separated list ("a.example,b.example"), or None when unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'govtool.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Development defaults; every value can be overridden from the environment."""

    ENV_NAME = "development"
    # Unset in development: create_app keeps a random key in the instance directory.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTANCE_DIR = INSTANCE_DIR
    UPLOAD_DIR = Path(os.environ.get("GOVTOOL_UPLOAD_DIR", INSTANCE_DIR / "uploads"))
    # Where uploaded files live (core/storage.py): unset = the UPLOAD_DIR directory; for several
    # application servers one S3-compatible bucket, e.g.
    # s3://govtool-files/prod?endpoint=http://10.0.0.5:8333 (prefix and endpoint optional; AWS
    # without endpoint), with the credentials below (else boto3's own: AWS_* or instance role).
    GOVTOOL_STORAGE_URL = os.environ.get("GOVTOOL_STORAGE_URL", "")
    GOVTOOL_S3_ACCESS_KEY = os.environ.get("GOVTOOL_S3_ACCESS_KEY", "")
    GOVTOOL_S3_SECRET_KEY = os.environ.get("GOVTOOL_S3_SECRET_KEY", "")
    AGREEMENT_TEMPLATE_DIR = PROJECT_ROOT / "agreement_templates"

    # Uploads: the request limit guards the server, the per-file limit is checked by the services.
    GOVTOOL_MAX_UPLOAD_MB = _int("GOVTOOL_MAX_UPLOAD_MB", 25)
    MAX_CONTENT_LENGTH = (GOVTOOL_MAX_UPLOAD_MB + 5) * 1024 * 1024
    # Forms: each text part of a multipart form (Werkzeug) and a whole url-encoded form body
    # (core.args.BoundedRequest; Werkzeug reads those at once, limited only by the upload limit
    # above) up to 2 MiB, far above the largest real form; a field's own maximum (core.forms)
    # gives the per-field message below that. 1000 parts per multipart form (Flask's default).
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    MAX_FORM_PARTS = 1000

    # Mail: SMTP when a host is set, otherwise the outbox table and the log.
    GOVTOOL_SMTP_HOST = os.environ.get("GOVTOOL_SMTP_HOST", "")
    GOVTOOL_SMTP_PORT = _int("GOVTOOL_SMTP_PORT", 25)
    GOVTOOL_SMTP_USER = os.environ.get("GOVTOOL_SMTP_USER", "")
    GOVTOOL_SMTP_PASSWORD = os.environ.get("GOVTOOL_SMTP_PASSWORD", "")
    GOVTOOL_SMTP_STARTTLS = _bool("GOVTOOL_SMTP_STARTTLS", False)
    GOVTOOL_MAIL_FROM = os.environ.get("GOVTOOL_MAIL_FROM", "govtool@example.org")
    # Seconds to wait for the SMTP server (connect and each answer); a delivery job, not a page.
    GOVTOOL_SMTP_TIMEOUT = _int("GOVTOOL_SMTP_TIMEOUT", 10)
    # Every absolute link (mails, .ics, exports, DCAT identifiers, the verification address) is
    # built on this one address (core.urls.external_url), never on the request's Host header or
    # scheme: not even in development, where the first request's address would make identifiers
    # depend on how someone happened to open the app. Unset: DEFAULT_BASE_URL, and a production
    # start logs a warning.
    GOVTOOL_BASE_URL = os.environ.get("GOVTOOL_BASE_URL", "") or DEFAULT_BASE_URL
    # Host names the app answers to; any other Host header gets 400 (None: every host).
    TRUSTED_HOSTS = _list("GOVTOOL_TRUSTED_HOSTS")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto / -Host (0: none).
    GOVTOOL_PROXY_FIX_FOR = _int("GOVTOOL_PROXY_FIX_FOR", 0)
    GOVTOOL_PROXY_FIX_PROTO = _int("GOVTOOL_PROXY_FIX_PROTO", 0)
    GOVTOOL_PROXY_FIX_HOST = _int("GOVTOOL_PROXY_FIX_HOST", 0)
    # The DCAT-AP.de export (approved entries in force only) without sign-in, for harvesters
    # such as GovData; off by default, since a data-sharing register may be internal.
    GOVTOOL_DCAT_PUBLIC = _bool("GOVTOOL_DCAT_PUBLIC", False)
    # GovData's dcatde:contributorID: an IRI or a bare id of its list ("landSachsenAnhalt")
    GOVTOOL_DCAT_CONTRIBUTOR_ID = os.environ.get("GOVTOOL_DCAT_CONTRIBUTOR_ID", "")
    # Objects per OParl list page (a client may ask for fewer with `limit`).
    GOVTOOL_OPARL_PAGE_SIZE = _int("GOVTOOL_OPARL_PAGE_SIZE", 100)

    # Locale: German first, English second.
    BABEL_DEFAULT_LOCALE = os.environ.get("GOVTOOL_LOCALE", "de")
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    # The core catalogue; each area adds its own in init_app (i18n.add_translations).
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    LANGUAGES = ("de", "en")

    # Login throttling: shared through Redis when several workers run.
    # Also the job queue (core.jobs, RQ): set, mail and reminders go to `govtool worker`; unset,
    # jobs run in-process after each commit.
    GOVTOOL_REDIS_URL = os.environ.get("GOVTOOL_REDIS_URL", "")
    GOVTOOL_QUEUE_NAME = os.environ.get("GOVTOOL_QUEUE_NAME", "govtool")
    # The worker sends the day's reminders from this hour on (Europe/Berlin).
    GOVTOOL_REMINDERS_HOUR = _int("GOVTOOL_REMINDERS_HOUR", 7)
    RATELIMIT_STORAGE_URI = GOVTOOL_REDIS_URL or "memory://"
    # While Redis cannot be reached the limits count in memory (core.ratelimit_storage); Redis is
    # tried again after this many seconds, not on every request.
    GOVTOOL_REDIS_RETRY_SECONDS = float(os.environ.get("GOVTOOL_REDIS_RETRY_SECONDS") or 5)
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins per client address, and per (email, client address): a throttle, no
    # lock-out, so nobody elsewhere can keep an account's owner out.
    GOVTOOL_LOGIN_LIMIT = os.environ.get("GOVTOOL_LOGIN_LIMIT", "5 per minute")
    GOVTOOL_LOGIN_ACCOUNT_LIMIT = os.environ.get("GOVTOOL_LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes")
    # Wrong passwords re-entered by a signed-in user (password change, signing), per user.
    GOVTOOL_PASSWORD_CHECK_LIMIT = os.environ.get("GOVTOOL_PASSWORD_CHECK_LIMIT", "5 per minute")
    GOVTOOL_RESET_TOKEN_HOURS = _int("GOVTOOL_RESET_TOKEN_HOURS", 2)
    # The link a new user gets to set the first password: single use, valid this long.
    GOVTOOL_WELCOME_TOKEN_HOURS = _int("GOVTOOL_WELCOME_TOKEN_HOURS", 72)
    # The audit log export: at most this many entries (newest first) per file.
    GOVTOOL_AUDIT_EXPORT_LIMIT = _int("GOVTOOL_AUDIT_EXPORT_LIMIT", 50_000)
    # Exports with more rows than this are built by a job and fetched from "Prepared files"
    # (/downloads/), kept there for GOVTOOL_PREPARED_KEEP_DAYS days (core.prepared).
    GOVTOOL_EXPORT_INLINE_ROWS = _int("GOVTOOL_EXPORT_INLINE_ROWS", 2000)
    GOVTOOL_PREPARED_KEEP_DAYS = _int("GOVTOOL_PREPARED_KEEP_DAYS", 7)
    GOVTOOL_PASSWORD_HASH_METHOD = "scrypt"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("GOVTOOL_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BOOTSTRAP_SERVE_LOCAL = True
    PER_PAGE = 25


class TestConfig(Config):
    """The test suite: its own database, no CSRF on client posts (a dedicated test checks it)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("GOVTOOL_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    GOVTOOL_SMTP_HOST = ""
    # Hashing cost is not under test; scrypt's deliberate slowness would dominate the suite.
    GOVTOOL_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    """Production: secure cookies; the app refuses to start without a real secret key."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("GOVTOOL_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


def config_from_environment() -> type[Config]:
    """Pick the config class named by GOVTOOL_ENV (development when unset); a misspelt name
    stops the start instead of quietly running a production server with development settings."""
    name = os.environ.get("GOVTOOL_ENV", "development").strip().lower() or "development"
    if name not in ENVIRONMENTS:
        raise RuntimeError(
            f"GOVTOOL_ENV={name!r} is not known; set it to one of: {', '.join(ENVIRONMENTS)}."
        )
    return ProductionConfig if name == "production" else Config
