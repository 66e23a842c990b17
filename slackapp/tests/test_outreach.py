"""The outreach's Slack message coming back: thread replies, ✅, and its buttons, end to end: Slack's signed
request → the stored row → the worker (`event_work`). Slack's Web API (chat.postMessage, chat.getPermalink,
views.open) is faked at the HTTP boundary with `responses`.

Payload shapes (slackapp/tests/fixtures/SOURCES.md): Slack's documented examples of the `event_callback`
envelope with a thread reply (api.slack.com/events/message), `reaction_added` (api.slack.com/events/
reaction_added), `bot_message` (api.slack.com/events/message/bot_message), `block_actions` (api.slack.com/
reference/interaction-payloads/block-actions) and `view_submission` (api.slack.com/reference/
interaction-payloads/views), with our action ids, callback ids and values."""

from __future__ import annotations

import json

import pytest
import responses

from experts import services
from experts.models import Outreach
from experts.tests.factories import ExpertFactory, OutreachFactory
from mentions.models import Message, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.ticket_page.history import history_lines
from slackapp.models import SlackEvent
from slackapp.tasks import event_work
from slackapp.tests.test_requests import SECRET, fixture, post_event, post_interaction

pytestmark = pytest.mark.django_db

API = "https://slack.com/api"
VERA = "U123ABC456"  # the thread reply fixture's user
THREAD_TS = "1355517500.000001"  # the thread reply fixture's thread
CHANNEL = "C123ABC456"
PERMALINK = f"https://acme.slack.com/archives/{CHANNEL}/p1355517500000001"
MENTION = "https://news.ycombinator.com/item?id=4242"


@pytest.fixture(autouse=True)
def slack(settings):
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_BOT_USER_ID = "U0DESKBOT"
    settings.SLACK_API_URL = API
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from slackapp.bolt import bolt_app

    bolt_app.cache_clear()
    with responses.RequestsMock() as mock:
        yield mock
    bolt_app.cache_clear()


@pytest.fixture
def outreach():
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, permalink=MENTION, body="My pipeline cache never restores")
    vera = ExpertFactory(name="Vera", slack_handle=VERA)
    return OutreachFactory(
        ticket=ticket, expert=vera, slack_channel="#questions", slack_ts=THREAD_TS, slack_permalink=PERMALINK
    )


def _work_last() -> str:
    return event_work(SlackEvent.objects.latest("pk").pk)


def _history(ticket) -> list[str]:
    return [line.text for line in history_lines(ticket, ticket.events.order_by("pk"))]


def _notes(ticket):
    return list(ticket.messages.filter(kind=Message.Kind.NOTE).values_list("body", "author_name", "permalink"))


def test_a_reply_in_the_thread_becomes_one_note_with_the_experts_name(outreach):
    body = fixture("event_callback_thread_reply.json")
    assert post_event(body).status_code == 200
    assert _work_last() == "done"
    # Slack delivers the same message again under a new event_id (e.g. a second subscription): still one note.
    body["event_id"] = "Ev123ABC457"
    post_event(body)
    _work_last()

    assert _notes(outreach.ticket) == [
        (
            "Reply in Slack from Vera: Answered on the forum, thanks!",
            "Vera",
            f"https://acme.slack.com/archives/{CHANNEL}/p1355517523000005?thread_ts={THREAD_TS}&cid={CHANNEL}",
        )
    ]
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT  # a reply is not an answer on the platform


def test_a_reply_from_someone_unknown_is_noted_with_their_slack_id_and_markup_made_plain(outreach):
    body = fixture("event_callback_thread_reply.json")
    body["event"]["user"] = "U0STRANGER"
    body["event"]["text"] = "See <https://docs.example.com/cache|the docs> &amp; ask <@U0OTHER>"
    post_event(body)
    _work_last()
    [(text, author, _)] = _notes(outreach.ticket)
    assert text == "Reply in Slack from U0STRANGER: See the docs (https://docs.example.com/cache) & ask @U0OTHER"
    assert author == "U0STRANGER"


@pytest.mark.parametrize("change", ["bot", "desk", "edit", "other thread", "other channel"])
def test_what_is_not_someones_reply_in_the_thread_makes_no_note(outreach, change):
    body = fixture("event_callback_thread_reply.json")
    if change == "bot":
        body = fixture("event_callback_bot_message.json")
    elif change == "desk":
        body["event"]["user"] = "U0DESKBOT"
    elif change == "edit":
        body["event"]["subtype"] = "message_changed"
    elif change == "other thread":
        body["event"]["thread_ts"] = "1355517499.000009"
    else:  # the outreach's channel id is known from its permalink: the same ts elsewhere is another message
        body["event"]["channel"] = "C0ELSEWHERE"
    post_event(body)
    if change != "desk":  # Bolt drops the desk's own messages before they are stored (ignoring_self_events)
        assert _work_last() == "done"
    assert _notes(outreach.ticket) == []


def test_the_experts_check_mark_marks_the_outreach_answered(slack, outreach):
    slack.post(f"{API}/chat.update", json={"ok": True, "channel": CHANNEL, "ts": THREAD_TS})
    other = fixture("event_callback_reaction_added.json")
    other["event"]["user"] = "U0STRANGER"  # Vera's member id is known: only she answers for her
    post_event(other)
    _work_last()
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT

    body = fixture("event_callback_reaction_added.json")
    body["event_id"] = "Ev0REACT0002"
    body["event"]["event_ts"] = str(outreach.sent_at.timestamp() + 3600)
    post_event(body)
    _work_last()

    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED and outreach.answer_seconds == 3600
    ticket = outreach.ticket
    assert list(ticket.tags.values_list("name", flat=True)) == ["expert-responded"]
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__status="answered", data__via="slack").count() == 1
    ticket.refresh_from_db()
    assert ticket.first_reply_at is None  # no link: nothing public to count as our reply
    assert "Vera said in Slack they answered after 1 h: outreach closed" in _history(ticket)
    # The message's buttons give way to what happened (updated in the channel whose id the permalink gives).
    [update] = [json.loads(c.request.body) for c in slack.calls if c.request.url.endswith("chat.update")]
    assert (update["channel"], update["ts"], update["text"]) == (CHANNEL, THREAD_TS, outreach.message)
    assert [b["type"] for b in update["blocks"]] == ["section", "context"]
    assert update["blocks"][1]["elements"][0]["text"] == "Answered ✅ — thanks!"


@pytest.mark.parametrize("handle", ["@vera", "ursula", "S0GROUP"])
def test_an_expert_without_a_member_id_is_answered_for_by_whoever_reacts(outreach, handle):
    outreach.expert.slack_handle = handle  # a name, or a user group: the desk cannot tell which member it is
    outreach.expert.save()
    body = fixture("event_callback_reaction_added.json")
    body["event"]["user"] = "U0STRANGER"
    post_event(body)
    _work_last()
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED
    assert outreach.ticket.events.get(data__status="answered").data["slack_user"] == "U0STRANGER"


def test_a_reply_in_a_merged_outreachs_thread_goes_to_the_ticket_it_was_merged_into(outreach):
    kept = OutreachFactory(expert=outreach.expert, slack_ts="1700000000.000900")
    Outreach.objects.filter(pk=outreach.pk).update(status=Outreach.Status.MERGED, merged_into=kept)
    post_event(fixture("event_callback_thread_reply.json"))
    _work_last()
    assert _notes(outreach.ticket) == []
    assert [body for body, *_ in _notes(kept.ticket)] == ["Reply in Slack from Vera: Answered on the forum, thanks!"]


def _press(outreach, action_id: str, user: str = VERA, trigger: str = "") -> dict:
    body = fixture("block_actions_outreach.json")
    body["user"]["id"] = user
    body["actions"][0]["action_id"] = action_id
    body["actions"][0]["value"] = str(outreach.pk)
    if trigger:
        body["trigger_id"] = trigger
    return body


def test_ill_answer_is_recorded_once_and_the_outreach_stays_sent(outreach):
    post_interaction(_press(outreach, "outreach_claim"))
    assert _work_last() == "done"
    post_interaction(_press(outreach, "outreach_claim", trigger="2.2.again"))  # pressed twice
    _work_last()
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT
    claims = outreach.ticket.events.filter(data__outreach=outreach.pk, data__has_key="claimed")
    assert list(claims.values_list("data__claimed", flat=True)) == ["Vera"]
    assert _history(outreach.ticket) == ["Vera said in Slack they will answer"]


def test_answered_opens_the_link_modal_at_once(slack, outreach):
    slack.post(f"{API}/views.open", json={"ok": True, "view": {"id": "V0MODAL"}})
    assert post_interaction(_press(outreach, "outreach_answered")).status_code == 200
    sent = json.loads(slack.calls[0].request.body)
    assert sent["trigger_id"] == "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3"
    assert sent["view"]["callback_id"] == "outreach_answer" and sent["view"]["private_metadata"] == str(outreach.pk)
    assert SlackEvent.objects.get().kind == "action:outreach_answered"


def _answer(outreach, link: str, user: str = VERA):
    body = fixture("view_submission_outreach_answer.json")
    body["user"]["id"] = user
    body["view"]["private_metadata"] = str(outreach.pk)
    body["view"]["state"]["values"]["link"]["link"]["value"] = link
    return post_interaction(body)


def test_answered_with_a_link_on_the_mentions_site_records_the_first_reply(slack, outreach):
    slack.post(f"{API}/chat.update", json={"ok": True, "channel": CHANNEL, "ts": THREAD_TS})
    response = _answer(outreach, "https://news.ycombinator.com/item?id=4343")
    assert response.status_code == 200 and response.content in (b"", b"{}")
    assert _work_last() == "done"

    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED
    ticket = outreach.ticket
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None
    replied = ticket.events.get(kind=TicketEvent.Kind.REPLIED)
    assert replied.data["url"] == "https://news.ycombinator.com/item?id=4343" and replied.data["first_reply"] is True


@pytest.mark.parametrize(
    ("link", "user", "error"),
    [
        ("https://example.com/answer", VERA, "must be on news.ycombinator.com"),
        ("javascript:alert(1)", VERA, "Paste the link"),
        ("https://news.ycombinator.com/item?id=4343", "U0STRANGER", "Only Vera"),
    ],
)
def test_a_link_elsewhere_is_refused_in_the_modal_and_nothing_changes(outreach, link, user, error):
    response = _answer(outreach, link, user=user)
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["response_action"] == "errors" and error in answer["errors"]["link"]
    assert not SlackEvent.objects.exists()
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT
    outreach.ticket.refresh_from_db()
    assert outreach.ticket.first_reply_at is None


def test_not_me_declines_and_asks_the_suggested_expert(slack, outreach):
    otto = ExpertFactory(name="Otto", slack_handle="U0OTTO")
    slack.post(f"{API}/chat.postMessage", json={"ok": True, "channel": "C0QUESTIONS", "ts": "1700000000.000200"})
    slack.get(f"{API}/chat.getPermalink", json={"ok": True, "permalink": "https://acme.slack.com/archives/C0Q/p2"})
    slack.post(f"{API}/chat.update", json={"ok": True, "channel": CHANNEL, "ts": THREAD_TS})
    body = fixture("view_submission_outreach_reroute.json")
    body["user"]["id"] = VERA
    body["view"]["private_metadata"] = str(outreach.pk)
    body["view"]["state"]["values"]["expert"]["expert"]["selected_option"]["value"] = str(otto.pk)

    assert post_interaction(body).status_code == 200
    assert _work_last() == "done"

    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.DECLINED
    assert outreach.decline_reason == "Runners are Otto's, I work on caching"
    asked = Outreach.objects.get(expert=otto)
    assert (asked.status, asked.ticket_id, asked.advocate_id) == ("sent", outreach.ticket_id, outreach.advocate_id)
    posted = json.loads(slack.calls[0].request.body)
    assert posted["text"].startswith("Hello <@U0OTTO>!") and MENTION in posted["text"]
    update = json.loads(slack.calls[-1].request.body)
    assert (update["ts"], update["blocks"][-1]["elements"][0]["text"]) == (THREAD_TS, "Passed on to Otto — thanks!")
    assert "Vera passed the outreach on in Slack, suggesting Otto: “Runners are Otto's, I work on caching”" in _history(
        outreach.ticket
    )


def test_not_me_without_a_reason_is_refused_in_the_modal(outreach):
    otto = ExpertFactory(name="Otto")
    body = fixture("view_submission_outreach_reroute.json")
    body["user"]["id"] = VERA
    body["view"]["private_metadata"] = str(outreach.pk)
    body["view"]["state"]["values"]["expert"]["expert"]["selected_option"]["value"] = str(otto.pk)
    body["view"]["state"]["values"]["reason"]["reason"]["value"] = "  "
    answer = json.loads(post_interaction(body).content)
    assert answer == {"response_action": "errors", "errors": {"reason": "Say why, for the advocate."}}
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT


def test_the_outreach_message_carries_the_buttons_and_its_text_as_fallback(slack, handbook_macros):
    slack.post(f"{API}/chat.postMessage", json={"ok": True, "channel": CHANNEL, "ts": "1700000000.000100"})
    slack.get(f"{API}/chat.getPermalink", json={"ok": True, "permalink": PERMALINK})
    ticket = TicketFactory()
    vera = ExpertFactory(name="Vera", slack_handle=VERA)
    sent = services.outreach_send(ticket=ticket, expert=vera, advocate=AdvocateFactory(), message="<@U123ABC456> hi")

    posted = json.loads(slack.calls[0].request.body)
    assert posted["text"] == "<@U123ABC456> hi"
    section, actions = posted["blocks"]
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": "<@U123ABC456> hi"}}
    buttons = [(b["action_id"], b["text"]["text"], b["value"]) for b in actions["elements"]]
    assert buttons == [
        ("outreach_claim", "I'll answer", str(sent.pk)),
        ("outreach_answered", "Answered: link", str(sent.pk)),
        ("outreach_decline", "Not me: suggest someone", str(sent.pk)),
    ]
