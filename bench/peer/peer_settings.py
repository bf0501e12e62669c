"""Minimal Django project serving django-helpdesk (the peer) for bench/peer.py.

Runs in the peer's own virtualenv, never in Balcão's; the database comes from PEER_DATABASE
(a PostgreSQL database name on 127.0.0.1, user postgres). Settings are the package's documented
ones (docs/install.rst, docs/settings.rst) with teams mode off (it needs pinax-teams), e-mail
not sent (rendered, then dropped) and persistent connections, as a production deployment
of it would have, and a middleware counting each response's SQL statements.
"""

import os

SECRET_KEY = "bench-peer-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "peer_queries.count_queries",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PEER_DATABASE", "balcao_peer_helpdesk"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "America/Sao_Paulo"
SITE_ID = 1
STATIC_URL = "/static/"
MEDIA_ROOT = "/tmp/peer-media"  # attachments of the mail it files: outside the repository
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@peer.localhost"
HELPDESK_TEAMS_MODE_ENABLED = False
# Only staff in the owner lists: with the default (every user) the ticket list and ticket pages
# carry the 2,000 customers in their select boxes.
HELPDESK_STAFF_ONLY_TICKET_OWNERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
