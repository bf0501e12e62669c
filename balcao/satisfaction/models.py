from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOWEST, HIGHEST = 1, 5
# A score at or under this alerts the department's directors.
LOW = 2


class Rating(models.Model):
    """The customer's answer to "Como foi o atendimento?": one per ticket, changeable for a
    while after the first answer. Department and agent are the ticket's when first answered,
    kept here so that reports aggregate without joining tickets."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="satisfaction"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who answered: a signed-in contact, or None when answered by the e-mail's signed link.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=LOWEST, score__lte=HIGHEST),
                name="satisfaction_score_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["answered_at"]),
            models.Index(fields=["department", "answered_at"]),
            models.Index(fields=["agent", "answered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"
