"""Django settings for Keel, read from the environment.

Precedence for every setting: the environment first, then the data folder (``KEEL_HOME``,
default ``./var``), then a safe default. Several instances can share one PostgreSQL database
by giving them the same ``DATABASE_URL`` and ``SECRET_KEY``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Everything Keel writes — the data folder, the SQLite database and the -wal/-shm files SQLite
# creates later, the secret key, evidence folders and files — is for the account Keel runs as
# only. Set before anything is created, for the web server and the CLI alike.
os.umask(0o077)

KEEL_HOME = Path(os.environ.get("KEEL_HOME", "var")).resolve()


def _make_home() -> None:
    if not KEEL_HOME.exists():
        KEEL_HOME.mkdir(parents=True, mode=0o700, exist_ok=True)
        KEEL_HOME.chmod(0o700)


def _secret_key() -> str:
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    _make_home()
    path = KEEL_HOME / "secret_key"
    if not path.exists():
        # Write atomically with owner-only permissions so a second process never reads half a key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "keel.platform",
    "keel.organisation",
    "keel.work",
    "keel.standards",
    "keel.controls",
    "keel.soa",
    "keel.mapping",
    "keel.aisystems",
    "keel.gap",
    "keel.evidence",
    "keel.assets",
    "keel.risks",
    "keel.impact",
    "keel.documents",
    "keel.support",
    "keel.suppliers",
    "keel.improvement",
    "keel.incidents",
    "keel.changes",
    "keel.audits",
    "keel.review",
    "keel.certification",
    "keel.aiact",
    "keel.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "keel.platform.middleware.SecurityHeadersMiddleware",
    "keel.platform.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "keel.platform.middleware.LoginRequiredMiddleware",
    "keel.platform.middleware.ApiErrorFormatMiddleware",
    "keel.platform.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "keel.site.urls"
WSGI_APPLICATION = "keel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keel.site.context_processors.keel",
            ],
        },
    }
]


def _databases() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        _make_home()
        url = f"sqlite:///{KEEL_HOME / 'keel.sqlite3'}"
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend plus PRAGMA optimize on close (keel/platform/dbbackends/sqlite3).
        db["ENGINE"] = "keel.platform.dbbackends.sqlite3"
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing half-way through.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        }
        db["CONN_MAX_AGE"] = 0
        # Tests: in memory, one database per xdist worker (process) — Django's default for SQLite,
        # spelled out because pytest-django recognises SQLite by Django's ENGINE name only.
        db["TEST"] = {"NAME": os.environ.get("KEEL_TEST_SQLITE_NAME") or ":memory:"}
    else:
        db["CONN_HEALTH_CHECKS"] = True
        db["ATOMIC_REQUESTS"] = False
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "platform.User"
# People without a login (docs/adr/0019-people.md) are refused by the backend.
AUTHENTICATION_BACKENDS = ["keel.platform.backends.KeelBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: this many failures per account (four times as many per client address) within
# the window lock further attempts out for LOCKOUT seconds, doubled at every further lock-out up
# to LOCKOUT_MAX (docs/permissions.md).
KEEL_LOGIN_MAX_FAILURES = int(os.environ.get("KEEL_LOGIN_MAX_FAILURES", "5"))
KEEL_LOGIN_WINDOW_SECONDS = int(os.environ.get("KEEL_LOGIN_WINDOW_SECONDS", "900"))
KEEL_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("KEEL_LOGIN_LOCKOUT_SECONDS", "60"))
KEEL_LOGIN_LOCKOUT_MAX_SECONDS = int(os.environ.get("KEEL_LOGIN_LOCKOUT_MAX_SECONDS", "3600"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", KEEL_HOME / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", KEEL_HOME / "files"))
# whitenoise serves from the app folders (finders) and, once `collectstatic` has run, from here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("KEEL_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    # Evidence files: on the file system under KEEL_HOME/evidence by default; any Django storage
    # backend (object storage) can take over with KEEL_EVIDENCE_STORAGE. See docs/evidence.md.
    "evidence": {
        "BACKEND": os.environ.get("KEEL_EVIDENCE_STORAGE", "keel.evidence.storage.EvidenceFileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the app folders directly too, so `keel serve` works without a
# collectstatic step on a fresh checkout.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Evidence: where files live, the largest file accepted, and how many days ahead of its
# "valid until" date a piece of evidence counts as expiring soon.
KEEL_EVIDENCE_ROOT = Path(os.environ.get("KEEL_EVIDENCE_ROOT", KEEL_HOME / "evidence"))
# Stored files (evidence included) readable by Keel's account only: Django chmods every file
# it saves to FILE_UPLOAD_PERMISSIONS (0o644 by default, whatever the umask).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
KEEL_EVIDENCE_MAX_BYTES = int(os.environ.get("KEEL_EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024)))
KEEL_EVIDENCE_EXPIRING_DAYS = int(os.environ.get("KEEL_EVIDENCE_EXPIRING_DAYS", "30"))

# Email (docs/documents.md#acknowledgement): links to acknowledge a policy go to people without a
# login. Without KEEL_EMAIL_HOST, emails are written to the console (nothing is sent).
EMAIL_HOST = os.environ.get("KEEL_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("KEEL_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("KEEL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEEL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("KEEL_EMAIL_TLS", default=True)
EMAIL_BACKEND = os.environ.get(
    "KEEL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("KEEL_EMAIL_FROM", "keel@localhost")
# The address emailed links start with (the API and pages use the request's own address).
KEEL_BASE_URL = os.environ.get("KEEL_BASE_URL", "http://localhost:8000")
# Policy acknowledgement: the signed link's lifetime, and the default time given to acknowledge.
KEEL_ACK_LINK_DAYS = int(os.environ.get("KEEL_ACK_LINK_DAYS", "30"))
KEEL_ACK_DUE_DAYS = int(os.environ.get("KEEL_ACK_DUE_DAYS", "30"))

# Spreadsheet imports (keel.platform.spreadsheets): the largest file, the most rows under the
# header and the widest header accepted; the reader stops as soon as one is passed.
KEEL_IMPORT_MAX_BYTES = int(os.environ.get("KEEL_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
KEEL_IMPORT_MAX_ROWS = int(os.environ.get("KEEL_IMPORT_MAX_ROWS", "20000"))
KEEL_IMPORT_MAX_COLUMNS = int(os.environ.get("KEEL_IMPORT_MAX_COLUMNS", "200"))

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = _flag("KEEL_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = int(os.environ.get("KEEL_HSTS_SECONDS", "0"))
SECURE_SSL_REDIRECT = _flag("KEEL_SSL_REDIRECT")
if _flag("KEEL_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
