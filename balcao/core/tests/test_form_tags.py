"""The lists' filters written without the template engine (core.templatetags.form_tags):
the markup Django's widgets and labels give, in the console and in the client area."""

import pytest
from django.http import QueryDict
from django.utils import translation

from balcao.accounts.models import Department
from balcao.console.forms import TicketFilterForm
from balcao.core.templatetags.form_tags import input_tag, label, select
from balcao.portal.forms import TicketFilterForm as PortalFilterForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data", ["", "department=suporte&status=open&assignee=none&sort=sla", "status=nonsense"]
)
def test_the_console_filters_selects_are_the_widgets(data, admin_user):
    form = TicketFilterForm(
        QueryDict(data), departments=[], staff=[admin_user], find_companies=lambda text: []
    )
    form.is_valid()
    for name in ("department", "status", "assignee", "priority", "sort"):
        assert select(form[name]) == str(form[name])
    assert ("selected" in select(form["status"])) == ("nonsense" not in data)


@pytest.mark.parametrize("language", ["pt-br", "en"])
@pytest.mark.parametrize(
    "data",
    [
        "",
        'q=<b>"boleto" %26 já</b>&opened_from=2026-03-01&opened_to=2026-03-31&unlinked=on',
        "opened_from=ontem&unlinked=",
    ],
)
def test_the_console_filters_inputs_are_the_widgets(language, data, admin_user):
    form = TicketFilterForm(
        QueryDict(data, encoding="utf-8"),
        departments=[],
        staff=[admin_user],
        find_companies=lambda text: [],
    )
    form.is_valid()
    form.fields["tag"].required = True  # a required field's attribute, as the widget writes it
    with translation.override(language):
        for name in ("q", "tag", "opened_from", "opened_to", "unlinked"):
            assert input_tag(form[name]) == str(form[name]), name
    written = input_tag(form["q"])
    assert ("&lt;b&gt;&quot;boleto&quot; &amp; já" in written) == ("boleto" in data)
    assert ("checked" in input_tag(form["unlinked"])) == ("unlinked=on" in data)


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_console_filters_labels_are_the_label_tags(language, admin_user):
    form = TicketFilterForm(
        QueryDict("company=nobody&opened_from=x"),
        departments=[],
        staff=[admin_user],
        find_companies=lambda text: [],
    )
    form.fields["q"].label = "Busca <já>"  # escaped, as label_tag escapes it
    form.fields["tag"].label = "Etiqueta?"  # ends in punctuation: no suffix
    form.fields["status"].required = True  # a required field's label is label_tag's
    form.required_css_class = "required"
    form.is_valid()
    with translation.override(language):
        for field in form:
            assert label(field) == field.label_tag()
    assert "Busca &lt;já&gt;:" in label(form["q"]) and "Etiqueta?<" in label(form["tag"])


@pytest.mark.parametrize("language", ["pt-br", "en"])
@pytest.mark.parametrize("data", ["", "status=open&department=suporte&q=boleto", "status=x"])
def test_the_client_areas_filters_are_the_widgets_and_label_tags(language, data):
    form = PortalFilterForm(QueryDict(data), departments=list(Department.objects.all()))
    form.is_valid()
    with translation.override(language):
        for name in ("status", "department"):
            assert select(form[name]) == str(form[name])
        for field in form:
            assert label(field) == field.label_tag()
