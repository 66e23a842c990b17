from django import forms
from django.core.exceptions import ValidationError

from channels.models import slack_destination_clean
from notifications.share import NOTE_CHARS


class ShareForm(forms.Form):
    """Share to Slack (notifications.share): a channel offered by the panel or typed when Slack could not
    list them, both checked the same way."""

    channel = forms.CharField(max_length=80, label="Slack channel")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_CHARS, required=False, label="Note"
    )

    def clean_channel(self) -> str:
        value = self.cleaned_data["channel"].strip()
        if value and not value.startswith("#") and not value[:1].isupper():
            value = f"#{value}"  # "product" means #product; C024BE91L stays an id
        channel = slack_destination_clean(value)
        if not channel:
            raise ValidationError("Choose a Slack channel.")
        return channel
