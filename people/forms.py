"""The person page's forms. What they take is written by the team (notes, links) or chosen from the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from people.models import Person, PersonTag


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "notes", "region", "time_zone", "links"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4}), "links": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"time_zone": "A name such as Europe/Berlin or America/Chicago."}

    def clean_links(self) -> str:
        """One http(s) address per line: the page makes each a link."""
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                check(line)
            except forms.ValidationError:
                raise forms.ValidationError(f"{line[:80]} is not a web address (https://…).") from None
        return "\n".join(lines)


class TagForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=PersonTag.objects.all(), empty_label="Add a tag…")


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=2**63 - 1, label="Merge into person number")


class SplitForm(forms.Form):
    identities = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Identities to split off")

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = self.fields["identities"]
        assert isinstance(choices, forms.TypedMultipleChoiceField)
        choices.choices = [(i.pk, str(i)) for i in person.identities.all()]
