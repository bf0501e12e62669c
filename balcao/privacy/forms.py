from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.privacy.models import DataRequest


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the person asks"), choices=DataRequest.Kind.choices)
    email = forms.EmailField(
        label=_("The person's e-mail"),
        help_text=_("The address their data is held under: it finds their data."),
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=DataRequest.Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The legal deadline is 15 days from this day."),
    )
    details = forms.CharField(
        label=_("What was asked"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError(_("A request cannot have been received in the future."))
        return received_at


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(DataRequest.Status.DONE, _("Done")), (DataRequest.Status.REFUSED, _("Refused"))],
    )
    answer = forms.CharField(
        label=_("How it was answered"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was corrected or sent; for a refusal, the reason given to the person."),
    )


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the person's e-mail to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().lower() != self.email:
            raise forms.ValidationError(_("That is not the person's e-mail: nothing was erased."))
        return self.cleaned_data["confirm"]


class OwnRequestForm(forms.Form):
    """What a contact asks about their own data in the client area."""

    kind = forms.ChoiceField(
        label=_("What you ask"),
        choices=[
            (DataRequest.Kind.ERASURE, _("Erase my data")),
            (DataRequest.Kind.CORRECTION, _("Correct my data")),
            (DataRequest.Kind.OTHER, _("Something else about my data")),
        ],
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a correction, say what is wrong and what is right."),
    )
