"""A form field's control written out in Python, not through Django's widget templates.

Django renders each widget through its template engine (a template per widget and per option of a select: about 1 ms
a select of a few dozen options). The KPI and Community pages' filters are four or five fields on every view, whose
figures are otherwise a cached fragment: the widgets were about a third of those pages' CPU (bench/page_profile.py,
issue 73). The ticket page writes its forms out in its templates for the same reason (mentions.views.ticket).

`field_html` covers the controls those filters use (text-like inputs and a flat select) with what Django's own
rendering gives them (name, id, type, value, required, aria-invalid, the widget's attrs); any other widget, or a select
with grouped choices, is rendered by Django as before. tests/test_form_html.py compares both renderings.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECTED = SafeString(" selected")
_INPUTS = (forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.SearchInput)


def _attrs(bound: BoundField, first: dict[str, Any]) -> SafeString:
    """The control's attributes, escaped, in Django's order: `first` (type, name, value), then what Django's
    BoundField.as_widget gives the widget (its id, the widget's own attrs, required, disabled, aria-invalid and
    aria-describedby)."""
    widget = bound.field.widget
    given = bound.build_widget_attrs(
        {"id": bound.auto_id} if bound.auto_id and "id" not in widget.attrs else {}, widget
    )
    attrs: dict[str, Any] = {**first, **widget.build_attrs(widget.attrs, given)}
    parts = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        parts.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
    # Not django.forms.utils.flatatt: it sorts the attributes, and Django's own rendering (which this must equal)
    # keeps their order.
    return mark_safe("".join(parts))  # noqa: S308 - every name and value escaped above


def field_html(bound: BoundField) -> SafeString:
    """The control of `bound` as Django would render it, without its widget templates where it can."""
    widget = bound.field.widget
    value = bound.value()
    if type(widget) in _INPUTS:
        shown = widget.format_value(value)
        extra = {
            "type": widget.input_type,
            "name": bound.html_name,
            "value": shown if shown not in (None, "") else None,
        }
        return format_html("<input{}>", _attrs(bound, extra))
    if type(widget) is forms.Select:
        # Iterated, not list()-ed: list() asks a ModelChoiceIterator's length first, one COUNT query more.
        choices = [choice for choice in getattr(bound.field, "choices", widget.choices)]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return SafeString(str(bound))  # grouped choices: Django's rendering
        chosen = set(
            widget.format_value(value)
        )  # as Django's: a list's values too (a form's data copied from a QueryDict)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), SELECTED if str(v) in chosen else "", label) for v, label in choices),
        )
        return format_html("<select{}>{}</select>", _attrs(bound, {"name": bound.html_name}), options)
    return SafeString(str(bound))
