"""Form fields written without the template engine: Django's widgets and labels render a
template per ``<option>`` and per ``<label>`` (~0.05–0.1 ms each), what a list's filters
show on every first view. The markup is the same (tests compare)."""

from html import escape

from django import forms, template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def select(field: BoundField) -> str:
    """``{{ form.status|select }}``: a plain ``<select>`` of a bound choice field, the markup
    Django's widget gives, written here: the widget renders a template per ``<option>``
    (~0.1 ms each; the list's filters have 30). A field with anything more (an error, its
    own attributes, option groups) is left to the widget."""
    widget = field.field.widget
    plain = (
        type(widget) is forms.Select
        and not widget.attrs
        and not field.field.required
        and not field.errors
    )
    choices = list(widget.choices) if isinstance(widget, forms.Select) else []
    if not plain or any(isinstance(label, (list, tuple)) for _value, label in choices):
        return str(field)
    value = field.value()
    chosen = "" if value is None else str(value)
    options = []
    found = False
    for option, label in choices:
        option = "" if option is None else str(option)
        selected = not found and option == chosen
        found = found or selected
        options.append((option, " selected" if selected else "", label))
    written = format_html_join("", '\n  <option value="{}"{}>{}</option>\n', options)
    id_ = format_html(' id="{}"', field.auto_id) if field.auto_id else ""
    return format_html('<select name="{}"{}>{}\n</select>', field.html_name, id_, written)


# Widgets whose markup is Django's input.html alone (their own templates include it).
PLAIN_INPUTS = (
    forms.TextInput,
    forms.DateInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.CheckboxInput,
)


@register.filter
def input_tag(field: BoundField) -> SafeString | str:
    """``{{ form.q|input_tag }}``: the ``<input>`` that ``{{ form.q }}`` gives, written here:
    the widget renders two templates (~0.25 ms; the list's filters have four). Its attributes
    and value are the widget's own (``get_context``); a widget of another kind or template,
    or a localized field, is left to the widget."""
    widget = field.field.widget
    kind = type(widget)
    if kind not in PLAIN_INPUTS or widget.template_name != kind.template_name:
        return str(field)
    if field.field.localize:
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    written = f'<input type="{escape(str(context["type"]))}" name="{escape(context["name"])}"'
    if context["value"] is not None:
        written += f' value="{escape(str(context["value"]))}"'
    for name, value in context["attrs"].items():
        if value is not False:
            written += (
                f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
            )
    return mark_safe(written + ">")  # noqa: S308 (every part escaped above)


@register.filter
def label(field: BoundField) -> str:
    """``{{ form.q|label }}``: the ``<label>`` that ``{{ form.q.label_tag }}`` gives, written
    here: the form renders a template per label (~0.05 ms each; the list's filters have 11).
    A field whose label takes more (a required field's class, no id) is left to label_tag."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    target = widget.id_for_label(id_) if id_ else ""
    if not target or (field.field.required and hasattr(field.form, "required_css_class")):
        return field.label_tag()
    text = conditional_escape(field.label)
    suffix = (
        field.field.label_suffix
        if field.field.label_suffix is not None
        else field.form.label_suffix
    )
    if suffix and field.label and field.label[-1] not in _(":?.!"):
        text += conditional_escape(suffix)
    return format_html('<label for="{}">{}</label>', target, text)
