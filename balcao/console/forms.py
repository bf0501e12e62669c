from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.core.forms import MultipleFileField
from balcao.tickets.actions import NewAttachment
from balcao.tickets.models import Status

ACTIVE = ",".join(s for s in Status.values if s != Status.CLOSED)

SORT_CHOICES = [
    ("updated", _("Last updated first")),
    ("-updated", _("Least recently updated first")),
    ("created", _("Newest first")),
    ("-created", _("Oldest first")),
    ("number", _("Highest number first")),
    ("-number", _("Lowest number first")),
    ("status", _("Status (what waits for us first)")),
    ("sla", _("SLA (what breaches first)")),
]


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("console", "Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, subject or requester e-mail")}
        ),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    unlinked = forms.BooleanField(label=_("Unlinked only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, departments, staff):
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("All departments"))
        ] + [(d.slug, d.localized("name")) for d in departments]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any status")),
            (ACTIVE, _("Not closed")),
            *Status.choices,
        ]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Anyone or nobody")),
            ("me", _("Me")),
            ("none", _("Nobody")),
        ] + [(u.email, u.display_name) for u in staff]

    def filters(self) -> dict:
        """The arguments of console_tickets. A value that is not a choice (a department the
        viewer does not see) still filters, through the selector's visibility: it finds nothing."""
        self.is_valid()
        value = {
            name: self.cleaned_data[name] if name in self.cleaned_data else self.data.get(name, "")
            for name in ("q", "department", "status", "assignee")
        }
        value["unlinked"] = self.cleaned_data.get("unlinked", False)
        value["sort"] = self.cleaned_data.get("sort") or "updated"
        return value


class MessageForm(forms.Form):
    """A public reply or an internal note; the button pressed says which."""

    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def new_attachments(self) -> list[NewAttachment]:
        return [
            NewAttachment(
                name=f.name,
                content_type=f.content_type or "application/octet-stream",
                content=f.read(),
            )
            for f in self.cleaned_data["attachments"]
        ]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, data=None, *, staff, viewer):
        super().__init__(data)
        self.staff = {str(u.pk): u for u in staff}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Nobody (back to the queue)"))
        ] + [
            (str(u.pk), u.display_name + (" " + str(_("(me)")) if u.pk == viewer.pk else ""))
            for u in staff
        ]
        self.fields["assignee"].required = False
        self.fields["assignee"].initial = str(viewer.pk) if str(viewer.pk) in self.staff else ""

    def assignee_user(self):
        return self.staff.get(self.cleaned_data["assignee"])


class TransferForm(forms.Form):
    department = forms.ChoiceField(label=_("Transfer to"))

    def __init__(self, data=None, *, departments, current):
        super().__init__(data)
        self.departments = {d.slug: d for d in departments if d.is_active and d.pk != current.pk}
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (slug, d.localized("name")) for slug, d in self.departments.items()
        ]

    def chosen_department(self):
        return self.departments[self.cleaned_data["department"]]


class CompanySearchForm(forms.Form):
    company_q = forms.CharField(
        label=_("Company name or CNPJ"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class LinkForm(forms.Form):
    company = forms.IntegerField(widget=forms.HiddenInput)
    authorize = forms.BooleanField(
        label=_("Also authorize the sender as a contact of this company"), required=False
    )
    consent = forms.CharField(
        label=_("Consent of the primary contact"),
        required=False,
        max_length=500,
        help_text=_("How and when the primary contact agreed, e.g. “by phone, 12/03, Marcos”."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("authorize") and not (data.get("consent") or "").strip():
            self.add_error(
                "consent",
                _(
                    "Authorizing a contact needs the primary contact's consent: say how it was given."
                ),
            )
        return data


class BulkForm(forms.Form):
    ASSIGN_ME = "assign_me"
    ASSIGN = "assign"
    CLOSE = "close"

    tickets = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], error_messages={"required": _("Choose at least one ticket.")}
    )
    operation = forms.ChoiceField(
        choices=[(ASSIGN_ME, ""), (ASSIGN, ""), (CLOSE, "")],
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, data=None, *, staff):
        super().__init__(data)
        self.staff = {u.email: u for u in staff}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", "—")] + [
            (u.email, u.display_name) for u in staff
        ]
        cast(forms.ChoiceField, self.fields["tickets"]).choices = [
            (value, value) for value in (data.getlist("tickets") if data else [])
        ]

    def clean_tickets(self):
        numbers = self.cleaned_data["tickets"]
        if len(numbers) > 100:
            raise forms.ValidationError(_("Choose at most 100 tickets at a time."))
        return numbers

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("operation") == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the tickets."))
        return data
