"""Settings for the muscle-atrophy visit helper.

One module, driven by the environment (12-factor). Defaults are safe for a laptop; production
says what it needs through environment variables (see README, "Deploy"). A local `.env` file, if
present, fills in variables that the environment does not set; `scripts/setup.sh` writes one for
development with a random key and DEBUG on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from atrophy_site.email_config import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(ENV_FILE).is_file():
    env.read_env(ENV_FILE)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Refuse to start in production without a real secret: sessions, CSRF and tokens depend on it.
_INSECURE_KEY_MARKERS = ("", "change-me", "django-insecure")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (
    len(SECRET_KEY) < 32 or any(SECRET_KEY.startswith(m) for m in _INSECURE_KEY_MARKERS if m)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or too weak. With DJANGO_DEBUG off, set SECRET_KEY to a random "
        "string of at least 32 characters, for example the output of: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
if DEBUG and not SECRET_KEY:
    # Only with DEBUG on, never in production (the check above refuses it there).
    SECRET_KEY = "django-insecure-local-development-only-key-not-for-production"  # nosec B105 # noqa: S105

# Rotating the key: put the old one here (comma-separated) and the new one in SECRET_KEY; sessions
# and private-link sessions signed with the old key keep working until they expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with our staff site (second factor, see atrophy_site/admin_site.py).
    "atrophy_site.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "phonenumber_field",
    # Background tasks (see below); django_rq joins them when TASKS_BACKEND is "redis".
    "django_tasks",
    "django_tasks_db",
    "atrophy_site",
    "education",
    "intake",
]

MIDDLEWARE = [
    # First: load balancers probe /health/ by the server's own address (atrophy_site/middleware.py).
    "atrophy_site.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "atrophy_site.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Pages the same for every reader without a session, kept whole (atrophy_site/shared_pages.py).
    "atrophy_site.shared_pages.SharedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "atrophy_site.staff_sessions.StaffSessionTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "atrophy_site.urls"
WSGI_APPLICATION = "atrophy_site.wsgi.application"

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
                "atrophy_site.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite by default, in data/ (ignored by git). PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Tuned for a web server: WAL lets readers run beside one writer; IMMEDIATE transactions take
    # the write lock up front, so concurrent writers wait (busy timeout) instead of failing with
    # "database is locked" half-way through a transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
# Persistent connections for both engines: opening one per request (and, for SQLite, running the
# PRAGMAs above each time) costs more than most of our pages.
_db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, PDF slots, rendered pages) and sessions --------------------------------
# A shared Redis cache in production, so limits hold across servers. Without CACHE_URL: in
# development, local memory; in production, a table in the database, which every worker and
# every server on that database shares (local memory would give each worker its own link-guess
# count and PDF slots). `migrate` creates the table (atrophy_site/management/commands/migrate.py).
_cache_url = env.str("CACHE_URL", default="locmem://" if DEBUG else "dbcache://cache_entries")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url.startswith("dbcache://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": _cache_url.removeprefix("dbcache://") or "cache_entries",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database: answers never go into a cookie. Django's database sessions, read
# with their SELECT compiled once per connection (atrophy_site/sessions.py).
SESSION_ENGINE = "atrophy_site.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Shared computers (a library, a clinic kiosk): the session cookie ends when the browser closes,
# and a session row is kept at most 12 hours (the longest staff session; clearsessions, run by
# the daily cleanup, removes it). A patient's form also closes on a device left idle for
# INTAKE_IDLE_MINUTES (intake/session.py), so the next person sees the start page.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
INTAKE_IDLE_MINUTES = env.int("INTAKE_IDLE_MINUTES", default=30)
# Reminders to invited patients whose form is not sent, this many days before the appointment.
INTAKE_REMINDER_DAYS = env.list("INTAKE_REMINDER_DAYS", cast=int, default=[3, 1])

# --- Background tasks ---------------------------------------------------------------------------
# Messages to patients (invitations, reminders, "email me my link") and the daily cleanup run in
# a worker process, never inside a request (django-tasks, the backport of Django 6.0's tasks;
# README, "Background tasks"). "database": tasks are rows in our own database, run by
# `manage.py db_worker`, on SQLite or PostgreSQL, nothing else to run. "redis": tasks go to Redis
# (REDIS_URL), run by `manage.py rqworker default`, for clinics that outgrow one machine.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
TASK_QUEUES = ["default"]
# Redis for the tasks: by default the cache's Redis when CACHE_URL names one.
_tasks_redis_url = "redis://127.0.0.1:6379/0"
if _cache_url.startswith(("redis://", "rediss://")):
    _tasks_redis_url = _cache_url
REDIS_URL = env.str("REDIS_URL", default=_tasks_redis_url)
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    # A job running longer than DEFAULT_TIMEOUT seconds is stopped (rq's own default is 180).
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in TASK_QUEUES}
    # `rqworker` must run jobs through django-tasks' job class.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
else:
    raise ImproperlyConfigured(
        f'TASKS_BACKEND must be "database" or "redis", not {TASKS_BACKEND!r}.'
    )
# Finished tasks keep their arguments (an email address typed for "email me my link"): the daily
# cleanup deletes them this many days after they finished (atrophy_site/tasks.py).
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=7)

# --- Passwords ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time --------------------------------------------------------------------------
# The patient side speaks English and Spanish. The language comes from the "English | Español"
# switch in the header (Django's set_language view stores it in a cookie) or, until the person
# chooses, from the browser's Accept-Language header (LocaleMiddleware). URLs carry no language
# prefix, so private links and bookmarks work in both languages. Each language is named in
# itself, as a person looking for their own language expects to see it.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats ("25 November 2026", "25 de noviembre de 2026"): atrophy_site/formats/.
FORMAT_MODULE_PATH = ["atrophy_site.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
# The language of the clinic: the visit summary (screen, print and PDF) is always written in it,
# whatever language the patient filled in the form in, because it is the doctor's document.
CLINIC_LANGUAGE = env.str("CLINIC_LANGUAGE", default="en")
if CLINIC_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"CLINIC_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, not {CLINIC_LANGUAGE!r}."
    )
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cache forever) plus gzip and brotli copies served by whitenoise; each file's
    # address kept once worked out (atrophy_site/static_storage.py).
    "staticfiles": {"BACKEND": "atrophy_site.static_storage.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# The project's own crispy-forms template pack (intake/templates/gds/): GOV.UK-style fieldsets,
# legends, hints and errors beside each question, follow-ups revealed under their answer.
CRISPY_ALLOWED_TEMPLATE_PACKS = ("gds",)
CRISPY_TEMPLATE_PACK = "gds"

# --- Security -----------------------------------------------------------------------------------
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_ENABLED so Django knows the request
# was HTTPS.
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: no inline script or style anywhere, only our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws checkbox ticks and select arrows with data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# --- Staff: the admin, sign-in and sessions (README, "Staff accounts") ----------------------------
# Where the admin lives; a less guessable path keeps scanners' noise out of the logs.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/") or ADMIN_URL == "/":
    raise ImproperlyConfigured('ADMIN_URL must look like "admin/" or "staff/review/".')
# A TOTP code from an enrolled device as well as a password. Off only for local development:
# check --deploy warns (atrophy.W001) when it is off.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Muscle Visit Helper")
# Staff are signed out after this long without a request, and this long after signing in.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)

# django-axes: lock a username from one address after repeated failed passwords.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind N proxies that append to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N so the lockout
# keys on the client's address, not the proxy's (atrophy_site/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "atrophy_site.client_ip.client_ip_address"

# django-simple-history: who changed what; the admin shows history but never reverts answers.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Rendered topic articles are kept this long (seconds); any content edit refreshes them at once
# wherever the cache is shared (Redis), see education/page_cache.py.
EDUCATION_PAGE_CACHE_SECONDS = env.int("EDUCATION_PAGE_CACHE_SECONDS", default=300)
# Each process re-reads the content version this often (one cache round trip per page, not two).
EDUCATION_VERSION_CHECK_SECONDS = env.int("EDUCATION_VERSION_CHECK_SECONDS", default=5)

# --- The product --------------------------------------------------------------------------------
# The local emergency number shown in every urgent-signs box (911, 999, 112...).
EMERGENCY_NUMBER = env.str("EMERGENCY_NUMBER", default="911")
CLINIC_NAME = env.str("CLINIC_NAME", default="your clinic")
# The clinic's phone number, shown as a tappable link to patients whose answers need a call to a
# doctor today (tier 2). Empty: the box asks them to call their clinic or doctor's office.
CLINIC_PHONE = env.str("CLINIC_PHONE", default="")
# Patients' phone numbers are read as numbers of this country unless they start with + (ISO
# 3166 code: US, GB, ES, MX...), and stored in E.164 (django-phonenumber-field).
PHONENUMBER_DEFAULT_REGION = env.str("PHONE_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# "Prepare for your visit": an unsent draft expires this many days after its last change (then
# `manage.py purge` removes it); a sent form's private link shows it, read-only,
# with its visit summary, for INTAKE_SUMMARY_DAYS after sending, then says it has expired (staff
# access is unaffected). Failed private-link attempts per client address and window.
INTAKE_DRAFT_DAYS = env.int("INTAKE_DRAFT_DAYS", default=30)
# Archived forms are removed this many days after archiving by the daily cleanup (`manage.py
# purge`); empty (the default): kept until someone runs purge with --archived-older-than.
INTAKE_ARCHIVED_KEEP_DAYS = env.int("INTAKE_ARCHIVED_KEEP_DAYS", default=0) or None
INTAKE_SUMMARY_DAYS = env.int("INTAKE_SUMMARY_DAYS", default=30)
INTAKE_RESUME_MAX_FAILURES = env.int("INTAKE_RESUME_MAX_FAILURES", default=20)
# Summary PDFs (intake/pdf_limits.py): a patient's PDF is kept this long in the cache, and at
# most this many are drawn at once across all servers (keep it below the number of workers).
INTAKE_PDF_CACHE_SECONDS = env.int("INTAKE_PDF_CACHE_SECONDS", default=600)
INTAKE_PDF_AT_ONCE = env.int("INTAKE_PDF_AT_ONCE", default=2)
# Exports of more forms than this run in the background worker (intake/export_jobs.py); their
# files can be downloaded for INTAKE_EXPORT_KEEP_HOURS.
INTAKE_EXPORT_AT_ONCE = env.int("INTAKE_EXPORT_AT_ONCE", default=200)
INTAKE_EXPORT_KEEP_HOURS = env.int("INTAKE_EXPORT_KEEP_HOURS", default=24)
# One browser draws at most this many PDFs in this many seconds (kept PDFs are not drawn).
INTAKE_PDF_PER_SESSION = env.int("INTAKE_PDF_PER_SESSION", default=6)
INTAKE_PDF_SESSION_WINDOW_SECONDS = env.int("INTAKE_PDF_SESSION_WINDOW_SECONDS", default=600)
INTAKE_RESUME_WINDOW_SECONDS = env.int("INTAKE_RESUME_WINDOW_SECONDS", default=15 * 60)
# FHIR export (intake/fhir/): where our canonical URLs start, e.g. https://clinic.example.org/
# prepare/fhir. Empty: https:// + the first ALLOWED_HOSTS name + /prepare/fhir.
FHIR_CANONICAL_BASE = env.str("FHIR_CANONICAL_BASE", default="")
# Where our answer code systems' canonical URLs start: an identifier that must be the same on
# every server that ever exports (empty: the fixed default in intake/fhir/definition.py). Set it
# once, before the first export, if your organisation publishes the codes under its own domain.
FHIR_CODE_SYSTEM_BASE = env.str("FHIR_CODE_SYSTEM_BASE", default="")
# The identifier system of the clinic's patient numbers (MRN) that staff add to a form, e.g.
# https://hospital.example.org/mrn or urn:oid:... Empty: the MRN is not exported.
FHIR_MRN_SYSTEM = env.str("FHIR_MRN_SYSTEM", default="")

# --- Email and text messages (README, "Email and text messages") --------------------------------
# Email goes where EMAIL_URL says: smtp+tls://user:password@mail.example.org:587 for a provider
# (atrophy_site/email_config.py lists the schemes). In development the file backend writes each
# message to data/mail/, so a developer can open the link it carries; console mail would scroll
# away with the server's log. In production the default is Django's own, an SMTP server on this
# machine (localhost:25): a deploy that forgets EMAIL_URL fails to send, visibly, instead of
# writing patients' links to disk, and `check --deploy` says so (atrophy_site/checks.py).
_email = email_settings(
    env.email_url("EMAIL_URL", default="filemail://" if DEBUG else "smtp://localhost:25"),
    file_path=DATA_DIR / "mail",
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
# A worker never waits forever on a mail server that stopped answering.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The sender patients see, and the sender of Django's error mails to ADMINS.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Visit preparation <no-reply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Messages are written by the background worker, with no request to take the site's address
# from, so the links they carry start here (intake/messaging.py, absolute_url). Default: the
# development server, or https:// + the first real ALLOWED_HOSTS name in production.
_first_host = next((h for h in ALLOWED_HOSTS if h and not h.startswith((".", "*"))), "")
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL",
    default="http://127.0.0.1:8000" if DEBUG else (f"https://{_first_host}" if _first_host else ""),
).rstrip("/")
# Text messages: the class that sends them (intake/sms.py). The default only logs that a message
# would have gone, to a masked number; a clinic plugs its provider in with a subclass of
# intake.sms.SmsBackend.
SMS_BACKEND = env.str("SMS_BACKEND", default="intake.sms.LoggingSmsBackend")

# --- Logging ------------------------------------------------------------------------------------
# One line per event on stdout, key=value, for any log collector. Request paths are redacted of
# private tokens (see atrophy_site.logging); we never log form contents.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "atrophy_site.logging.RedactPrivateTokens"}},
    "formatters": {
        "keyvalue": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s message=%(message)s",
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "keyvalue",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # WeasyPrint (the summary PDF) notes every CSS feature it skips, hundreds per PDF for
        # Bootstrap's screen rules, and each step at INFO: keep only its errors.
        "weasyprint": {"level": "ERROR"},
    },
}
