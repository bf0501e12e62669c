from typing import Any

from django.contrib.auth.models import (
    AbstractBaseUser,
    AnonymousUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.core.models import Localized


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMINISTRATOR)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer contact (no role) or a staff member (a role)."""

    class Role(models.TextChoices):
        CUSTOMER = "", _("Customer contact")
        AGENT = "agent", _("Agent")
        CONSULTANT = "consultant", _("Consultant")
        MARKETING = "marketing", _("Marketing analyst")
        DIRECTOR = "director", _("Director")
        ADMINISTRATOR = "administrator", _("Administrator")

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True, default="")
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="members", verbose_name=_("departments")
    )
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    totp_secret = models.CharField(
        _("two-factor secret"), max_length=64, blank=True, editable=False
    )
    totp_last_step = models.BigIntegerField(default=0, editable=False)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # who writes from an address, its case aside (the inbound funnel, per message)
        indexes = [
            models.Index(Lower("email"), name="accounts_user_email_lower"),
            # the staff, by name (who to assign, filter by, notify): a handful of rows among
            # every contact of every company, read without a scan of them all
            models.Index(
                fields=["name", "email"], condition=~Q(role=""), name="accounts_user_staff"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def is_agent(self) -> bool:
        """Any staff member who works tickets (every role but customer)."""
        return bool(self.role)

    @property
    def is_director(self) -> bool:
        return self.role in {self.Role.DIRECTOR, self.Role.ADMINISTRATOR}

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR or self.is_superuser

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def display_name(self) -> str:
        return self.name or self.email


# Whom a selector reads for: a signed-in person or an anonymous visitor.
Viewer = User | AnonymousUser


class Department(Localized, models.Model):
    """Where tickets land; its eligibility rules say which companies may open tickets in it."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (pt-BR)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description (pt-BR)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    guidance = models.TextField(
        _("what to include (pt-BR)"),
        blank=True,
        help_text=_(
            "Shown on the ticket form: what this department needs to solve it in one answer."
        ),
    )
    guidance_en = models.TextField(_("what to include (English)"), blank=True)
    email = models.EmailField(_("inbound e-mail address"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    min_plan = models.ForeignKey(
        "customers.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("minimum plan"),
        related_name="+",
    )
    required_addon = models.ForeignKey(
        "customers.AddOn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("required add-on"),
        related_name="+",
    )
    requires_reference = models.BooleanField(
        _("requires an earlier ticket's number"), default=False
    )
    restricted = models.BooleanField(
        _("visible to directors only"),
        default=False,
        help_text=_("Only directors and administrators see its tickets (the Ouvidoria)."),
    )
    is_fallback = models.BooleanField(
        _("receives what has no other place"),
        default=False,
        help_text=_("Mail to a department the sender may not use is routed here."),
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close answered tickets after (business days)"),
        default=5,
        help_text=_(
            "An answered ticket with no reply from the customer is closed after this many"
            " business days, with a reminder the day before; 0 never closes it."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Bumped after every commit that changes one of its tickets (tickets.actions): the
    # console's live lists compare it instead of scanning the tickets on every poll.
    tickets_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """Bearer token for the REST API; only its SHA-256 is stored. It works until
    ``expires_at``, until its owner revokes it, or until their password changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_once_per_user")
        ]

    def __str__(self) -> str:
        return str(self.user)


class AccountEvent(models.Model):
    """Something that changed how a person gets into their account: who did it (the person,
    an administrator, or nobody: a command on the server), when, and from which address.
    Shown to the person under "My account" and to administrators in the admin."""

    class Kind(models.TextChoices):
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor authentication turned on")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor authentication turned off")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by e-mail")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("account")
    )
    kind = models.CharField(_("what"), max_length=40, choices=Kind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    client_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account security event")
        verbose_name_plural = _("account security events")
        indexes = [
            models.Index(fields=["user", "-created_at"]),  # a person's own list
            models.Index(fields=["-created_at", "-id"]),  # the admin's list
            models.Index(fields=["kind", "-created_at"]),  # the admin's filter
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"
