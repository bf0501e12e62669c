"""Balcão settings: one module, configured by environment variables.

With nothing set it is the embedded default: SQLite under ``var/`` of the checkout
(or ``$BALCAO_HOME``), tasks in the same database, channels in memory.
"""

import os
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
BALCAO_HOME = Path(os.environ.get("BALCAO_HOME") or BASE_DIR.parent / "var")
(BALCAO_HOME / "static").mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Public, in this file: fine for `make run`; `balcao check --deploy` fails while it is in use.
DEVELOPMENT_SECRET_KEY = "insecure-embedded-default-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Ours first: where a msgid is shared ("Log in"), our catalogues' wording wins over Django's.
    "balcao.core",
    "balcao.accounts",
    "balcao.customers",
    "balcao.tickets",
    "balcao.events",
    "balcao.sla",
    "balcao.notifications",
    "balcao.satisfaction",
    "balcao.kb",
    "balcao.meetings",
    "balcao.privacy",
    "balcao.search",
    "balcao.reports",
    "balcao.connectors.email",
    "balcao.connectors.webchat",
    "balcao.connectors.whatsapp",
    "balcao.portal",
    "balcao.console",
    "balcao.api",
    "balcao.core.admin_site.BalcaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "balcao.core.middleware.ContentSecurityPolicyMiddleware",
    "balcao.core.middleware.RefuseUnstorableQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "balcao.core.middleware.ViewerTimezoneMiddleware",
    "balcao.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "balcao.urls"
ASGI_APPLICATION = "balcao.asgi.application"
WSGI_APPLICATION = None

# The API docs from django-ninja's own template and static files, no CDN (api/views.py
# OwnSwagger). Not an installed app: that would import the package in every process,
# a third of `balcao mail deliver`'s start-up.
NINJA_DIR = Path(str(getattr(find_spec("ninja"), "origin", ""))).parent

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded SQLite shared by web server, worker and MTA commands.
# Connections are not kept per thread (CONN_MAX_AGE 0): under ASGI every request runs in a
# thread of its own, so a kept connection would be one more per request (Django's docs: use
# the backend's pool). The web server (DB_POOL, set by `balcao serve` and balcao/asgi.py) takes
# PostgreSQL connections from psycopg's pool (DB_POOL_MAX per process) instead of opening one
# per request; one-shot commands (mail deliver) open one as before. The worker (DB_KEPT, set by
# `balcao worker`) runs its jobs one after another in its own process: it keeps its connection
# between jobs, checked before a job uses it (never a pool, whose threads the scheduler process
# RQ forks from it would not have).
# SQLite opens a file, which costs ~0.1 ms.
SQLITE_PATH = BALCAO_HOME / "balcao.sqlite3"
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: every query here is a short one, and PostgreSQL compiles any whose
    # estimated cost passes jit_above_cost — the console home's SLA counts did once the
    # departments' rows (updated on every change) were estimated at 88 instead of 7: 25 ms of
    # compiling for 0.8 ms of work (issue 17). Through PgBouncer, which drops this startup
    # option, set it on the database instead (deploy/balcao.env.example).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL"):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        "timeout": 10,  # waiting for a free connection longer than this is a 503 page
        # psycopg's pool retries a failed connection with a doubling delay (1, 2, 4, 8 s…) for
        # reconnect_timeout, and no request starts a new attempt meanwhile: after an outage of
        # half a minute the pages stayed 503 up to 16 s more once the database was back. Giving
        # up after 5 s lets the next request try at once (the delay is at most 2 s).
        "reconnect_timeout": 5,
    }
elif env_bool("DB_KEPT"):
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BALCAO_HOME / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["balcao.accounts.backends.AccountBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
# API tokens expire this many days after they are issued.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
# Administrators must set up a second factor (TOTP) before they get in.
ADMIN_2FA_REQUIRED = env_bool("ADMIN_2FA_REQUIRED", False)
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: the client's
# address is then the rightmost hop that is not one of them (core/clients.py). Empty: the
# connection's own address, whatever the headers say.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

REDIS_URL = os.environ.get("REDIS_URL", "")

# Background work: the Django Tasks API; the backend is configuration.
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Who is told of a ticket's event (their console rows, the live push, the e-mails) is worked
# out after commit by one task where a worker's push reaches every open page (the queue and
# the channel layer on Redis); on the embedded default in the process that acted, whose
# in-memory channel layer is the only one its pages listen to.
NOTIFY_BY_TASK = bool(REDIS_URL)
# A worker silent this long, or a task waiting this long, means mail is not going out
# (`/health` answers 503, the console warns staff); a stale worker's claimed tasks are retaken.
WORKER_STALE_SECONDS = int(os.environ.get("WORKER_STALE_SECONDS", "300"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "balcao.core.cache.KeptClientRedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions stay rows in the database, read through Redis: a signed-in request reads no row
    # (one query fewer). A logout or a new password ends them in every process at once: the
    # cached copy is deleted with the row, and the user's row is read on every request anyway.
    # Not on the embedded cache: a table of the same database, it would cost the same query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # The API's bearer tokens likewise: the user and their live tokens are read from Redis,
    # deleted there by every change to either (accounts/selectors.py api_token).
    API_TOKENS_KEPT = True
else:
    API_TOKENS_KEPT = False
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # A table in the database (made by core's migrations), shared by every process: login
    # throttles count once for the whole installation, never per process. Room enough that a
    # flood of guesses cannot cull the counters it is held back by.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "balcao_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# E-mail: EMAIL_URL (smtp://user:pass@host:port, smtp+tls://, smtp+ssl://) or console output.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtp+ssl"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "atendimento@balcao.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 30
# Largest inbound message, for `mail deliver` and LMTP alike (an MTA's message_size_limit).
MAIL_MAX_BYTES = int(os.environ.get("MAIL_MAX_BYTES", str(50 * 1024 * 1024)))
# Where `balcao mail lmtp` listens (host:port, or a unix socket's path) and where `balcao mail
# deliver` hands each message to it without booting Django (balcao/cli.py reads the variable).
MAIL_LMTP = os.environ.get("MAIL_LMTP", "")
# Sender trust: the authserv-id our receiving MTA writes in Authentication-Results (empty:
# every such header is ignored) and whether a message must pass DMARC to be linked.
MAIL_AUTHSERV_ID = os.environ.get("MAIL_AUTHSERV_ID", "")
MAIL_REQUIRE_DMARC = env_bool("MAIL_REQUIRE_DMARC", False)

# WhatsApp Business Cloud API (Meta): the app secret signs webhooks, the verify token answers
# Meta's subscription check, the access token sends replies and downloads media.
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN", "")
_graph = os.environ.get("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
WHATSAPP_API_URL = _graph.rstrip("/")

# After the answer: how long the closing e-mail's satisfaction links work (days), and after
# how many minutes a chat the contact left while waiting for an answer is closed.
SATISFACTION_LINK_DAYS = int(os.environ.get("SATISFACTION_LINK_DAYS", "30"))
CHAT_ABANDON_MINUTES = int(os.environ.get("CHAT_ABANDON_MINUTES", "30"))
# How long the invitation of a newly authorized contact (choose your password) works, in days.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))

# Languages and time: pt-BR first, English too; stored in UTC, shown in Brasília time.
LANGUAGE_CODE = os.environ.get("LANGUAGE", "pt-br").lower()
LANGUAGES = [("pt-br", _("Português (Brasil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Sao_Paulo")

STATIC_URL = "static/"
STATIC_ROOT = BALCAO_HOME / "static"
STATICFILES_DIRS = [NINJA_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BALCAO_HOME / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Attachments: size and type limits for what customers and agents upload.
# The retention policy (balcao/privacy/retention.py): after how many years since a ticket was
# closed its raw e-mails and its attachments' files are purged. Empty or 0: kept for ever.
# Read defensively: a value that is not a whole number of years from 1 to 100 purges nothing
# (a system check and the log say so).
RETENTION_RAW_EMAIL_YEARS = os.environ.get("RETENTION_RAW_EMAIL_YEARS", "")
RETENTION_ATTACHMENT_YEARS = os.environ.get("RETENTION_ATTACHMENT_YEARS", "")

ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "balcao.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# `balcao serve` writes a line per request (uvicorn's access log, ~0.03 ms of CPU each); off
# where the proxy in front logs the requests instead.
ACCESS_LOG = env_bool("ACCESS_LOG", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
