"""The Issue panel's form (ticket page and story page): file a new issue, or link an existing one by its address."""

from __future__ import annotations

from django import forms


class IssueForm(forms.Form):
    url = forms.CharField(
        label="Issue address", max_length=1000, required=False, help_text="Link an existing issue by its address."
    )
    where = forms.CharField(label="File in", max_length=300, required=False)
    title = forms.CharField(label="Title", max_length=255, required=False)
    expert = forms.CharField(label="Expert", max_length=120, required=False)
    note = forms.CharField(label="Note", max_length=2000, required=False, widget=forms.Textarea)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("url") or "").strip() and not (data.get("where") or "").strip():
            raise forms.ValidationError("Give an issue's address to link it, or choose where to file a new one.")
        return data
