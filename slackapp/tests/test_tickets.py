"""A Slack message becomes a ticket (issue 31): the Create ticket shortcut, or the chosen reaction in a chosen
channel, makes one ticket on the desk's Slack channel, however often Slack delivers it, and the ticket's link is
answered in the message's thread through the outbox. Requests are signed as Slack signs them (test_requests'
helpers); Slack's Web API is answered at the HTTP boundary (`responses`). Payload shapes:
slackapp/tests/fixtures/SOURCES.md — message_action.json (Slack's documented message shortcut payload),
event_reaction_added.json (api.slack.com/events/reaction_added), conversations_history.json
(api.slack.com/methods/conversations.history); chat.getPermalink's and chat.postMessage's answers are their
documented examples (api.slack.com/methods/chat.getPermalink, api.slack.com/methods/chat.postMessage), and
conversations.info's the `channel.id`/`channel.name` of its example (api.slack.com/methods/conversations.info)."""

from __future__ import annotations

import json

import pytest
import responses

from channels.models import Channel
from mentions.models import Message, Ticket, View
from mentions.tests.factories import AdvocateFactory
from notifications.models import SlackNotice
from notifications.outbox import slack_outbox_flush
from slackapp.models import SlackEvent
from slackapp.tasks import event_work
from slackapp.tests.test_requests import fixture, post_event, post_interaction, signing_secret  # noqa: F401
from slackapp.tickets import desk_slack_channel

pytestmark = pytest.mark.django_db
API = "https://slack.com/api"
PERMALINK = "https://example-workspace.slack.com/archives/CJDP9QK1U/p1557796107000500"
TS = "1557796107.000500"


@pytest.fixture
def slack():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/chat.getPermalink", json={"ok": True, "channel": "CJDP9QK1U", "permalink": PERMALINK})
        mock.get(f"{API}/conversations.history", json=fixture("conversations_history.json"))
        mock.get(
            f"{API}/conversations.info",
            json={"ok": True, "channel": {"id": "CJDP9QK1U", "name": "community-advocates"}},
        )
        mock.post(f"{API}/chat.postMessage", json={"ok": True, "channel": "CJDP9QK1U", "ts": "1557796300.000100"})
        yield mock


def work_all() -> None:
    for pk in SlackEvent.objects.order_by("pk").values_list("pk", flat=True):
        event_work(pk)


def desk_channel(**config) -> Channel:
    # Made with its view on first use (slackapp.tickets.desk_slack_channel).
    channel = desk_slack_channel()
    channel.config = config
    channel.save()
    return channel


def shortcut(text: str | None = None) -> dict:
    body = fixture("message_action.json")
    if text is not None:
        body["message"]["text"] = text
    return body


def test_the_shortcut_makes_one_ticket_on_the_slack_channel(slack):
    assert post_interaction(shortcut()).status_code == 200
    work_all()

    ticket = Ticket.objects.get()
    message = Message.objects.get()
    assert ticket.channel.kind == "slack" and ticket.channel.slug == "slack"
    assert message.external_id == f"slack:CJDP9QK1U:{TS}"
    assert (message.author_handle, message.author_name) == ("UDTV1BLKT", "dana")
    assert "https://news.ycombinator.com/item?id=1234" in message.body  # the URL it carries, kept
    assert message.permalink == PERMALINK
    assert ticket.subject.startswith("Someone on HN says the runner docs are wrong")


def test_a_retried_shortcut_is_stored_once_and_makes_one_ticket(slack):
    body = shortcut()
    assert post_interaction(body).status_code == 200
    assert (
        post_interaction(body, HTTP_X_SLACK_RETRY_NUM="1", HTTP_X_SLACK_RETRY_REASON="http_timeout").status_code == 200
    )
    work_all()

    assert SlackEvent.objects.get().retries == 1
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_the_same_message_by_shortcut_and_by_reaction_is_one_ticket_answered_once(slack):
    desk_channel(reaction_channels=["#community-advocates"])
    post_interaction(shortcut())
    again = shortcut()
    again["trigger_id"] = "another.press.of.the.shortcut"  # a second person presses it: another delivery
    post_interaction(again)
    post_event(fixture("event_reaction_added.json"))
    work_all()

    assert SlackEvent.objects.count() == 3 and set(SlackEvent.objects.values_list("status", flat=True)) == {"done"}
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert SlackNotice.objects.filter(kind="thread_answer").count() == 1


def test_the_ticket_link_is_answered_in_the_thread(slack, settings):
    settings.SITE_URL = settings.DESK_BASE_URL = "https://desk.example.com"
    post_interaction(shortcut())
    work_all()
    ticket = Ticket.objects.get()

    result = slack_outbox_flush()

    assert result.sent == 1
    [post] = [c for c in slack.calls if c.request.url.endswith("chat.postMessage")]
    sent = json.loads(post.request.body)
    assert sent["channel"] == "CJDP9QK1U" and sent["thread_ts"] == TS
    assert f"<https://desk.example.com{ticket.get_absolute_url()}|#{ticket.pk}>" in sent["text"]
    assert not sent["text"].startswith("*")  # no "N new mentions" header in a thread


def test_a_reaction_makes_a_ticket_of_the_message_it_reads(slack):
    desk_channel(reaction_channels=["CJDP9QK1U"])
    post_event(fixture("event_reaction_added.json"))
    work_all()

    message = Message.objects.get()
    assert message.external_id == f"slack:CJDP9QK1U:{TS}" and message.permalink == PERMALINK
    [history] = [c for c in slack.calls if "conversations.history" in c.request.url]
    assert "latest=1557796107.000500" in history.request.url and "inclusive=true" in history.request.url


@pytest.mark.parametrize("change", ["another channel", "another emoji", "no channel chosen"])
def test_a_reaction_elsewhere_or_with_another_emoji_does_nothing(slack, change):
    desk_channel(**({} if change == "no channel chosen" else {"reaction_channels": ["C0OTHER0001"]}))
    body = fixture("event_reaction_added.json")
    if change == "another emoji":
        desk_channel(reaction_channels=["CJDP9QK1U"])
        body["event"]["reaction"] = "thumbsup"
    post_event(body)
    work_all()

    assert not Ticket.objects.exists()
    assert not [c for c in slack.calls if "conversations" in c.request.url]


def test_slack_markup_becomes_text_and_stays_text_on_the_ticket_page(slack, client):
    post_interaction(shortcut("<@U1> asks: see <https://x.example/a|y> &lt;script&gt;alert(1)&lt;/script&gt;"))
    work_all()
    message = Message.objects.get()
    assert message.body == "@U1 asks: see y (https://x.example/a) <script>alert(1)</script>"

    client.force_login(AdvocateFactory())
    assert message.ticket is not None
    page = client.get(message.ticket.get_absolute_url()).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_without_slack_the_ticket_is_made_with_a_link_built_from_the_workspace(slack):
    slack.replace(responses.GET, f"{API}/chat.getPermalink", status=503)
    post_interaction(shortcut())
    work_all()

    assert Message.objects.get().permalink == PERMALINK
    assert SlackNotice.objects.get().status == "pending"  # answered once Slack is back


def test_the_first_slack_ticket_makes_the_slack_channel_and_its_view_filtering_it(slack):
    Channel.objects.filter(kind="slack").delete()
    View.objects.filter(slug="slack-questions").delete()

    post_interaction(shortcut())
    work_all()
    desk_slack_channel()  # again: nothing more

    channel = Channel.objects.get(kind="slack")
    view = View.objects.get(slug="slack-questions")
    assert (channel.slug, channel.enabled, view.name) == ("slack", True, "Slack questions")
    assert list(view.channels.all()) == [channel] and view.channel_ids == [channel.pk]
    assert Message.objects.get().channel == channel


def test_a_thread_answer_is_never_batched_with_the_channels_new_ticket_lines(slack):
    channel = desk_slack_channel()
    channel.slack_channel = "CJDP9QK1U"  # the Slack channel's new tickets announced in the same Slack channel
    channel.save()
    post_interaction(shortcut())
    work_all()

    assert slack_outbox_flush().messages == 2

    posts = [json.loads(c.request.body) for c in slack.calls if c.request.url.endswith("chat.postMessage")]
    assert [p.get("thread_ts") for p in posts] == [None, TS]
    assert posts[0]["text"].startswith("*1 new mention*") and not posts[1]["text"].startswith("*")
