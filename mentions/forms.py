from django import forms

from mentions.models import Macro, Ticket

# After our reply the ticket waits on the requester: pending (a follow-up reopens it) or solved.
AFTER_REPLY = [
    (Ticket.Status.PENDING, "Pending: wait for the requester"),
    (Ticket.Status.SOLVED, "Solved"),
]


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20000, label="Internal note")


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, required=False, label="Reply")
    link = forms.URLField(max_length=1000, required=False, assume_scheme="https", label="Link to the posted reply")
    status = forms.ChoiceField(choices=AFTER_REPLY, initial=Ticket.Status.SOLVED, label="Submit as")

    def clean(self):
        data = super().clean()
        if not data.get("body") and not data.get("link"):
            raise forms.ValidationError("Give the reply text or a link to the posted reply.")
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Ticket.Status.choices)


class MacroForm(forms.Form):
    macro = forms.ModelChoiceField(queryset=Macro.objects.filter(is_active=True))
    link = forms.URLField(max_length=1000, required=False, assume_scheme="https")


class ReleaseForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why release it?")


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="Choose an advocate…")

    def __init__(self, *args, **kwargs):
        from mentions.services import queue_workers

        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = queue_workers().order_by("username")


class SkipForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why skip?")


class SendReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, label="Reply")
    handle = forms.CharField(max_length=50, required=False)
    token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AFTER_REPLY, initial=Ticket.Status.SOLVED, label="Submit as")
