from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """That a person's data was erased (LGPD art. 18, VI), by whom and when — and nothing of
    the erased data itself: only how many records were anonymised."""

    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(_("records anonymised"), default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.erased_at:%Y-%m-%d %H:%M}"
