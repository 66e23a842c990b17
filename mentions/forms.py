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


class TicketSearchForm(forms.Form):
    """The ticket list's search and filters (GET). Every field is optional; a value that does not
    parse is dropped with a message instead of failing the page."""

    q = forms.CharField(required=False, max_length=500, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Ticket.Status.choices])
    channel = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    assignee = forms.CharField(required=False, max_length=20)
    tag = forms.CharField(required=False, max_length=64)
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Ticket.Priority.choices])
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    order = forms.ChoiceField(required=False, choices=[("", "Best match / newest"), ("time_left", "Time left")])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, data, *args, **kwargs):
        data = data.copy()
        # "from"/"to" are the URL's names (Python keywords as field names would not do).
        for url_name, field_name in (("from", "date_from"), ("to", "date_to")):
            if url_name in data:
                data[field_name] = data[url_name]
        if data.get("mine") == "1" and not data.get("assignee"):
            data["assignee"] = "me"
        # Text from the address bar through the value cleaner first: a NUL is dropped and the
        # rest searched, rather than the whole search refused.
        from channels import clean

        for name in ("q", "tag"):
            if name in data:
                data[name] = clean.line(data.get(name), max_length=500)
        super().__init__(data, *args, **kwargs)

    def clean_tag(self) -> str:
        return self.cleaned_data.get("tag", "").lower()

    def clean_assignee(self) -> str:
        value = (self.cleaned_data.get("assignee") or "").strip()
        if value in ("", "none", "me") or (value.isascii() and value.isdigit() and len(value) <= 18):
            return value
        raise forms.ValidationError("Assignee: a user, “none” or “me”.")

    def valid_data(self) -> dict:
        """The fields that parsed (the others are reported in `errors` and ignored)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=80)
    query = forms.CharField(max_length=1000)

    def clean_name(self) -> str:
        from channels import clean

        name = clean.line(self.cleaned_data["name"], max_length=80)
        if not name:
            raise forms.ValidationError("Give the search a name.")
        return name

    def clean_query(self) -> str:
        """Only the ticket list's own parameters, re-encoded: nothing else rides along."""
        from django.http import QueryDict

        allowed = {"q", "status", "channel", "assignee", "tag", "priority", "from", "to", "order", "mine"}
        parsed = QueryDict(self.cleaned_data["query"])
        kept = QueryDict(mutable=True)
        for key in allowed:
            if parsed.get(key):
                kept[key] = parsed[key]
        if not kept:
            raise forms.ValidationError("Search or filter first, then save.")
        return kept.urlencode()
