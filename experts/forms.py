import re

from django import forms

from experts.models import Expert

# A channel name (#s_plan, s_plan) or a Slack channel id (C0123ABCD).
_CHANNEL = re.compile(r"^(#?[a-z0-9][a-z0-9_\-.]{0,79}|[CG][A-Z0-9]{6,20})$")


class OutreachForm(forms.Form):
    expert = forms.ModelChoiceField(queryset=Expert.objects.filter(active=True), widget=forms.HiddenInput)
    channel = forms.CharField(max_length=80, label="Slack channel")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}), max_length=4000, label="Message")

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"].strip()
        if not _CHANNEL.match(channel):
            raise forms.ValidationError("A Slack channel name such as #s_plan (lower case), or a channel id.")
        if not channel.startswith("#") and not channel[:1].isupper():
            channel = f"#{channel}"
        return channel


class OutreachDeclineForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why declined?")


class ExpertSearchForm(forms.Form):
    expert_q = forms.CharField(max_length=100, required=False, label="Find an expert")
