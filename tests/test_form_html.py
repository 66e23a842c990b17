"""advocacy.form_html writes a field's control out in Python: it must be the HTML Django's widget templates give the
same field (compared as HTML: attributes in any order), with anything typed escaped, and fall back to Django for what it
does not cover."""

import pytest
from django import forms
from django.http import QueryDict
from django.test.html import parse_html

from advocacy.form_html import field_html
from channels.tests.factories import ChannelFactory
from metrics.forms import CommunityFilterForm, KpiFilterForm

pytestmark = pytest.mark.django_db


def _same(bound) -> None:
    ours, django = parse_html(str(field_html(bound))), parse_html(str(bound))
    assert ours == django, (str(field_html(bound)), str(bound))


class _Every(forms.Form):
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "name"'}))
    count = forms.IntegerField(required=False, min_value=1)
    mail = forms.EmailField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A <b>"), ("b", "B")])
    grouped = forms.ChoiceField(required=False, choices=[("Group", [("x", "X")]), ("y", "Y")])
    note = forms.CharField(required=False, widget=forms.Textarea)


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound
        {"from": "2026-11-01", "to": "2026-11-30"},
        {"from": "not a date", "to": '"><script>alert(1)</script>', "channel": "999999"},  # errors, hostile values
        {"by": "week"},
        QueryDict("by=month&channel=1&from=2026-11-02"),  # as a request's GET: its clean copies it into lists
    ],
)
def test_the_kpi_filters_render_as_django_renders_them(data):
    ChannelFactory(name="Reddit <r/gitlab>")
    ChannelFactory(name="X & friends")
    for form in (CommunityFilterForm(data), KpiFilterForm(data)):
        if data is not None:
            form.is_valid()  # as the views do before rendering (its clean fills in the default dates)
        for bound in form:
            _same(bound)


def test_every_control_it_covers_and_those_it_leaves_to_django():
    for data in (None, {"name": '<i>"x"</i>', "count": "0", "mail": "nope", "kind": "b", "note": "a\n b"}):
        form = _Every(data)
        if data is not None:
            assert not form.is_valid()  # errors: aria-invalid on each control that has one
        for bound in form:
            _same(bound)
    assert "<script>" not in str(field_html(KpiFilterForm({"to": "<script>"})["to"]))
