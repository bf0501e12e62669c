from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _


class NumberForm(forms.Form):
    """A WhatsApp number and the company's contact who writes from it."""

    contact = forms.TypedChoiceField(label=_("Contact"), coerce=int)
    number = forms.CharField(
        label=_("WhatsApp number"),
        max_length=30,
        help_text=_("With the country code, e.g. +55 11 98765-4321."),
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {c.pk: c for c in contacts}
        cast(forms.ChoiceField, self.fields["contact"]).choices = [
            (c.pk, f"{c.user.name} <{c.user.email}>" if c.user.name else c.user.email)
            for c in contacts
        ]

    def clean_contact(self):
        return self.contacts[self.cleaned_data["contact"]]
