"""The admin as an administrator thinks of it: "Administração do Balcão", sections named for
the job (plans and channels, departments, hours, SLA, companies, team, e-mail, WhatsApp), every
name in the visitor's language, third-party tables that are plumbing left out."""

from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks
from django.urls import get_resolver
from django.utils.translation import gettext_lazy as _

# Each section and the models in it, in order: (app_label, ModelName).
SECTIONS = [
    (
        "plans",
        _("Plans and channels"),
        [("customers", "Plan"), ("customers", "AddOn"), ("sla", "ChannelHours")],
    ),
    ("departments", _("Departments"), [("accounts", "Department")]),
    ("hours", _("Hours and holidays"), [("sla", "BusinessCalendar")]),
    ("sla", _("SLA"), [("sla", "SlaPolicy")]),
    ("companies", _("Companies and contacts"), [("customers", "Company")]),
    ("team", _("Team"), [("accounts", "User"), ("accounts", "AccountEvent")]),
    ("meetings", _("Meetings"), [("meetings", "Host"), ("meetings", "Meeting")]),
    ("email", _("E-mail"), [("email", "Mailbox"), ("email", "InboundMail")]),
    (
        "whatsapp",
        _("WhatsApp"),
        [
            ("whatsapp", "BusinessNumber"),
            ("whatsapp", "MessageTemplate"),
            ("whatsapp", "WhatsAppIdentity"),
            ("whatsapp", "WhatsAppMessage"),
            ("whatsapp", "InboundMedia"),
            ("whatsapp", "Webhook"),
        ],
    ),
    ("help", _("Help articles"), [("kb", "Article")]),
    (
        "privacy",
        _("Personal data (LGPD)"),
        [
            ("privacy", "DataRequest"),
            ("privacy", "AccessRecord"),
            ("privacy", "Erasure"),
            ("privacy", "RetentionRun"),
        ],
    ),
]


class BalcaoAdminSite(admin.AdminSite):
    site_header = _("Balcão administration")
    site_title = _("Balcão administration")
    index_title = _("Settings")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Functions (request) → messages: what an app finds wrong in its stored settings.
        self.warning_sources = []

    def index(self, request, extra_context=None):
        warnings = [w for source in self.warning_sources for w in source(request)]
        return super().index(request, {"settings_warnings": warnings, **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        """The sections above instead of Django's apps; a section shows the models the viewer
        may see, and ``app_label`` (an app's own page) still lists that app."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {
            (app["app_label"], model["object_name"]): model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        placed = {m for _key, _name, members in SECTIONS for m in members}
        others = [("other", _("Other"), [m for m in models if m not in placed])]
        sections = []
        for key, name, members in [*SECTIONS, *others]:
            shown = [models[m] for m in members if m in models]
            if shown:
                sections.append(
                    {
                        "name": name,
                        "app_label": key,
                        "app_url": shown[0]["admin_url"],
                        "has_module_perms": True,
                        "models": shown,
                    }
                )
        return sections


class BalcaoAdminConfig(SimpleAdminConfig):
    """The admin's modules are found when the URLs are loaded (``discover``, from
    ``balcao/urls.py``), not at start-up: a process that serves no page (``balcao mail
    deliver``, started by the MTA for each message; the worker) does not import every
    admin, form and view."""

    default_site = "balcao.core.admin_site.BalcaoAdminSite"

    def ready(self):
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(_check_discovered, checks.Tags.admin)


def _check_discovered(app_configs, **kwargs):
    """The admin's own checks, on the admins found by loading the URLs."""
    get_resolver().url_patterns  # noqa: B018 - loading the URLs runs discover()
    return check_admin_app(app_configs, **kwargs)


def discover() -> None:
    admin.autodiscover()
    from django.apps import apps

    # Background tasks (the database backend's results, RQ's queues) are plumbing, watched
    # with `balcao worker`, not configured here; roles, not permission groups, say what a
    # staff member does.
    for label, name in [
        ("django_tasks_database", "DBTaskResult"),
        ("django_rq", "Dashboard"),
        ("auth", "Group"),
    ]:
        model = apps.get_model(label, name) if label in apps.app_configs else None
        if model is not None and admin.site.is_registered(model):
            admin.site.unregister(model)
