"""Forms of the person page's contributions, gifts and codes sections, and of the contributors page."""

from __future__ import annotations

from django import forms

from people.models import Contribution, Gift


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(choices=Contribution.Kind.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(max_length=300, required=False)
    link = forms.URLField(max_length=1000, required=False, assume_scheme="https")


class GiftForm(forms.Form):
    item = forms.CharField(max_length=200)
    postal_address = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept only until the gift is shipped.",
    )


class GiftStateForm(forms.Form):
    state = forms.ChoiceField(choices=Gift.State.choices)


class ContributorsFilter(forms.Form):
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
