from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

BODY_LIMIT = 10_000


class StartForm(forms.Form):
    """The subject (a department the plan allows) and the first message."""

    department = forms.ChoiceField(label=_("Subject"))
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.slug: d for d in departments}
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (d.slug, d.localized("name")) for d in departments
        ]

    def clean_department(self):
        return self.departments[self.cleaned_data["department"]]


class MessageForm(forms.Form):
    """A message without the socket: the page's plain form, posted."""

    body = forms.CharField(
        label=_("Message"), max_length=BODY_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    internal = forms.BooleanField(label=_("Internal note"), required=False)
