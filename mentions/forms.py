from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from channels import clean
from mentions.date_range import DATE_RANGE_ERROR, date_in_range
from mentions.models import Intent, Judgement, Macro, Sentiment, Ticket
from mentions.narrowing import product_clean, product_narrowing
from mentions.search.text import JUDGEMENT_MORE
from mentions.search.tickets import TicketQuery

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
        super().clean()
        data = self.cleaned_data
        if not data.get("body") and not data.get("link"):
            raise forms.ValidationError("Give the reply text or a link to the posted reply.")
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Ticket.Status.choices)


SNOOZE_CHOICES = [
    ("later", "Later today (+3 h)"),
    ("tomorrow", "Tomorrow 9:00"),
    ("monday", "Monday 9:00"),
    ("custom", "At the time below"),
    ("reply", "Until they answer"),
    ("off", "Unsnooze now"),
]


class SnoozeForm(forms.Form):
    """The ticket page's Snooze menu (mentions.services.snooze): a preset in the advocate's time zone, or a time
    of theirs (`custom`, read in their zone by the view)."""

    preset = forms.ChoiceField(choices=SNOOZE_CHOICES, label="Snooze")
    custom = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"], label="Until (your time)")
    remind_slack = forms.BooleanField(required=False, label="Remind me in Slack")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("preset") == "custom" and not data.get("custom"):
            self.add_error("custom", "Give the day and time it should come back.")
        return data


class HandOverForm(forms.Form):
    """The ticket page's "Hand over" menu (mentions.services.handover): to whom, until when (the giver's wall
    clock, read in their time zone by the view)."""

    receiver = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True), label="Hand over to", empty_label="Choose…"
    )
    until = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"], label="To watch until (your time)")


class MacroForm(forms.Form):
    """The macro picker: its controls and its Apply button belong to the composer's form (mentions/_composer.html),
    so the reply box's text comes too (`body`: what the advocate typed and did not save; a prefill goes after
    it). `macro_link` is not `link`: the composer that records a reply made on the platform has a `link` of
    its own."""

    macro = forms.ModelChoiceField(queryset=Macro.objects.filter(is_active=True))
    macro_link = forms.URLField(max_length=1000, required=False, assume_scheme="https", label="Link")
    # The expert the advocate asked, for a macro that records an outreach (experts checks it is one).
    expert = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    body = forms.CharField(required=False, strip=False, max_length=40000, label="Reply")


class DraftInsertForm(forms.Form):
    """A side panel's Insert button without JavaScript (the Answers panel, a story's answer): it posts the
    composer's form to the panel's address, so what the reply box holds comes along and the text goes after it."""

    body = forms.CharField(required=False, strip=False, max_length=40000, label="Reply")


class ReleaseForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why release it?")


class ReassignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Assign to", empty_label="Choose an advocate…"
    )

    def __init__(self, *args, **kwargs):
        from mentions.services import queue_workers

        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # declared above; `fields` holds a copy of it
        assignee.queryset = queue_workers().order_by("username")


class SkipForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why skip?")


class SendReplyForm(forms.Form):
    # The platform's own limit (X's 280 weighted characters, a Stack Exchange comment's 600) is
    # checked by the send service, which knows the platform; this bounds what the desk accepts.
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=40000, label="Reply")
    handle = forms.CharField(max_length=100, required=False)
    token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AFTER_REPLY, initial=Ticket.Status.SOLVED, label="Submit as")
    style = forms.CharField(max_length=16, required=False)  # Stack Exchange: comment or answer
    # One image where the platform takes them (its reply rule's media); the send service checks what it is by its bytes,
    # its size and type against the platform, and that it is described (mentions.services.reply_images).
    image = forms.FileField(required=False, label="Image")
    image_alt = forms.CharField(max_length=1500, required=False, label="Image description")

    def clean_image(self) -> object:
        from mentions.services.reply_images import DESK_MAX_BYTES

        image = self.cleaned_data.get("image")
        if image is not None and image.size > DESK_MAX_BYTES:  # not read into memory at all
            raise forms.ValidationError(f"The image is over {DESK_MAX_BYTES // 1024 // 1024} MiB.")
        return image

    def images(self) -> list:
        """The image posted with its description, as the send service takes it (empty: none)."""
        from mentions.services.reply_images import ImageGiven

        image = self.cleaned_data.get("image")
        if image is None:
            return []
        return [ImageGiven(data=image.read(), alt=self.cleaned_data.get("image_alt") or "")]


class ApprovalForm(forms.Form):
    """An advocate's decision on a reply waiting for approval (mentions.services.approvals)."""

    APPROVE, EDIT, REJECT = "approve", "edit", "reject"

    approval = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(APPROVE, "Approve and send"), (EDIT, "Edit"), (REJECT, "Reject")])
    reason = forms.CharField(max_length=2000, required=False, label="Reason")


class JudgementForm(forms.Form):
    """An advocate's correction of the desk's judgement (mentions.services.judgement.judgement_correct)."""

    judgement = forms.ChoiceField(choices=Judgement.choices, label="Judgement")


class MessageForm(forms.Form):
    """Like a mention on its platform, or repost (boost) it to our followers
    (mentions.services.platform_actions.message_like, message_repost)."""

    message = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DirectMessageForm(forms.Form):
    """Send a mention's author a direct message (mentions.services.direct_messages); `key`: this press's, so a
    second click sends once. The platform's limit is checked by the service, which knows it."""

    message = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(label="Direct message", max_length=40_000, strip=True)
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class ReplyDeleteForm(forms.Form):
    """Delete one of our posts from its platform, said yes to first (platform_actions.reply_delete)."""

    message = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    confirm = forms.BooleanField(label="Yes, delete it from the platform", required=False)


class NotNoiseForm(forms.Form):
    """ "Not noise?" on a ticket a rule solved as noise: what the mention is instead (one button each)."""

    judgement = forms.ChoiceField(
        choices=[(value, label) for value, label in Judgement.choices if value != Judgement.NOISE], label="It is"
    )


class CommunityCloseForm(forms.Form):
    """ "Close: answered by the community": one click, nothing to fill in (the page's `seen` version only)."""


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Ticket.Priority.choices, label="Priority")


class ProductForm(forms.Form):
    """Move the ticket to another of the desk's products (shown only when there are several: mentions.products)."""

    product = forms.IntegerField(min_value=1, label="Product")


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
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Choose an advocate…"
    )
    tag = forms.CharField(max_length=64, required=False)
    priority = forms.ChoiceField(choices=[("", "Priority…"), *Ticket.Priority.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Status…"), *Ticket.Status.choices], required=False)
    next = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from mentions.services import queue_workers
        from mentions.services.bulk import Action

        super().__init__(*args, **kwargs)
        assignee, action = self.fields["assignee"], self.fields["action"]
        # Declared above; `fields` holds copies of them.
        assert isinstance(assignee, forms.ModelChoiceField) and isinstance(action, forms.ChoiceField)
        assignee.queryset = queue_workers().order_by("username")
        action.choices = [("", "Choose an action…"), *Action.choices]

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


class TicketFilterForm(forms.Form):
    """The ticket list's parameters (the contract's names). A value that does not parse is
    dropped and said on the page; the rest of the filters still apply."""

    PARAMS = (
        *("q", "status", "channel", "assignee", "tag", "priority"),
        *("judgement", "intent", "sentiment", "from", "to", "order", "product"),
    )
    ASSIGNEE_ME = "me"

    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *Ticket.Status.choices], required=False)
    channel = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    assignee = forms.CharField(required=False, max_length=20)
    tag = forms.CharField(required=False, max_length=64)
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Ticket.Priority.choices], required=False)
    # The desk's judgement (mentions.models.judgement); "none": not judged yet.
    judgement = forms.ChoiceField(choices=[("", "Any judgement"), *Judgement.choices, *JUDGEMENT_MORE], required=False)
    intent = forms.ChoiceField(choices=[("", "Any intent"), *Intent.choices], required=False)
    sentiment = forms.ChoiceField(choices=[("", "Any sentiment"), *Sentiment.choices], required=False)
    order = forms.ChoiceField(
        choices=[("", "Best match / newest"), ("newest", "Newest first"), ("time_left", "Time left to first reply")],
        required=False,
    )
    product = forms.CharField(required=False, max_length=50)  # a slug or an id (issue 71; mentions.narrowing)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)
    mine = forms.CharField(required=False)  # the old "Mine" box: assignee=me

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # Cleaned before the fields see them: CharField refuses a NUL outright, and a
            # search with one in it should still search the rest.
            data = data.copy()
            data["q"] = clean.line(data.get("q", ""), max_length=200)
            data["tag"] = clean.line(data.get("tag", ""), max_length=64).lstrip("#").lower()
        super().__init__(data, *args, **kwargs)
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = forms.DateField(required=False, label="From", input_formats=["%Y-%m-%d"])
        self.fields["to"] = forms.DateField(required=False, label="To", input_formats=["%Y-%m-%d"])

    def clean_product(self) -> str:
        return product_clean(self.cleaned_data["product"])

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip().lower()
        if value in ("", "none", self.ASSIGNEE_ME) or (value.isascii() and value.isdigit() and len(value) < 19):
            return value
        raise forms.ValidationError('A user id, "none" (unassigned) or "me".')

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name in ("from", "to"):
            if not date_in_range(data.get(name)):
                self.add_error(name, DATE_RANGE_ERROR)
                data.pop(name, None)
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The end date is before the start date.")
        return data

    def _value(self, name: str):
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    def ticket_query(self, *, user) -> TicketQuery:
        self.is_valid()
        assignee = self._value("assignee") or ""
        if self._value("mine") == "1" and not assignee:
            assignee = self.ASSIGNEE_ME
        return TicketQuery(
            q=self._value("q") or "",
            status=self._value("status") or "",
            channel_id=self._value("channel"),
            assignee_id=user.pk if assignee == self.ASSIGNEE_ME else (int(assignee) if assignee.isdigit() else None),
            unassigned=assignee == "none",
            tag=self._value("tag") or "",
            priority=self._value("priority") or "",
            judgement=self._value("judgement") or "",
            intent=self._value("intent") or "",
            sentiment=self._value("sentiment") or "",
            date_from=self._value("from"),
            date_to=self._value("to") if "to" not in self.errors else None,
            order=self._value("order") or "",
            product_id=product_narrowing(self._value("product")),
            page=self._value("page") or 1,
        )

    def query_string(self) -> str:
        """The valid parameters as a query string (no page): links, the pager, saved searches."""
        self.is_valid()
        pairs = []
        for name in self.PARAMS:
            value = self._value(name)
            if name == "assignee" and not value and self._value("mine") == "1":
                value = self.ASSIGNEE_ME
            if value not in (None, ""):
                pairs.append((name, value.isoformat() if hasattr(value, "isoformat") else str(value)))
        return urlencode(pairs)


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name this search")
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def clean_name(self) -> str:
        name = clean.line(self.cleaned_data["name"], max_length=100)
        if not name:
            raise forms.ValidationError("Give the search a name.")
        return name

    def clean_query(self) -> str:
        # Only the list's own parameters are kept, through the same validation as the list.
        return TicketFilterForm(QueryDict(self.cleaned_data["query"])).query_string()
