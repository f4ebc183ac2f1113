"""Settings for the one-stop portal, read from the environment in this one place.

Unset DATABASE_URL → a SQLite file under var/; unset REDIS_URL → Celery runs eagerly and the cache is local
memory. Production behaviour is switched by environment variables, never by a separate settings file.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import logging as portal_logging

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("PORTAL_TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where the public lookup and QR codes point; also the canonical origin in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PROVINCE_NAME = os.environ.get("PROVINCE_NAME", "Tỉnh Thanh Hóa")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc assets served locally (no CDN)
    "portal",
    "accounts",
    "agencies",
    "workcalendar",
    "procedures",
    "dossiers",
    "outbox",
    "desk",
    "payments",
    "citizen",
    "feedback",
    "stats",
    "natsync",
    "indicators",
    "transparency",
    "api",
    "webhooks",
    "privacy",
    "demo",
    # Sign-in hardening (docs/authentication.md): the second factor for staff, the lockout after failures.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (with this request's nonce) and 405 for unknown methods (docs/headers.md).
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session: its 503 page must not depend on anything the database serves.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and the messages: idle sessions end, staff pass the TOTP step (docs/authentication.md).
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dossiers.middleware.DossierErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout answer (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
            ],
            # A misspelt variable fails loudly in tests instead of rendering as an empty string.
            "string_if_invalid": "INVALID_TEMPLATE_VARIABLE<%s>" if TESTING else "",
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CONN_MAX_AGE = 0 if TESTING else int(os.environ.get("CONN_MAX_AGE", "60"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # An unreachable server (not one refusing connections) must give the 503 page in seconds, not minutes.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        )
        # No JIT compilation: the staff screens' bounded queries have high planner costs (capped counts over large
        # tables) and run in milliseconds; compiling them took 20–30 ms each at a million dossiers (bench/).
        DATABASES["default"]["OPTIONS"].setdefault("options", os.environ.get("DATABASE_SESSION_OPTIONS", "-c jit=off"))
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "portal.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering costs a request at most a second per call, never a hung worker, and a
            # dead one gives the 503 page (portal.errors) well within the proxy's timeout.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "1")),
                "socket_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "1")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process: `.delay()` with neither eager mode nor Redis would block and fail.
# Tests run tasks eagerly too; a test of the real worker switches eager mode off around `start_worker`, and a
# worker it starts in a subprocess sets CELERY_TASK_ALWAYS_EAGER=0 (never honoured without REDIS_URL).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# At least once (docs/adr/0004-outbox.md): a task is acknowledged after it ran, a worker lost mid-task gives its
# message back, and a worker holds one message at a time. Tasks must therefore be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that died is handed out again after this many seconds (Redis has no broker-side
    # acknowledgement); a task must finish well within it or it runs twice. Kombu's default is one hour.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "120")),
    # How often a worker looks for such messages (Kombu: about every interval × throttle seconds).
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BEAT_SCHEDULE = {
    # docs/domain.md §5.12: the overdue job runs every 5 minutes (a setting).
    "flag-overdue": {"task": "dossiers.flag_overdue", "schedule": int(os.environ.get("OVERDUE_JOB_SECONDS", "300"))},
    # The other selections of §5.12 (dossiers/jobs.py, docs/jobs.md), one task each, on the same period.
    **{
        f"job-{name.replace('_', '-')}": {
            "task": f"dossiers.job_{name}",
            "schedule": int(os.environ.get("OVERDUE_JOB_SECONDS", "300")),
        }
        for name in ("late_steps", "due_soon", "apology", "late_acceptance", "uncollected", "expire_supplements")
    },
    # docs/uploads.md: files stored while the malware scanner was unreachable are scanned when it answers again.
    "files-rescan": {"task": "dossiers.files_rescan", "schedule": int(os.environ.get("FILES_RESCAN_SECONDS", "60"))},
    # The outbox's safety net: deliver what an on-commit kick could not queue, and retries whose time has come.
    "outbox-sweep": {"task": "outbox.sweep", "schedule": int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))},
    # docs/domain.md §10.2: pending online payments whose notification never came are asked about again.
    "payments-reconcile": {
        "task": "payments.reconcile",
        "schedule": int(os.environ.get("PAYMENT_RECONCILE_SECONDS", "900")),
    },
    # docs/statistics.md: the daily summary tables catch up with the dossier events.
    # docs/jobs.md: the job markers of dossiers closed long ago, deleted daily (set-based).
    "job-markers-purge": {"task": "dossiers.job_markers_purge", "schedule": 86400},
    "stats-refresh": {"task": "stats.refresh", "schedule": int(os.environ.get("STATS_REFRESH_SECONDS", "300"))},
    # docs/indicators.md: the per-dossier facts of the Decision 766 indicators, refreshed like the daily figures.
    "indicators-refresh": {
        "task": "indicators.refresh",
        "schedule": int(os.environ.get("STATS_REFRESH_SECONDS", "300")),
    },
    # docs/transparency.md: the public figures of the 12 months ending yesterday, rebuilt daily at 01:30 local.
    "transparency-refresh": {"task": "transparency.refresh", "schedule": crontab(hour=1, minute=30)},
}

# --- Online payment (payments/, docs/domain.md §10.2) --------------------------------------------------
# The local fake platform (payments/fake.py) stands in for the national one in development and tests.
PAYMENT_FAKE_ENABLED = env_bool("PAYMENT_FAKE_ENABLED", DEBUG or TESTING)
PAYMENT_FAKE_NOTIFY = True  # the fake delivers its confirm notification (tests turn it off to lose one)
PAYMENT_ADAPTER = os.environ.get(
    "PAYMENT_ADAPTER",
    "payments.fake.FakeAdapter" if PAYMENT_FAKE_ENABLED else "payments.adapters.national.NationalAdapter",
)
PAYMENT_NATIONAL_URL = os.environ.get("PAYMENT_NATIONAL_URL", "")
PAYMENT_NATIONAL_PARTNER = os.environ.get("PAYMENT_NATIONAL_PARTNER", "DVC-DEMO")
PAYMENT_NATIONAL_SECRET = os.environ.get(
    "PAYMENT_NATIONAL_SECRET", "fake-platform-secret" if PAYMENT_FAKE_ENABLED else ""
)
PAYMENT_NATIONAL_TOKEN = os.environ.get("PAYMENT_NATIONAL_TOKEN", "")
PAYMENT_NATIONAL_TIMEOUT = float(os.environ.get("PAYMENT_NATIONAL_TIMEOUT", "10"))
PAYMENT_NATIONAL_FIELD_ORDER = None  # None: payments.adapters.national.DEFAULT_FIELD_ORDER
PAYMENT_RECONCILE_AFTER_MINUTES = int(os.environ.get("PAYMENT_RECONCILE_AFTER_MINUTES", "15"))
PAYMENT_EXPIRE_MINUTES = int(os.environ.get("PAYMENT_EXPIRE_MINUTES", "1440"))

# --- Outbox (outbox/services.py, docs/adr/0004-outbox.md) ---------------------------------------------
# Modules that register the outbox's topic handlers (`register_handler`), imported when the apps are ready.
OUTBOX_HANDLER_MODULES = [
    "dossiers.notifications",
    "dossiers.jobs",
    "accounts.otp",
    "feedback.notifications",
    "natsync.services",
    "webhooks.services",
]
# §5.12 jobs (docs/jobs.md): the "due soon" window in working hours; working days a ready result may wait.
DUE_SOON_WORKING_HOURS = int(os.environ.get("DUE_SOON_WORKING_HOURS", "8"))
RESULT_UNCOLLECTED_DAYS = int(os.environ.get("RESULT_UNCOLLECTED_DAYS", "5"))
# Attempts before a message is marked failed for the admin; the back-off doubles from BACKOFF up to BACKOFF_MAX.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
# docs/statistics.md: a refresh that finds more changed dossiers than this rebuilds every day instead.
STATS_REBUILD_ABOVE = int(os.environ.get("STATS_REBUILD_ABOVE", "50000"))
# The dashboard's figures of one scope and query, rendered once and kept this long (docs/dashboard.md "Cache"): the
# rolled-up part changes only with a refresh (the key holds the refresh's watermark), the live counts (in progress,
# overdue now) are at most this old. 0 renders every time (the tests' default).
# The overdue jobs' markers (dossiers/jobs.py) are kept this many days after their dossier closed.
JOB_MARKER_KEEP_DAYS = int(os.environ.get("JOB_MARKER_KEEP_DAYS", "30"))
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "0" if TESTING else "60"))
OUTBOX_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "30"))
OUTBOX_BACKOFF_MAX_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "3600"))
# How long a message queued by the sweep may wait in the queue before the sweep queues it again.
OUTBOX_REQUEUE_SECONDS = int(os.environ.get("OUTBOX_REQUEUE_SECONDS", "300"))
OUTBOX_SWEEP_BATCH = int(os.environ.get("OUTBOX_SWEEP_BATCH", "500"))
# The on-commit kick tries the broker once with this timeout (seconds), so a request never waits on a dead broker.
OUTBOX_KICK_TIMEOUT = float(os.environ.get("OUTBOX_KICK_TIMEOUT", "0.5"))
OUTBOX_KICK_POOL_SIZE = int(os.environ.get("OUTBOX_KICK_POOL_SIZE", "10"))

# --- National portal sync (natsync/, docs/national-sync.md, docs/domain.md §10.1) ----------------------------
# Every dossier event becomes a `natsync.push` outbox message; off in tests unless a test turns it on (other tests
# count a dossier's outbox rows). The fake receiver (/natsync-fake/, natsync/fake.py) answers 404 unless enabled.
NATSYNC_ENABLED = env_bool("NATSYNC_ENABLED", DEBUG and not TESTING)
NATSYNC_FAKE_ENABLED = env_bool("NATSYNC_FAKE_ENABLED", DEBUG or TESTING)
NATSYNC_FAKE_DOWN = env_bool("NATSYNC_FAKE_DOWN", False)  # the fake answers 503 (a flag row does the same)
NATSYNC_ADAPTER = os.environ.get(
    "NATSYNC_ADAPTER",
    "natsync.fake.FakeAdapter" if NATSYNC_FAKE_ENABLED else "natsync.adapters.national.NationalAdapter",
)
NATSYNC_URL = os.environ.get("NATSYNC_URL", f"{SITE_URL}/natsync-fake")  # create/, update/, progress/ are appended
NATSYNC_TOKEN = os.environ.get("NATSYNC_TOKEN", "fake-natsync-token" if NATSYNC_FAKE_ENABLED else "")
NATSYNC_FAKE_TOKEN = os.environ.get("NATSYNC_FAKE_TOKEN", "fake-natsync-token")  # what the fake receiver accepts
NATSYNC_TIMEOUT = float(os.environ.get("NATSYNC_TIMEOUT", "10"))
# [unverified] the endpoint paths, the auth header and the "already exists" answer of the national receiver.
NATSYNC_PATHS = {"create": "create/", "update": "update/", "progress": "progress/"}
NATSYNC_AUTH_HEADER = os.environ.get("NATSYNC_AUTH_HEADER", "Authorization")
NATSYNC_AUTH_SCHEME = os.environ.get("NATSYNC_AUTH_SCHEME", "Bearer")
NATSYNC_REQUEST_ID_HEADER = os.environ.get("NATSYNC_REQUEST_ID_HEADER", "X-Request-Id")
NATSYNC_ALREADY_EXISTS_CODES = env_list("NATSYNC_ALREADY_EXISTS_CODES", ["2"])
# Inbound: the national portal posts submitted dossiers to /natsync/inbound/ with this token (empty: 404).
NATSYNC_INBOUND_TOKEN = os.environ.get("NATSYNC_INBOUND_TOKEN", "fake-natsync-inbound" if NATSYNC_FAKE_ENABLED else "")
NATSYNC_INBOUND_AGENCY_FIELD = os.environ.get("NATSYNC_INBOUND_AGENCY_FIELD", "MaDonViTiepNhan")  # [unverified]

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:after-login"  # a desk officer lands on /desk/, others on the home page
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Lockout (django-axes, docs/security.md check 8): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused for the cool-off; the same username from another address still signs in.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = True
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2", "code"]
# The address and username counted: the read log's address (TRUSTED_PROXY below), the username as sign-in reads it.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
# Second factor (django-otp, docs/security.md check 10): every staff account passes a TOTP step after the password.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Một cửa điện tử")
STAFF_RECOVERY_CODES = 10
# Idle sessions (accounts/middleware.py, check 11): staff after 15 minutes, citizens after 2 hours without a request.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", "900"))
CITIZEN_SESSION_IDLE_SECONDS = int(os.environ.get("CITIZEN_SESSION_IDLE_SECONDS", "7200"))
# The cookie lives no longer than the longer idle allowance; the session is saved (and the expiry slides) at most
# once a minute (accounts.middleware.ACTIVITY_STEP_SECONDS).
SESSION_COOKIE_AGE = max(STAFF_SESSION_IDLE_SECONDS, CITIZEN_SESSION_IDLE_SECONDS) or 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Sign-in through the national SSO, VNeID (accounts/vneid.py, docs/vneid.md, docs/domain.md §10.3) ------------
# Off by default: no button, and the sign-in URLs answer 404. The endpoints default to the local fake provider
# (accounts/vneid_fake.py, 404 unless VNEID_FAKE_ENABLED), so `VNEID_ENABLED=1 make run` works out of the box.
VNEID_ENABLED = env_bool("VNEID_ENABLED", False)
VNEID_FAKE_ENABLED = env_bool("VNEID_FAKE_ENABLED", DEBUG or TESTING)
# Axes first: it refuses a locked username and address before any password is checked (docs/authentication.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.vneid.VneidBackend",
]
_VNEID_FAKE = f"{SITE_URL}/vneid-fake"
OIDC_RP_CLIENT_ID = os.environ.get("VNEID_CLIENT_ID", "mot-cua-demo")
OIDC_RP_CLIENT_SECRET = os.environ.get("VNEID_CLIENT_SECRET", "fake-vneid-secret" if VNEID_FAKE_ENABLED else "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("VNEID_AUTHORIZATION_ENDPOINT", f"{_VNEID_FAKE}/authorize/")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("VNEID_TOKEN_ENDPOINT", f"{_VNEID_FAKE}/token/")
OIDC_OP_USER_ENDPOINT = os.environ.get("VNEID_USERINFO_ENDPOINT", f"{_VNEID_FAKE}/userinfo/")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("VNEID_JWKS_ENDPOINT", f"{_VNEID_FAKE}/jwks/")
OIDC_RP_SIGN_ALGO = os.environ.get("VNEID_SIGN_ALGO", "RS256")
# The issuer the id_token must name (`iss`); empty: not checked. Default: the fake's, while its endpoints are used.
VNEID_ISSUER = os.environ.get("VNEID_ISSUER", "" if "VNEID_TOKEN_ENDPOINT" in os.environ else _VNEID_FAKE)
OIDC_RP_SCOPES = os.environ.get("VNEID_SCOPES", "openid")
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:vneid-callback"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = float(os.environ.get("VNEID_TIMEOUT", "10"))
# No national token outlives the sign-in (§10.3): neither is put in the session.
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "login"
# The fake provider's RSA key, generated on first use (PEM, private: readable by the portal only).
VNEID_FAKE_KEY_PATH = Path(os.environ.get("VNEID_FAKE_KEY_PATH", str(BASE_DIR / "var" / "vneid-fake-key.pem")))

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development and tests WhiteNoise serves straight from the finders; production serves the collected files.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
if DEBUG or TESTING:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Dossier uploads (dossiers/files.py) ---------------------------------------------------------
# Checked on every upload: per file, and the sum of one dossier's files. Bytes; defaults 10 MiB and 50 MiB.
DOSSIER_MAX_FILE_BYTES = int(os.environ.get("DOSSIER_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
DOSSIER_MAX_TOTAL_BYTES = int(os.environ.get("DOSSIER_MAX_TOTAL_BYTES", str(50 * 1024 * 1024)))
# Uploaded files hold personal data: readable by the portal's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
# Caps the non-file part of a request (form fields, JSON bodies); files are bounded by the limits above.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files in one request: more is a 400 with a clear message (dossiers.files.files_per_request_check, and Django's
# parser stops at DATA_UPLOAD_MAX_NUMBER_FILES before writing more; portal.views.bad_request explains it).
DOSSIER_MAX_FILES_PER_REQUEST = int(os.environ.get("DOSSIER_MAX_FILES_PER_REQUEST", "20"))
DATA_UPLOAD_MAX_NUMBER_FILES = DOSSIER_MAX_FILES_PER_REQUEST
# Each uploaded file carries the client's address for the security log (malware refused at upload).
FILE_UPLOAD_HANDLERS = [
    "dossiers.files.ClientMemoryFileUploadHandler",
    "dossiers.files.ClientTemporaryFileUploadHandler",
]
# The ClamAV daemon scanning every upload (dossiers/scanning.py, docs/uploads.md): "tcp://127.0.0.1:3310" or
# "unix:///run/clamav/clamd.ctl". Empty: no scanner, and every upload waits as "pending" (never served) until one
# answers; `bin/clamd-local` starts one with a local EICAR-only database for development and CI.
CLAMAV_ADDRESS = os.environ.get("CLAMAV_ADDRESS", "")
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "10"))
# S3-compatible object storage (MinIO, Viettel/FPT cloud, AWS) instead of MEDIA_ROOT when S3_BUCKET is set;
# needs the optional extra: pip install ".[s3]". Objects stay private and are served through the portal.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            # Unset keys → boto3's own chain (environment, instance role).
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "EXCEPTION_HANDLER": "dossiers.api_errors.exception_handler",
    # A bearer token first (so an anonymous call is a 401), then the site's own session with CSRF (docs/api.md).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Counted in the cache (Redis); failing open when it is down (api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "2000/hour"),
        "anon": os.environ.get("API_THROTTLE_ANON", "300/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Một cửa điện tử API",
    "DESCRIPTION": "Procedure catalogue and dossiers of the electronic one-stop shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Outbound calls and webhooks (portal/outbound.py, docs/webhooks.md) ------------------------------
# The hosts the portal may call: exact names, or ".example.gov.vn" for a domain and its subdomains; https only,
# ports below, and never to a loopback, private or link-local address.
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS", [])
OUTBOUND_ALLOWED_PORTS = [int(port) for port in env_list("OUTBOUND_ALLOWED_PORTS", ["443"])]
# Exact hosts also allowed over plain http and on a local address: the local fakes of development and tests only.
OUTBOUND_LOCAL_HOSTS = env_list("OUTBOUND_LOCAL_HOSTS", [])
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))

# --- Security (all on when DEBUG is off; `manage.py check --deploy` reports nothing) --------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not TESTING:
        # Check 12: `__Host-` cookies are sent only over HTTPS, for this host and path "/" (no Domain attribute).
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_REFERRER_POLICY = "same-origin"
# docs/headers.md. Every page: scripts only from this site or carrying the request's nonce, no third-party host.
# `{nonce}` is replaced per request (portal.middleware.SecurityHeadersMiddleware, `request.csp_nonce`). A form
# posted here may be redirected to the national payment platform, so its origin joins form-action when set.
_PAYMENT_ORIGIN = "/".join(PAYMENT_NATIONAL_URL.split("/", 3)[:3]) if "://" in PAYMENT_NATIONAL_URL else ""
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        f"form-action 'self' {_PAYMENT_ORIGIN}".strip(),
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# The API's interactive docs (api/public.py): their libraries set inline styles as they draw; scripts stay strict.
CONTENT_SECURITY_POLICY_API_DOCS = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
# A file sent as an attachment is never run as a page of this site, even if a browser is made to render it.
CONTENT_SECURITY_POLICY_ATTACHMENT = "sandbox"
# A PDF shown in the browser (printed forms): Chromium's viewer refuses to run under `sandbox` or `object-src`.
CONTENT_SECURITY_POLICY_PDF = "frame-ancestors 'none'"
# HTTP methods the portal answers; any other (TRACE, CONNECT, WebDAV verbs) is 405 before a view runs.
HTTP_METHODS_ALLOWED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses): when a request comes from one of
# them, the read log records the last X-Forwarded-For hop, else REMOTE_ADDR (dossiers.audit.request_client).
TRUSTED_PROXY = env_list("TRUSTED_PROXY", [])
# The public dossier lookup (/tra-cuu/) answers at most this many lookups per client address and window (seconds),
# so dossier codes cannot be enumerated (portal.ratelimit; the count lives in the cache, Redis in production).
PUBLIC_LOOKUP_LIMIT = int(os.environ.get("PUBLIC_LOOKUP_LIMIT", "20"))
PUBLIC_LOOKUP_WINDOW = int(os.environ.get("PUBLIC_LOOKUP_WINDOW", "600"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Text messages (accounts/sms.py): the default keeps them in the accounts.FakeSms table instead of sending them.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "accounts.sms.DatabaseSmsBackend")
# One-time codes for signing up and for a password reset by phone (accounts/otp.py).
OTP_TTL_SECONDS = 600
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_SECONDS = 60
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mot-cua@localhost")
# The "Nộp hồ sơ trực tuyến" button leads to the online submission form: off until that form exists.
ONLINE_SUBMISSION_ENABLED = env_bool("ONLINE_SUBMISSION_ENABLED", True)
# Digital signatures of uploaded result PDFs (dossiers/signatures.py): comma-separated paths of PEM files holding
# the certificate authorities to trust (e.g. the national root CA). Empty: every chain is shown as not trusted.
RESULT_TRUST_ROOTS = env_list("RESULT_TRUST_ROOTS", [])
# Which agency's identifier prefixes a dossier code (Circular 03/2025 Art. 13): "resolving" or "receiving".
DOSSIER_CODE_AGENCY = os.environ.get("DOSSIER_CODE_AGENCY", "resolving")

portal_logging.install()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The 500 page's reference id goes into the "Internal Server Error" record beside its traceback.
    "filters": {
        "error_reference": {"()": "portal.errors.ErrorReferenceFilter"},
        # No password, OTP, session id, token, auth header or full CCCD in any log; CR/LF escaped (check 37).
        "scrub": {"()": "portal.logging.ScrubFilter"},
    },
    # Every handler carries "scrub"; portal.logging.install() also scrubs records as they are made.
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["error_reference"]},
        # WeasyPrint and fontTools narrate every render at INFO.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # pyHanko logs a traceback for every chain it cannot build; an untrusted signer is an outcome the head
        # sees on the page (dossiers/signatures.py), not an operator's error.
        "pyhanko": {"level": "ERROR"},
        # django-axes announces its version at every start; its failures and lockouts (axes.handlers) stay logged.
        "axes.apps": {"level": "WARNING"},
    },
}

# Working days to acknowledge a data subject's request (Decree 356/2025, unverified; docs/domain.md §11).
PRIVACY_ACKNOWLEDGE_WORKING_DAYS = int(os.environ.get("PRIVACY_ACKNOWLEDGE_WORKING_DAYS", "2"))
# Why a submitted dossier is not erased on request (docs/privacy.md "Retention"; the article numbers are
# unverified against the official text: a province's legal officer may restate it here).
PRIVACY_RETENTION_BASIS = os.environ.get("PRIVACY_RETENTION_BASIS") or _(
    "Hồ sơ thủ tục hành chính đã nộp là tài liệu lưu trữ của cơ quan nhà nước, được bảo quản theo thời hạn quy "
    "định của Luật Lưu trữ số 33/2024/QH15 và các văn bản hướng dẫn; việc xử lý dữ liệu cá nhân trong hồ sơ là "
    "để cơ quan nhà nước thực hiện nhiệm vụ theo quy định của pháp luật (Luật Bảo vệ dữ liệu cá nhân số "
    "91/2025/QH15, Điều 19 khoản 1 điểm c), nên không xóa được khi còn trong thời hạn lưu trữ."
)

# --- Domain defaults (docs/domain.md; each may be overridden per agency or procedure version) ---
DEFAULT_OFFICE_HOURS = (("07:00", "11:30"), ("13:30", "17:00"))
# Working days an agency has to answer a citizen's feedback (phản ánh, kiến nghị): a design default, docs/feedback.md.
FEEDBACK_ANSWER_DAYS = int(os.environ.get("FEEDBACK_ANSWER_DAYS", "10"))
