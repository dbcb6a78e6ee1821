"""Django settings for oohdesk, read from the environment (see .env.example)."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from oohdesk.env import env_bool, env_choice, env_float, env_int, env_list, env_str, read_raw

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("OOHDESK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return OOHDESK_SECRET_KEY, or a key generated once and kept in the data directory."""
    configured = read_raw("OOHDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("OOHDESK_DEBUG", False)
ALLOWED_HOSTS = env_list("OOHDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("OOHDESK_CSRF_TRUSTED_ORIGINS", [])

# Links in notifications and on the confirmation page are built from this.
OOHDESK_BASE_URL = env_str("OOHDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oohdesk.hours",
    "oohdesk.rota",
    "oohdesk.tickets",
    "oohdesk.paging",
    "oohdesk.api",
    "oohdesk.intake",
    "oohdesk.front",
    "oohdesk.configuration",
    "oohdesk.reports",
    "oohdesk.operations",
    "oohdesk.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oohdesk.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oohdesk.security.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "oohdesk.urls"
WSGI_APPLICATION = "oohdesk.wsgi.application"

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
            ],
        },
    },
]


def _databases() -> dict:
    url = read_raw("DATABASE_URL")
    if url:
        try:
            database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"DATABASE_URL is not a valid database URL ({error}); "
                "use postgres://USER@HOST:PORT/NAME or leave it unset for SQLite."
            ) from error
        return {"default": database}
    sqlite_file = DATA_DIR / "oohdesk.sqlite3"
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_file,
            # WAL lets the web server read while the engine writes. IMMEDIATE
            # takes the write lock at BEGIN, so two writers wait for each other
            # instead of failing on a lock upgrade. FULL sync makes a committed
            # ticket survive a power cut, not only a process crash.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # One file per test run, so two runs in one checkout never share a database.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }


DATABASES = _databases()


def _networks(name: str) -> list[str]:
    """Return the CIDR networks listed in ``name``, rejecting any that is not one."""
    import ipaddress

    networks = env_list(name, [])
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {network!r} is not a network; use CIDR such as 127.0.0.1/32 or 10.0.0.0/8.") from None
    return networks

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
CSRF_FAILURE_VIEW = "oohdesk.front.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email: SMTP when OOHDESK_EMAIL_HOST is set, otherwise each message is written
# as a file under the data directory so nothing is lost on a laptop.
EMAIL_HOST = env_str("OOHDESK_EMAIL_HOST", "")
EMAIL_PORT = env_int("OOHDESK_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("OOHDESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("OOHDESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OOHDESK_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("OOHDESK_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("OOHDESK_EMAIL_FROM", "oohdesk <oohdesk@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# The paging engine.
OOHDESK_ENGINE_POLL_SECONDS = env_float("OOHDESK_ENGINE_POLL_SECONDS", 0.25, minimum=0.01)
OOHDESK_ENGINE_LEASE_SECONDS = env_int("OOHDESK_ENGINE_LEASE_SECONDS", 60, minimum=5)
OOHDESK_ENGINE_WORKERS = env_int("OOHDESK_ENGINE_WORKERS", 8, minimum=1)
OOHDESK_SEND_MAX_TRIES = env_int("OOHDESK_SEND_MAX_TRIES", 3, minimum=1)
OOHDESK_SEND_RETRY_SECONDS = env_int("OOHDESK_SEND_RETRY_SECONDS", 10, minimum=1)
OOHDESK_ACK_LINK_MAX_AGE = env_int("OOHDESK_ACK_LINK_MAX_AGE", 7 * 24 * 3600, minimum=60)
# At most this many sends to one channel at once, so a hanging provider leaves workers for the others.
OOHDESK_ENGINE_CHANNEL_WORKERS = env_int(
    "OOHDESK_ENGINE_CHANNEL_WORKERS", max(1, OOHDESK_ENGINE_WORKERS // 2), minimum=1
)

# Notification providers. Every base URL is a setting so tests can point them at fakes on 127.0.0.1.
OOHDESK_PROVIDER_TIMEOUT_SECONDS = env_float("OOHDESK_PROVIDER_TIMEOUT_SECONDS", 10.0, minimum=0.1)
if OOHDESK_ENGINE_LEASE_SECONDS <= 2 * max(OOHDESK_PROVIDER_TIMEOUT_SECONDS, EMAIL_TIMEOUT):
    # A lease that ran out during a slow send would let another engine send the same attempt again.
    raise ImproperlyConfigured(
        f"OOHDESK_ENGINE_LEASE_SECONDS={OOHDESK_ENGINE_LEASE_SECONDS} must be more than twice "
        f"OOHDESK_PROVIDER_TIMEOUT_SECONDS={OOHDESK_PROVIDER_TIMEOUT_SECONDS:g} and OOHDESK_EMAIL_TIMEOUT={EMAIL_TIMEOUT}; "
        "raise the lease or lower the timeouts."
    )
OOHDESK_VERIFICATION_MAX_AGE = env_int("OOHDESK_VERIFICATION_MAX_AGE", 30 * 60, minimum=60)

OOHDESK_PUSHOVER_API_URL = env_str("OOHDESK_PUSHOVER_API_URL", "https://api.pushover.net").rstrip("/")
OOHDESK_PUSHOVER_APP_TOKEN = env_str("OOHDESK_PUSHOVER_APP_TOKEN", "")
# Pushover requires a retry of at least 30 seconds and an expiry of at most 10800 seconds (3 hours).
OOHDESK_PUSHOVER_RETRY_SECONDS = env_int("OOHDESK_PUSHOVER_RETRY_SECONDS", 60, minimum=30)
OOHDESK_PUSHOVER_EXPIRE_SECONDS = env_int("OOHDESK_PUSHOVER_EXPIRE_SECONDS", 3600, minimum=30)
if OOHDESK_PUSHOVER_EXPIRE_SECONDS > 10800:
    raise ImproperlyConfigured(
        f"OOHDESK_PUSHOVER_EXPIRE_SECONDS={OOHDESK_PUSHOVER_EXPIRE_SECONDS} is above Pushover's maximum of 10800."
    )
# Pushover allows polling a receipt at most once every 5 seconds.
OOHDESK_PUSHOVER_POLL_SECONDS = env_int("OOHDESK_PUSHOVER_POLL_SECONDS", 30, minimum=5)

OOHDESK_TWILIO_API_URL = env_str("OOHDESK_TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
OOHDESK_TWILIO_ACCOUNT_SID = env_str("OOHDESK_TWILIO_ACCOUNT_SID", "")
OOHDESK_TWILIO_AUTH_TOKEN = env_str("OOHDESK_TWILIO_AUTH_TOKEN", "")
OOHDESK_TWILIO_FROM_NUMBER = env_str("OOHDESK_TWILIO_FROM_NUMBER", "")
OOHDESK_TWILIO_RING_SECONDS = env_int("OOHDESK_TWILIO_RING_SECONDS", 30, minimum=5)

OOHDESK_NTFY_URL = env_str("OOHDESK_NTFY_URL", "https://ntfy.sh").rstrip("/")
OOHDESK_NTFY_TOKEN = env_str("OOHDESK_NTFY_TOKEN", "")

OOHDESK_WEBHOOK_ALLOWED_NETWORKS = _networks("OOHDESK_WEBHOOK_ALLOWED_NETWORKS")
OOHDESK_STATUS_LINK_MAX_AGE = env_int("OOHDESK_STATUS_LINK_MAX_AGE", 180 * 24 * 3600, minimum=3600)
OOHDESK_ENGINE_HEARTBEAT_SECONDS = env_float("OOHDESK_ENGINE_HEARTBEAT_SECONDS", 10, minimum=0.1)

# Health, metrics and the dead man's switch (see docs/operations.md).
OOHDESK_HEALTH_ENGINE_MAX_AGE = env_float("OOHDESK_HEALTH_ENGINE_MAX_AGE", 30, minimum=0.5)
OOHDESK_METRICS_TOKEN = env_str("OOHDESK_METRICS_TOKEN", "")
OOHDESK_DEADMAN_URL = env_str("OOHDESK_DEADMAN_URL", "")
OOHDESK_DEADMAN_METHOD = env_choice("OOHDESK_DEADMAN_METHOD", "GET", ["GET", "POST"])
OOHDESK_DEADMAN_TIMEOUT = env_float("OOHDESK_DEADMAN_TIMEOUT", 5, minimum=0.1)

# HTTPS, proxies and headers.
OOHDESK_HTTPS = env_bool("OOHDESK_HTTPS", False)
OOHDESK_PROXY_COUNT = env_int("OOHDESK_PROXY_COUNT", 0)
if OOHDESK_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = OOHDESK_HTTPS
# Load balancers and Prometheus often probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = OOHDESK_HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("OOHDESK_HSTS_SECONDS", 365 * 24 * 3600) if OOHDESK_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OOHDESK_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("OOHDESK_HSTS_PRELOAD", False)
# Both bind every site of the parent domain, so they are the operator's choice,
# not a fault for `check --deploy` to report.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
OOHDESK_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
OOHDESK_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# The largest request body accepted; a report's longest field is 10,000 characters.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("OOHDESK_MAX_REQUEST_BYTES", 256 * 1024, minimum=16 * 1024)

# Screening public reports (see docs/security.md).
OOHDESK_RATE_LIMIT_WINDOW_SECONDS = env_int("OOHDESK_RATE_LIMIT_WINDOW_SECONDS", 3600, minimum=1)
OOHDESK_REPORTS_PER_IP = env_int("OOHDESK_REPORTS_PER_IP", 20)
OOHDESK_UNVERIFIED_REPORTS_PER_IP = env_int("OOHDESK_UNVERIFIED_REPORTS_PER_IP", 5)
OOHDESK_REPORTS_PER_ORGANISATION = env_int("OOHDESK_REPORTS_PER_ORGANISATION", 30)
OOHDESK_CHALLENGE_MAX_NUMBER = env_int("OOHDESK_CHALLENGE_MAX_NUMBER", 50_000, minimum=1)
OOHDESK_CHALLENGE_MAX_AGE = env_int("OOHDESK_CHALLENGE_MAX_AGE", 12 * 3600, minimum=60)
OOHDESK_FALLBACK_EMAIL = env_str("OOHDESK_FALLBACK_EMAIL", "")

# Calendar feeds: how many days of past and future shifts each feed lists.
OOHDESK_CALENDAR_PAST_DAYS = env_int("OOHDESK_CALENDAR_PAST_DAYS", 60, minimum=0)
OOHDESK_CALENDAR_FUTURE_DAYS = env_int("OOHDESK_CALENDAR_FUTURE_DAYS", 180, minimum=1)

# Rules every report follows, whatever its source.
OOHDESK_DUPLICATE_WINDOW_MINUTES = env_int("OOHDESK_DUPLICATE_WINDOW_MINUTES", 60, minimum=0)
OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = env_int("OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS", 3, minimum=1)
OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION = env_int("OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION", 5, minimum=1)

# Messages to customers, by email and in their helpdesk.
OOHDESK_CUSTOMER_EMAILS = env_bool("OOHDESK_CUSTOMER_EMAILS", True)
OOHDESK_CUSTOMER_MESSAGE_MAX_TRIES = env_int("OOHDESK_CUSTOMER_MESSAGE_MAX_TRIES", 8, minimum=1)

# Intercom: the webhook's secret, and the REST API used to reply. Replies are
# off until the base URL, the token and the admin id are all set.
OOHDESK_INTERCOM_CLIENT_SECRET = env_str("OOHDESK_INTERCOM_CLIENT_SECRET", "")
OOHDESK_INTERCOM_API_BASE_URL = env_str("OOHDESK_INTERCOM_API_BASE_URL", "").rstrip("/")
OOHDESK_INTERCOM_ACCESS_TOKEN = env_str("OOHDESK_INTERCOM_ACCESS_TOKEN", "")
OOHDESK_INTERCOM_ADMIN_ID = env_str("OOHDESK_INTERCOM_ADMIN_ID", "")
OOHDESK_INTERCOM_VERSION = env_str("OOHDESK_INTERCOM_VERSION", "2.11")
OOHDESK_INTERCOM_TIMEOUT_SECONDS = env_float("OOHDESK_INTERCOM_TIMEOUT_SECONDS", 10.0, minimum=0.1)
OOHDESK_INTERCOM_TEAM = env_str("OOHDESK_INTERCOM_TEAM", "")
OOHDESK_INTERCOM_TICKET_TYPES = env_list("OOHDESK_INTERCOM_TICKET_TYPES", ["Issue Report"])
OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE = env_str("OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE", "Site down")
OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE = env_str("OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE", "Affects half of users")
OOHDESK_INTERCOM_SITE_ATTRIBUTE = env_str("OOHDESK_INTERCOM_SITE_ATTRIBUTE", "Site")
OOHDESK_INTERCOM_ORGANISATION_ATTRIBUTE = env_str("OOHDESK_INTERCOM_ORGANISATION_ATTRIBUTE", "Organisation")

# Zendesk: the webhook's signing secret and the custom fields that hold the answers.
OOHDESK_ZENDESK_SIGNING_SECRET = env_str("OOHDESK_ZENDESK_SIGNING_SECRET", "")
OOHDESK_ZENDESK_SIGNATURE_MAX_AGE_SECONDS = env_int("OOHDESK_ZENDESK_SIGNATURE_MAX_AGE_SECONDS", 900, minimum=0)
OOHDESK_ZENDESK_TEAM = env_str("OOHDESK_ZENDESK_TEAM", "")
OOHDESK_ZENDESK_SITE_DOWN_FIELD = env_str("OOHDESK_ZENDESK_SITE_DOWN_FIELD", "")
OOHDESK_ZENDESK_AFFECTS_HALF_FIELD = env_str("OOHDESK_ZENDESK_AFFECTS_HALF_FIELD", "")
OOHDESK_ZENDESK_SITE_FIELD = env_str("OOHDESK_ZENDESK_SITE_FIELD", "")

# The misuse signal: the support lead is notified when more than this many
# urgent reports from one organisation within the period are judged not genuine.
OOHDESK_MISUSE_LIMIT = env_int("OOHDESK_MISUSE_LIMIT", 2, minimum=0)
OOHDESK_MISUSE_PERIOD_DAYS = env_int("OOHDESK_MISUSE_PERIOD_DAYS", 30, minimum=1)
# Hours a drill's private report link stays open.
OOHDESK_DRILL_HOURS = env_int("OOHDESK_DRILL_HOURS", 48, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "oohdesk.operations.logs.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "oohdesk.operations.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_choice("OOHDESK_LOG_FORMAT", "plain", ["plain", "json"]),
        },
    },
    "loggers": {
        # propagate=False: waitress adds its own root handler, which would print every line twice.
        "oohdesk": {"handlers": ["console"], "level": env_str("OOHDESK_LOG_LEVEL", "INFO"), "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
