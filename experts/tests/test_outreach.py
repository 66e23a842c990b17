"""Asking an expert in Slack, against a fake Slack Web API (responses)."""

import json

import pytest
import responses
from django.core.exceptions import ValidationError

from advocacy.celery import app as celery_app
from experts import services
from experts.models import Outreach, OutreachSettings
from experts.tests.factories import ExpertFactory, ProductAreaFactory
from mentions.models import Macro, Message, Ticket, TicketEvent
from mentions.services import macro_apply
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from notifications.tasks import community_post, outreach_retry
from notifications.tests.slack_api import MENTION, PERMALINK, PERMALINK_URL, POST_URL, slack_api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def slack(settings, handbook_macros):
    with slack_api(settings, strict=True) as mock:
        yield mock


@pytest.fixture
def case():
    advocate = AdvocateFactory(first_name="Ada", last_name="Advocate")
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, permalink=MENTION, body="My pipeline cache never restores")
    verify = ProductAreaFactory(name="Verify", slack_channel="#s_verify", keywords=["pipeline"])
    expert = ExpertFactory(name="Vera", slack_handle="U0VERA", areas=[verify])
    return ticket, expert, advocate


def _ok(mock):
    mock.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1700000000.000100"})
    mock.get(PERMALINK_URL, json={"ok": True, "channel": "C0VERIFY", "permalink": PERMALINK})


def _posts(mock):
    return [c for c in mock.calls if c.request.url == POST_URL]


def _send(ticket, expert, advocate, message="Please answer", channel=""):
    return services.outreach_send(ticket=ticket, expert=expert, advocate=advocate, message=message, channel=channel)


def _assert_reached_out(ticket):
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert list(ticket.tags.values_list("name", flat=True)) == ["reached-out-to-expert"]
    note = ticket.messages.get(kind=Message.Kind.NOTE)
    assert note.body == f"Reached out to an expert: {PERMALINK}"


def test_the_message_is_prefilled_from_the_template_and_the_channel_from_the_area(case):
    ticket, expert, advocate = case
    text = services.outreach_message_prefill(ticket=ticket, expert=expert, advocate=advocate)
    assert text.startswith("Hello <@U0VERA>! An expert is needed")
    assert "answer on Hacker News" in text and MENTION in text
    assert services.outreach_channel_for(expert=expert) == "#s_verify"
    assert services.outreach_channel_for(expert=ExpertFactory()) == "#questions"


def test_an_outreach_is_posted_linked_and_the_macro_applied(slack, case):
    ticket, expert, advocate = case
    _ok(slack)

    outreach = _send(ticket, expert, advocate, message=f"<@U0VERA> please answer {MENTION}")

    assert outreach.status == Outreach.Status.SENT
    assert outreach.slack_ts == "1700000000.000100" and outreach.slack_permalink == PERMALINK
    assert outreach.slack_channel == "#s_verify" and outreach.sent_at is not None and outreach.attempts == 1
    body = json.loads(_posts(slack)[0].request.body)
    assert body == {"channel": "#s_verify", "text": f"<@U0VERA> please answer {MENTION}", "unfurl_links": False}
    assert slack.calls[1].request.params == {"channel": "C0VERIFY", "message_ts": "1700000000.000100"}
    _assert_reached_out(ticket)
    statuses = [
        e.data.get("status") for e in ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__has_key="outreach")
    ]
    assert statuses == ["pending", "sent"]
    assert ticket.events.filter(kind=TicketEvent.Kind.MACRO, data__link=PERMALINK).exists()


def test_a_rate_limited_outreach_is_sent_once_by_the_retry(slack, case, django_capture_on_commit_callbacks):
    ticket, expert, advocate = case
    slack.post(POST_URL, status=429, headers={"Retry-After": "12"}, json={"ok": False, "error": "ratelimited"})
    _ok(slack)  # the second POST succeeds

    with django_capture_on_commit_callbacks() as callbacks:
        outreach = _send(ticket, expert, advocate)

    assert outreach.status == Outreach.Status.PENDING and outreach.attempts == 1
    assert outreach.last_error == "Slack is busy: it will be sent in 12 s"
    assert len(callbacks) == 1  # outreach_retry is enqueued after commit, with countdown=12
    ticket.refresh_from_db()
    assert not ticket.tags.exists()

    assert outreach_retry(outreach.pk) == Outreach.Status.SENT

    assert Outreach.objects.count() == 1
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT and outreach.attempts == 2
    assert outreach.slack_permalink == PERMALINK and outreach.last_error == ""
    assert [c.response.status_code for c in _posts(slack)] == [429, 200]
    _assert_reached_out(ticket)

    # A late duplicate of the retry (or the advocate submitting again) sends nothing.
    assert outreach_retry(outreach.pk) == Outreach.Status.SENT
    assert _send(ticket, expert, advocate).pk == outreach.pk
    assert len(_posts(slack)) == 2


def test_the_retry_gives_up_after_the_last_attempt(slack, case, django_capture_on_commit_callbacks):
    ticket, expert, advocate = case
    slack.post(POST_URL, status=503)
    with django_capture_on_commit_callbacks():
        outreach = _send(ticket, expert, advocate)
    for _ in range(services.OUTREACH_MAX_ATTEMPTS - 1):
        with django_capture_on_commit_callbacks():
            outreach_retry(outreach.pk)
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.FAILED
    assert outreach.last_error.startswith(f"Slack stayed busy after {services.OUTREACH_MAX_ATTEMPTS} attempts")
    assert outreach_retry(outreach.pk) == Outreach.Status.FAILED
    assert len(_posts(slack)) == services.OUTREACH_MAX_ATTEMPTS


def test_a_retry_for_a_vanished_outreach_returns_quietly():
    assert outreach_retry(999999) == "gone"


def test_a_double_submit_returns_the_same_outreach_and_posts_once(slack, case):
    ticket, expert, advocate = case
    _ok(slack)

    first = _send(ticket, expert, advocate)
    second = _send(ticket, expert, advocate, message="Please answer (clicked twice)")

    assert first.pk == second.pk
    assert Outreach.objects.count() == 1 and len(_posts(slack)) == 1
    assert ticket.tags.count() == 1


def test_an_unknown_channel_fails_with_a_readable_message_and_leaves_the_ticket_alone(slack, case):
    ticket, expert, advocate = case
    slack.post(POST_URL, json={"ok": False, "error": "channel_not_found"})

    with pytest.raises(ValidationError) as exc_info:
        _send(ticket, expert, advocate, channel="#s_plan")

    assert exc_info.value.messages == ["Slack has no channel #s_plan (or the bot is not in it)"]
    outreach = Outreach.objects.get()
    assert outreach.status == Outreach.Status.FAILED
    assert outreach.last_error == "Slack has no channel #s_plan (or the bot is not in it)"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and not ticket.tags.exists()
    assert not ticket.messages.filter(kind=Message.Kind.NOTE).exists()

    # A failed outreach is closed: the advocate can ask again in another channel.
    slack.reset()
    _ok(slack)
    assert _send(ticket, expert, advocate, channel="#questions").status == Outreach.Status.SENT


def test_an_outreach_is_declined_with_a_reason(slack, case):
    ticket, expert, advocate = case
    _ok(slack)
    outreach = _send(ticket, expert, advocate)

    with pytest.raises(ValidationError):
        services.outreach_decline(outreach=outreach, advocate=advocate, reason="  ")
    declined = services.outreach_decline(outreach=outreach, advocate=advocate, reason="On leave until Monday")

    assert declined.status == Outreach.Status.DECLINED and declined.declined_at is not None
    assert declined.decline_reason == "On leave until Monday"
    event = ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__outreach=outreach.pk).last()
    assert event.data["status"] == "declined" and event.data["reason"] == "On leave until Monday"
    with pytest.raises(ValidationError):
        services.outreach_decline(outreach=outreach, advocate=advocate, reason="again")


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_community_involvement_posts_the_mention_to_the_community_channel(
    slack, case, eager_celery, django_capture_on_commit_callbacks
):
    ticket, _, advocate = case
    slack.post(POST_URL, json={"ok": True, "channel": "C0COMMUNITY", "ts": "1700000000.000200"})
    macro = Macro.objects.get(name="Involving experts::Community involvement")

    with django_capture_on_commit_callbacks(execute=True):
        macro_apply(ticket=ticket, user=advocate, macro=macro)

    body = json.loads(_posts(slack)[0].request.body)
    assert body["channel"] == OutreachSettings.current().community_channel == "#community-involvement"
    assert MENTION in body["text"]
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__community_post="1700000000.000200").exists()
    # Applied again, it is not shared twice.
    assert community_post(ticket.pk) == "already"
    assert len(_posts(slack)) == 1


def test_other_macros_post_nothing(slack, case, django_capture_on_commit_callbacks):
    ticket, _, advocate = case
    with django_capture_on_commit_callbacks() as callbacks:
        macro_apply(ticket=ticket, user=advocate, macro=Macro.objects.get(name="Expert responded"))
    assert callbacks == [] and len(slack.calls) == 0


def test_a_community_post_slack_refuses_refuses_the_macro_in_words(slack, case):
    """The ticket is not solved as if the mention had been shared."""
    ticket, _, advocate = case
    slack.post(POST_URL, json={"ok": False, "error": "not_in_channel"})
    macro = Macro.objects.get(name="Involving experts::Community involvement")

    with pytest.raises(ValidationError) as refused:
        macro_apply(ticket=ticket, user=advocate, macro=macro)

    assert refused.value.messages == [
        "“Involving experts::Community involvement” was not applied: The Slack bot is not in "
        "#community-involvement: invite it there, or choose another channel."
    ]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and not ticket.tags.exists() and not ticket.events.exists()


def test_without_slack_the_community_macro_is_refused_without_naming_a_setting(slack, case, settings):
    ticket, _, advocate = case
    settings.SLACK_BOT_TOKEN = ""
    macro = Macro.objects.get(name="Involving experts::Community involvement")

    with pytest.raises(ValidationError) as refused:
        macro_apply(ticket=ticket, user=advocate, macro=macro)

    said = refused.value.messages[0]
    assert "Slack is not connected to the desk" in said and "nothing was applied" in said
    assert "SLACK" not in said.replace("Slack", "")  # no environment variable name
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and len(slack.calls) == 0


def test_slack_busy_applies_the_macro_and_retries_the_share_visibly(
    slack, case, eager_celery, django_capture_on_commit_callbacks
):
    ticket, _, advocate = case
    slack.post(POST_URL, status=429, headers={"Retry-After": "20"})
    macro = Macro.objects.get(name="Involving experts::Community involvement")

    with django_capture_on_commit_callbacks() as callbacks:
        applied = macro_apply(ticket=ticket, user=advocate, macro=macro)

    assert applied.notices == [
        "Slack is busy: the mention will be shared in 20 s (the ticket's history shows each try)."
    ]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    waiting = ticket.events.get(kind=TicketEvent.Kind.NOTE, data__has_key="community_retry")
    assert waiting.data["retry_in"] == 20
    # The queued retry posts once Slack answers.
    slack.replace(responses.POST, POST_URL, json={"ok": True, "channel": "C0COMMUNITY", "ts": "1700000000.000300"})
    for callback in callbacks:
        callback()
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__community_post="1700000000.000300").exists()
