from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from balcao.core.models import Localized


class Channel(models.TextChoices):
    """Ways a customer company may reach support (R13); which ones depends on its plan."""

    CHAT = "chat", _("Chat")
    WHATSAPP_COMMERCIAL = "whatsapp_commercial", _("WhatsApp Comercial")
    WHATSAPP_SUPPORT = "whatsapp_support", _("WhatsApp Suporte")
    EMAIL = "email", _("E-mail")
    MEETING_CONSULTANT = "meeting_consultant", _("Meetings with consultants")
    MEETING_MARKETING = "meeting_marketing", _("Meetings with marketing analysts")
    PHONE = "phone", _("Phone")


class Plan(Localized, models.Model):
    """A contracted plan: an ordered tier fixing the support level (R1, R3)."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), unique=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    phone_number = models.CharField(
        _("support phone number"),
        max_length=40,
        blank=True,
        help_text=_(
            "Shown on Meu plano when the plan includes the phone; its hours are the"
            " phone's channel hours."
        ),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), null=True, blank=True
    )
    meetings_per_month = models.PositiveSmallIntegerField(
        _("meetings per month"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Meetings a company may have in one calendar month; empty: no limit."),
    )
    meeting_horizon_days = models.PositiveSmallIntegerField(
        _("meetings bookable up to (days ahead)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        ordering = ["tier"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    def allows_channel(self, channel: str) -> bool:
        # A hand-edited value that is not a list of channels allows none, rather than failing.
        return isinstance(self.channels, list) and channel in self.channels


class AddOn(Localized, models.Model):
    """An optional package a company contracts on top of its plan (Pacote Expresso)."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """A customer company with one plan and optional add-ons (R1)."""

    name = models.CharField(_("name"), max_length=200)
    cnpj = models.CharField(_("CNPJ"), max_length=14, blank=True, db_index=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    addons = models.ManyToManyField(AddOn, blank=True, verbose_name=_("add-ons"))
    _addon_ids: set[int]  # cached by customers.selectors.company_addon_ids
    is_active = models.BooleanField(_("active"), default=True)
    # The contract's own targets (R15, "vide contrato"): each one set overrides the plan's and
    # the department's for this company's tickets; empty, those count.
    contract_first_response_minutes = models.PositiveIntegerField(
        _("first response by contract (business minutes)"), null=True, blank=True
    )
    contract_next_response_minutes = models.PositiveIntegerField(
        _("next response by contract (business minutes)"), null=True, blank=True
    )
    contract_resolution_minutes = models.PositiveIntegerField(
        _("resolution by contract (business minutes)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def cnpj_display(self) -> str:
        """The CNPJ as people write it: 11.222.333/0001-81."""
        c = self.cnpj
        if len(c) != 14:
            return c
        return f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}"


class Contact(models.Model):
    """A person who may talk to support for a company: its primary or an authorized contact (R2)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact"
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The invitation to set a password (authorized contacts without one): when it was last
    # sent, and when they accepted it (set their password by its link).
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("invitation accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "user__email"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_primary=True), name="one_primary_contact"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)
