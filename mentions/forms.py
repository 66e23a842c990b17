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


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Ticket.Priority.choices, label="Priority")


class TagsForm(forms.Form):
    tags = forms.CharField(
        max_length=2000,
        required=False,
        label="Tags",
        help_text="Separated by spaces or commas; remove a word to remove the tag.",
    )

    def clean_tags(self) -> list[str]:
        from mentions.services.editing import tag_names_parse

        return tag_names_parse(self.cleaned_data["tags"])


class MergeForm(forms.Form):
    target = forms.IntegerField(min_value=1, max_value=2**63 - 1, label="Merge into ticket #")
    reason = forms.CharField(max_length=500, required=False, label="Why (optional)")


class BulkForm(forms.Form):
    """Managers' bulk action on the ticket list. Which field is needed depends on the action;
    the service says what is missing."""

    action = forms.ChoiceField(choices=[("", "Choose an action…")], label="Action")
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label="Choose an advocate…")
    tag = forms.CharField(max_length=64, required=False)
    priority = forms.ChoiceField(choices=[("", "Priority…"), *Ticket.Priority.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Status…"), *Ticket.Status.choices], required=False)
    next = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from mentions.services import queue_workers
        from mentions.services.bulk import Action

        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = queue_workers().order_by("username")
        self.fields["action"].choices = [("", "Choose an action…"), *Action.choices]

    def clean_tag(self) -> str:
        from mentions.services.editing import tag_names_parse

        names = tag_names_parse(self.cleaned_data["tag"])
        if len(names) > 1:
            raise forms.ValidationError("One tag at a time.")
        return names[0] if names else ""

    def value(self):
        from mentions.services.bulk import Action

        action = self.cleaned_data["action"]
        return {
            Action.ASSIGN: self.cleaned_data.get("assignee"),
            Action.ADD_TAG: self.cleaned_data.get("tag"),
            Action.REMOVE_TAG: self.cleaned_data.get("tag"),
            Action.PRIORITY: self.cleaned_data.get("priority"),
            Action.STATUS: self.cleaned_data.get("status"),
        }.get(action)
