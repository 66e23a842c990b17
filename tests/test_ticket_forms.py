"""The ticket page writes its forms' fields out by hand (mentions/views/ticket.py: ticket_page_context says
why). These tests keep each written-out field in step with the form class that validates the
post: the same names, lengths, required flags and choices, so the browser refuses what the server
would refuse and offers only what it accepts; and a form sent back with errors keeps what was typed."""

from html.parser import HTMLParser

import pytest
from django import forms as django_forms
from django.urls import resolve

from channels.tests.factories import ChannelFactory
from mentions.forms import (
    MacroForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReassignForm,
    ReleaseForm,
    ReplyForm,
    SendReplyForm,
    SkipForm,
    SnoozeForm,
    StatusForm,
    TagsForm,
)
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory, ViewFactory
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db

# The path each form posts to, and the form class its view validates with. The macro form's
# macro list is the active macros (tested in test_macros_cache); its link is checked here.
FORMS = {
    "send": SendReplyForm,
    "reply": ReplyForm,
    "status": StatusForm,
    "priority": PriorityForm,
    "tags": TagsForm,
    "note": NoteForm,
    "release": ReleaseForm,
    "assign": ReassignForm,
    "merge": MergeForm,
    "skip": SkipForm,
    "snooze": SnoozeForm,
}
# Fields of the page's own, not the form's: the version the author saw and the CSRF token.
PAGE_ONLY = {"seen", "csrfmiddlewaretoken"}
# The composer's form is posted by its own button (send) and by the macro picker's Apply (its formaction): each
# view reads its own fields of the one form and leaves the other's, so the macro carries the reply box's text.
COMPOSER = {"send": MacroForm}


class _Forms(HTMLParser):
    """{action's last path segment: {field name: (tag, attributes, [option values])}}. A field outside
    its form that names it (form="id", as the composer's row does) counts as the form's; a button that
    posts a form elsewhere (formaction, the macro picker's Apply) posts that form's fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, tuple[str, dict, list]]] = {}
        self.actions: dict[str, str] = {}
        self._form: dict | None = None
        self._select: list | None = None
        self._by_id: dict[str, dict] = {}

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "form" and attrs.get("method") == "post" and (action := attrs.get("action")):
            key = action.rstrip("/").rsplit("/", 1)[-1]
            self.actions[key] = action
            self._form = self.forms.setdefault(key, {})
            if attrs.get("id"):
                self._by_id[str(attrs["id"])] = self._form
        elif tag in ("input", "textarea", "select") and "name" in attrs and (self._form is not None or "form" in attrs):
            form = self._by_id[str(attrs["form"])] if "form" in attrs else self._form
            assert form is not None
            options: list = []
            form[attrs["name"]] = (tag, attrs, options)
            if tag == "select":
                self._select = options
        elif tag == "option" and self._select is not None:
            self._select.append(attrs.get("value"))
        elif tag == "button" and (action := attrs.get("formaction")) and "form" in attrs:
            key = action.rstrip("/").rsplit("/", 1)[-1]
            self.actions[key] = action
            self.forms[key] = self._by_id[str(attrs["form"])]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _page_forms(html: str, *, actions: bool = False) -> dict:
    parser = _Forms()
    parser.feed(html)
    return parser.actions if actions else parser.forms


@pytest.fixture
def full_page(client):
    """A ticket page with every form on it: a manager playing a view that allows skipping, on a
    ticket assigned to them, from a channel that can send replies (X)."""
    manager = ManagerFactory()
    channel = ChannelFactory(
        kind="twitter",
        config={"handles": [{"username": "GitLab", "user_id": "1", "role": "main"}]},
    )
    view = ViewFactory(allow_skip=True)
    ticket = TicketFactory(channel=channel, assignee=manager, served_to=manager, served_view=view)
    MessageFactory(ticket=ticket, channel=channel, kind=Message.Kind.INBOUND, external_id="1860000000000000001")
    client.force_login(manager)
    response = client.get(ticket.get_absolute_url(), {"panels": "inline"})  # the whole page, panels and all
    assert response.status_code == 200
    html = response.content.decode()
    for key, action in _page_forms(html, actions=True).items():  # each form posts to its own view
        if key not in FORMS:
            continue
        match = resolve(action)
        assert match.url_name == f"ticket-{key}" and match.kwargs["pk"] == ticket.pk, action
    return ticket, _page_forms(html)


def test_every_form_is_on_the_page_with_exactly_its_fields(full_page):
    _ticket, page = full_page
    for key, form_class in FORMS.items():
        assert key in page, f"the {key} form is missing from the page"
        shared = set(COMPOSER[key].base_fields) if key in COMPOSER else set()
        if "expert" not in page[key]:  # offered only while a macro records an outreach and experts exist
            shared.discard("expert")
        assert set(page[key]) - PAGE_ONLY == set(form_class.base_fields) | shared, key


def test_the_macro_picker_posts_the_composers_form_with_its_own_fields(full_page):
    _ticket, page = full_page
    assert page["macro"] is page["send"]  # one form: Apply sends what the reply box holds, with the macro
    assert set(MacroForm.base_fields) - {"expert"} <= set(page["macro"])  # the expert: see above
    _tag, link, _ = page["macro"]["macro_link"]
    assert (link.get("type"), link.get("maxlength"), "required" in link) == ("url", "1000", False)
    tag, macro, options = page["macro"]["macro"]
    # Not required in the page: the same form sends the reply, which needs no macro (the server asks for one).
    assert tag == "select" and "required" not in macro and options[0] == ""
    _tag, body, _ = page["macro"]["body"]
    body_field = MacroForm.base_fields["body"]
    assert isinstance(body_field, django_forms.CharField) and body.get("maxlength") == str(body_field.max_length)


@pytest.mark.parametrize("key", FORMS)
def test_each_field_is_limited_and_required_as_its_form_says(full_page, key):
    _ticket, page = full_page
    form_class = FORMS[key]
    for name, field in form_class.base_fields.items():
        tag, attrs, options = page[key][name]
        where = f"{key}.{name}"
        if attrs.get("type") != "hidden":
            assert ("required" in attrs) == field.required, where
        max_length = getattr(field, "max_length", None)
        if max_length and tag != "select" and attrs.get("type") != "hidden":
            assert attrs.get("maxlength") == str(max_length), where
        if isinstance(field, django_forms.URLField):
            assert attrs.get("type") == "url", where
        if isinstance(field, django_forms.IntegerField):
            assert (attrs.get("type"), attrs.get("min"), attrs.get("max")) == (
                "number",
                str(field.min_value),
                str(field.max_value),
            ), where
        if isinstance(field, django_forms.ModelChoiceField):
            assert tag == "select" and options[0] == "", where
            reassign = ReassignForm().fields[name]
            assert isinstance(reassign, django_forms.ModelChoiceField) and reassign.queryset is not None
            assert set(options[1:]) == {str(pk) for pk in reassign.queryset.values_list("pk", flat=True)}
        elif isinstance(field, django_forms.ChoiceField):
            assert tag == "select", where
            assert isinstance(field.choices, list)  # the form's fixed choices, as Django keeps them
            assert options == [str(value) for value, _label in field.choices], where


def test_the_current_values_are_selected(full_page, client):
    ticket, _page = full_page
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.PENDING, priority=Ticket.Priority.HIGH)
    html = client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert '<option value="pending" selected>' in html
    assert '<option value="high" selected>' in html


def test_a_form_with_errors_keeps_what_was_typed_and_says_what_is_wrong(client):
    advocate = AdvocateFactory()
    ticket = TicketFactory(assignee=advocate)
    client.force_login(advocate)
    url = ticket.get_absolute_url()
    typed = "Thanks <b>Dana</b>, we are on it"
    response = client.post(f"{url}reply/", {"body": typed, "link": "not a url", "status": "pending", "seen": "0"})
    html = refused_page(client, response, ticket, "reply")
    assert "Enter a valid URL." in result_slot(html, "reply")
    assert "Thanks &lt;b&gt;Dana&lt;/b&gt;, we are on it</textarea>" in html
    reply = _page_forms(html)["reply"]
    assert reply["link"][1]["value"] == "not a url"
    assert '<option value="pending" selected>' in html

    response = client.post(f"{url}merge/", {"target": "0", "reason": "same thread", "seen": "0"})
    html = refused_page(client, response, ticket, "merge")
    assert "Ensure this value is greater than or equal to 1." in result_slot(html, "merge")
    merge = _page_forms(html)["merge"]
    assert merge["reason"][1]["value"] == "same thread" and merge["target"][1]["value"] == "0"


def test_an_advocate_gets_no_reassign_form_and_no_list_of_people(client):
    advocate = AdvocateFactory()
    ticket = TicketFactory()
    client.force_login(advocate)
    page = _page_forms(client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode())
    assert "assign" not in page and "release" not in page and "skip" not in page
