from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.core.forms import MultipleFileField
from balcao.tickets.actions import NewAttachment
from balcao.tickets.models import STAFF_ORIGINS, Origin, Priority, Status

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
    ("priority", _("Priority (most urgent first)")),
    ("relevance", _("Best match first (when searching)")),
]


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("console", "Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Words, number, requester, company or CNPJ")}
        ),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"list": "tag-options", "autocomplete": "off"}),
    )
    company = forms.CharField(
        label=_("Company"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "list": "company-options",
                "autocomplete": "off",
                "placeholder": _("Name or CNPJ"),
            }
        ),
    )
    opened_from = forms.DateField(
        label=_("Opened from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    opened_to = forms.DateField(
        label=_("Opened until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unlinked = forms.BooleanField(label=_("Unlinked only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    # Fields whose wrong value is an error shown, and lists nothing, rather than ignored.
    CHECKED = ("company", "opened_from", "opened_to")

    def __init__(self, data, *, departments, staff, find_companies):
        """``find_companies(text)``: the active companies called ``text`` (or with that CNPJ)."""
        super().__init__(data)
        self.find_companies = find_companies
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

    def clean_company(self):
        text = self.cleaned_data["company"].strip()
        if not text:
            return None
        found = self.find_companies(text)
        if not found:
            raise forms.ValidationError(
                _("No active company is called “%(name)s”: choose one of the suggestions."),
                params={"name": text},
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("More than one company is called “%(name)s”: type its CNPJ instead."),
                params={"name": text},
            )
        return found[0]

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict | None:
        """The arguments of console_tickets; None when a company or a date is wrong (the page
        says so and lists nothing). A value that is not a choice (a department the viewer
        does not see) still filters, through the selector's visibility: it finds nothing."""
        self.is_valid()
        if any(name in self.errors for name in self.CHECKED):
            return None
        value = {
            name: self.cleaned_data[name] if name in self.cleaned_data else self.data.get(name, "")
            for name in ("q", "department", "status", "assignee", "priority", "tag")
        }
        company = self.cleaned_data.get("company")
        value["company"] = company.pk if company else None
        value["opened_from"] = self.cleaned_data.get("opened_from")
        value["opened_to"] = self.cleaned_data.get("opened_to")
        value["unlinked"] = self.cleaned_data.get("unlinked", False)
        value["sort"] = self.cleaned_data.get("sort") or ("relevance" if value["q"] else "updated")
        return value


class MessageForm(forms.Form):
    """A public reply or an internal note; the button pressed says which."""

    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    canned_response = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # WhatsApp's window is closed: the reply leaves as this approved template instead.
    whatsapp_template = forms.IntegerField(required=False)

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
    PRIORITY = "priority"
    TAG = "tag"

    tickets = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], error_messages={"required": _("Choose at least one ticket.")}
    )
    operation = forms.ChoiceField(
        choices=[(ASSIGN_ME, ""), (ASSIGN, ""), (CLOSE, ""), (PRIORITY, ""), (TAG, "")],
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=Priority.choices)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)

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
        if data.get("operation") == self.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Choose a priority."))
        if data.get("operation") == self.TAG and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Write the tag to add."))
        return data


# Issue 11: priority and tags, merge, staff-opened tickets, canned replies


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
        widget=forms.TextInput(attrs={"list": "tag-options", "autocomplete": "off"}),
    )

    def tag_names(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Merge this ticket into ticket number"),
        min_value=1,
        help_text=_(
            "A duplicate of the same company: everything moves there; the customer is told."
        ),
    )


class NewTicketForm(forms.Form):
    """Staff open a ticket for a contact of the chosen company (a phone call, a meeting)."""

    requester = forms.ChoiceField(label=_("Contact"))
    channel = forms.ChoiceField(
        label=_("How the customer reached us"),
        choices=[(o.value, o.label) for o in STAFF_ORIGINS],
        initial=Origin.PHONE,
    )
    department = forms.ChoiceField(label=_("Department"))
    override_reason = forms.CharField(
        label=_("Why outside the plan"),
        required=False,
        max_length=500,
        help_text=_("Only for a department the company's plan does not include."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    as_note = forms.BooleanField(
        label=_("This is my internal note, not the customer's words"), required=False
    )
    notify_customer = forms.BooleanField(
        label=_("Tell the customer by e-mail that the ticket was opened"),
        required=False,
        initial=True,
    )

    def __init__(self, data=None, *, contacts, choices):
        super().__init__(data)
        self.contacts = {c.user.email: c.user for c in contacts}
        cast(forms.ChoiceField, self.fields["requester"]).choices = [
            (c.user.email, f"{c.user.name} <{c.user.email}>") for c in contacts
        ]
        self.departments = {c.department.slug: c.department for c in choices}
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (
                c.department.slug,
                c.department.localized("name")
                if c.available
                else f"{c.department.localized('name')} — {c.reason}",
            )
            for c in choices
        ]


class CannedResponseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Placeholders: {customer_name}, {ticket_number}, {agent_name}, {company}, {plan},"
            " {sla_due}."
        ),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    set_status = forms.ChoiceField(
        label=_("Then set the status"),
        required=False,
        choices=[
            ("", _("Leave it")),
            (Status.IN_PROGRESS, Status.IN_PROGRESS.label),
            (Status.CLOSED, Status.CLOSED.label),
        ],
    )
    assign_to_me = forms.BooleanField(label=_("Then assign the ticket to me"), required=False)
    add_tags = forms.CharField(
        label=_("Then add tags"),
        required=False,
        max_length=255,
        help_text=_("Separated by commas."),
    )

    def __init__(self, data=None, *, departments, canned=None):
        initial = None
        if canned is not None:
            initial = {
                "title": canned.title,
                "body": canned.body,
                "department": canned.department.slug if canned.department_id else "",
                "set_status": canned.set_status,
                "assign_to_me": canned.assign_to_me,
                "add_tags": canned.add_tags,
            }
        super().__init__(data, initial=initial)
        self.departments = {d.slug: d for d in departments}
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("Every department"))
        ] + [(d.slug, d.localized("name")) for d in departments]

    def chosen_department(self):
        return self.departments.get(self.cleaned_data["department"])
