"""Urgent mentions outside coverage and the end-of-day digest, against a fake Slack Web API
(responses): every POST to chat.postMessage is counted. Time is passed as `now=`.
Default coverage: Monday-Friday 08:00-22:00 UTC; 2026-11-20 is a Friday."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses

from advocacy.celery import app as celery_app
from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import search_page, story_hit
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.coverage import coverage_load
from mentions.models import DutySettings, Message, Ticket, View
from mentions.services import ticket_mark_replied
from mentions.tests.concurrency import at_once
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory
from notifications.models import CoverageDigest, UrgentPing
from notifications.tests.slack_api import slack_api
from notifications.urgency import (
    coverage_digest_send,
    urgent_pings_deliver,
    urgent_sweep,
)

POST_URL = "https://slack.com/api/chat.postMessage"
FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FRIDAY_NIGHT = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
adapter = HackerNewsAdapter()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def slack(settings):
    with slack_api(settings, DESK_BASE_URL="https://desk.example.com") as mock:
        yield mock


def slack_ok(mock, ts="1700000000.000100"):
    mock.post(POST_URL, json={"ok": True, "channel": "C0ADVOCATES", "ts": ts, "message": {"text": "…"}})


def posts(mock):
    return [json.loads(c.request.body) for c in mock.calls if c.request.url == POST_URL]


# A title no seeded triage rule matches: these tests are about the story and the channel, not rules.
def front_page_hit(object_id, at, *, title="Show HN: a GitLab runner for RISC-V", front_page=True, points=312):
    hit = story_hit(object_id, int(at.timestamp()), title=title)
    hit["points"] = points
    if front_page:
        hit["_tags"] = [*hit["_tags"], "front_page"]
    return hit


def ingest(channel, *hits):
    return mentions_ingest(channel=channel, mentions=adapter.parse_payload(search_page(list(hits))))


def ticket_of(object_id) -> Ticket:
    return Ticket.objects.get(messages__external_id=str(object_id))


def test_an_after_hours_front_page_story_pings_the_advocates_once(slack):
    slack_ok(slack)
    DutySettings.objects.create(advocates_mention="<!subteam^S0123ABCD|advocates>")
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(1, FRIDAY_NIGHT - timedelta(minutes=3)))
    ticket = ticket_of(1)

    figures = tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT)
    # The other after-ingest hooks' figures (the story detector's) are merged in too: only these are the urgency's.
    assert {k: figures[k] for k in ("sla_moved", "judged", "pinged")} == {"sla_moved": 0, "judged": 1, "pinged": 1}
    # Seen again by the next ingest and by every beat sweep of the night: still one ping.
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT + timedelta(minutes=1))
    for minutes in (2, 4, 30):
        urgent_sweep(now=FRIDAY_NIGHT + timedelta(minutes=minutes))

    sent = posts(slack)
    assert len(sent) == 1
    assert sent[0]["channel"] == "#community-advocates"
    text = sent[0]["text"]
    assert text.startswith("<!subteam^S0123ABCD|advocates> ")
    assert f"<https://desk.example.com/tickets/{ticket.pk}/|#{ticket.pk} Show HN: a GitLab runner for RISC-V>" in text
    assert "Hacker News front page" in text and "Coverage resumes Mon 2026-11-23 08:00 UTC" in text
    ping = UrgentPing.objects.get(ticket=ticket)
    assert (ping.status, ping.slack_ts, ping.slack_channel) == ("sent", "1700000000.000100", "C0ADVOCATES")


def test_the_same_mention_inside_coverage_pings_nobody_even_after_coverage_ends(slack):
    slack_ok(slack)
    ingest(ChannelFactory(), front_page_hit(1, FRIDAY_NOON - timedelta(minutes=3)))
    ticket = ticket_of(1)

    assert tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NOON)["pinged"] == 0
    urgent_sweep(now=FRIDAY_NIGHT)

    assert posts(slack) == []
    assert UrgentPing.objects.get(ticket=ticket).status == UrgentPing.Status.IN_COVERAGE


def test_the_ingest_hands_its_tickets_to_the_urgency_check_after_commit(slack, django_capture_on_commit_callbacks):
    """The whole chain with a real Celery task run eagerly, at the real time: a ping exactly
    when the real time is outside coverage."""
    slack_ok(slack)
    # Made first: saving a channel queues a callback of its own (answers.product forgets the product's words).
    channel = ChannelFactory(high_priority=True)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            ingest(channel, story_hit(1, int(time.time()) - 60))
    finally:
        celery_app.conf.task_always_eager = False
    # The ingest's one hand-off; the after-ingest task it ran then queues the answers' suggestions of its own.
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["tickets_ingested_enqueue", "task_enqueue_on_commit"]
    ping = UrgentPing.objects.get(ticket=ticket_of(1))
    after_hours = not coverage_load().covers(datetime.now(UTC))
    assert ping.reasons == ["high-priority channel"]
    assert len(posts(slack)) == (1 if after_hours else 0)
    assert ping.status == ("sent" if after_hours else "in_coverage")


def test_ordinary_mentions_after_hours_ping_nobody(slack):
    ingest(ChannelFactory(), front_page_hit(1, FRIDAY_NIGHT, front_page=False, points=3))
    assert tickets_after_ingest(ticket_ids=[ticket_of(1).pk], now=FRIDAY_NIGHT)["judged"] == 0
    assert posts(slack) == [] and not UrgentPing.objects.exists()


def test_points_over_the_threshold_make_a_story_urgent(slack):
    slack_ok(slack)
    DutySettings.objects.create(hn_urgent_points=200)
    ingest(ChannelFactory(), front_page_hit(1, FRIDAY_NIGHT, front_page=False, points=250))
    tickets_after_ingest(ticket_ids=[ticket_of(1).pk], now=FRIDAY_NIGHT)
    assert "Hacker News story with 250 points" in posts(slack)[0]["text"]


def test_a_priority_set_to_urgent_later_at_night_is_caught_by_the_sweep(slack):
    slack_ok(slack)
    ingest(ChannelFactory(), story_hit(1, int(FRIDAY_NOON.timestamp())))
    ticket = ticket_of(1)
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NOON)  # not urgent then
    # A rule or an advocate marks it urgent at 23:25.
    Ticket.objects.filter(pk=ticket.pk).update(
        priority=Ticket.Priority.URGENT, updated_at=FRIDAY_NIGHT - timedelta(minutes=5)
    )

    assert urgent_sweep(now=FRIDAY_NIGHT) == {"judged": 1, "pinged": 1}
    assert urgent_sweep(now=FRIDAY_NIGHT + timedelta(minutes=2)) == {"judged": 0, "pinged": 0}
    assert "priority urgent" in posts(slack)[0]["text"]


def test_a_story_reaching_the_front_page_on_a_later_poll_becomes_urgent(slack, django_capture_on_commit_callbacks):
    slack_ok(slack)
    channel = ChannelFactory()
    ingest(channel, front_page_hit(1, FRIDAY_NIGHT - timedelta(minutes=20), front_page=False, points=2))
    ticket = ticket_of(1)
    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT - timedelta(minutes=19))
    assert not UrgentPing.objects.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        result = ingest(channel, front_page_hit(1, FRIDAY_NIGHT - timedelta(minutes=20), points=180))
    assert result.duplicates == 1 and len(callbacks) == 1  # nothing stored twice, but judged again
    assert "front_page" in Message.objects.get(external_id="1").raw["_tags"]

    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT)
    assert len(posts(slack)) == 1


def test_a_subject_cannot_inject_slack_markup(slack):
    slack_ok(slack)
    ingest(
        ChannelFactory(high_priority=True), front_page_hit(1, FRIDAY_NIGHT, title="<!channel> & <https://evil|click>")
    )
    tickets_after_ingest(ticket_ids=[ticket_of(1).pk], now=FRIDAY_NIGHT)
    text = posts(slack)[0]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil¦click&gt;" in text
    assert "<!channel>" not in text


def test_slack_errors_are_retried_with_backoff_and_rate_limits_wait_for_retry_after(slack):
    slack.post(POST_URL, status=503)
    slack.post(POST_URL, status=429, headers={"Retry-After": "120"})
    slack_ok(slack)
    ingest(ChannelFactory(high_priority=True), front_page_hit(1, FRIDAY_NIGHT))
    ticket = ticket_of(1)

    tickets_after_ingest(ticket_ids=[ticket.pk], now=FRIDAY_NIGHT)
    ping = UrgentPing.objects.get(ticket=ticket)
    assert (ping.status, ping.attempts, ping.next_attempt_at) == ("pending", 1, FRIDAY_NIGHT + timedelta(seconds=30))

    assert urgent_pings_deliver(now=FRIDAY_NIGHT + timedelta(seconds=20)) == 0  # not yet due
    assert urgent_pings_deliver(now=FRIDAY_NIGHT + timedelta(seconds=30)) == 0  # 429
    ping.refresh_from_db()
    assert ping.next_attempt_at == FRIDAY_NIGHT + timedelta(seconds=150)
    assert urgent_pings_deliver(now=FRIDAY_NIGHT + timedelta(seconds=100)) == 0
    assert urgent_pings_deliver(now=FRIDAY_NIGHT + timedelta(seconds=150)) == 1

    ping.refresh_from_db()
    assert (ping.status, ping.attempts) == ("sent", 3)
    assert len(posts(slack)) == 3  # two refused, one message in the channel
    assert urgent_pings_deliver(now=FRIDAY_NIGHT + timedelta(hours=1)) == 0


def test_a_refusal_is_not_retried(slack):
    slack.post(POST_URL, json={"ok": False, "error": "channel_not_found"})
    ingest(ChannelFactory(high_priority=True), front_page_hit(1, FRIDAY_NIGHT))
    tickets_after_ingest(ticket_ids=[ticket_of(1).pk], now=FRIDAY_NIGHT)
    urgent_sweep(now=FRIDAY_NIGHT + timedelta(hours=1))
    ping = UrgentPing.objects.get()
    assert ping.status == "failed" and "#community-advocates" in ping.last_error
    assert len(posts(slack)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_post_one_message(slack):
    def slow_ok(request):
        time.sleep(0.3)  # hold the row lock while "Slack" answers
        return 200, {}, json.dumps({"ok": True, "channel": "C0ADVOCATES", "ts": "1700000000.000100"})

    slack.add_callback(responses.POST, POST_URL, callback=slow_ok, content_type="application/json")
    ingest(ChannelFactory(high_priority=True), front_page_hit(1, FRIDAY_NIGHT))
    UrgentPing.objects.create(ticket=ticket_of(1), reasons=["high-priority channel"], next_attempt_at=FRIDAY_NIGHT)
    assert sum(at_once(4, lambda _: urgent_pings_deliver(now=FRIDAY_NIGHT))) == 1
    assert len(posts(slack)) == 1


# --- End-of-day digest -------------------------------------------------------------------------------------------


def _digest_case():
    channel = ChannelFactory(name="Hacker News")
    base = int(FRIDAY_NOON.timestamp())
    ingest(
        channel,
        story_hit(1, base + 5 * 3600, title="Due tonight"),  # 17:00 + 7 h = 00:00 Saturday
        story_hit(2, base, title="Answered already"),
        story_hit(3, base + 9 * 3600, title="Security report"),
    )
    ticket_mark_replied(ticket=ticket_of(2), user=AdvocateFactory(), body="Thanks", status=Ticket.Status.OPEN)
    # Tagged security: due one business day later (Monday 21:00), after coverage resumes.
    Ticket.objects.filter(pk=ticket_of(3).pk).update(sla_due_at=datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    return ticket_of(1), ticket_of(3)


def test_the_digest_lists_what_may_turn_urgent_overnight_once_per_day(slack):
    slack_ok(slack)
    due_tonight, _ = _digest_case()

    assert coverage_digest_send(now=datetime(2026, 11, 20, 21, 30, tzinfo=UTC)) is None  # not yet
    digest = coverage_digest_send(now=datetime(2026, 11, 20, 21, 46, tzinfo=UTC))
    assert digest is not None
    assert digest.status == CoverageDigest.Status.SENT and digest.ticket_ids == [due_tonight.pk]
    for minute in (51, 56):
        assert coverage_digest_send(now=datetime(2026, 11, 20, 21, minute, tzinfo=UTC)) is None
    assert coverage_digest_send(now=datetime(2026, 11, 20, 23, 0, tzinfo=UTC)) is None

    sent = posts(slack)
    assert len(sent) == 1 and sent[0]["channel"] == "#community-advocates"
    text = sent[0]["text"]
    assert text.startswith("*End of coverage Fri 2026-11-20.* 1 waiting ticket may turn urgent")
    assert "coverage resumes Mon 2026-11-23 08:00 UTC" in text
    assert (
        f"<https://desk.example.com/tickets/{due_tonight.pk}/|#{due_tonight.pk} Due tonight>"
        " · Hacker News · 2 h 14 m left" in text
    )
    assert "Answered already" not in text and "Security report" not in text


def test_the_digest_ends_with_each_views_forecast(slack):
    slack_ok(slack)
    View.objects.filter(name="Needs a response").delete()  # the view a fresh install has (mentions 0052): this one only
    View.objects.filter(name="Noise").delete()  # made again here: a flush by another test may have removed it
    ViewFactory(name="Everything <all>")
    ViewFactory(name="Noise", judgements=["noise"])
    _digest_case()
    coverage_digest_send(now=datetime(2026, 11, 20, 21, 46, tzinfo=UTC))
    # A desk with no reply history has too little to go on: the forecast says so rather than a figure. A view of noise
    # alone (a fresh install's "Noise", mentions 0056) holds nothing owed a reply, so it has no line.
    assert "• Noise:" not in posts(slack)[0]["text"]
    assert posts(slack)[0]["text"].endswith(
        "• Everything &lt;all&gt;: 2 waiting for a first reply; "
        "no forecast: too little to go on (fewer than 5 first replies during "
        "coverage in the last 7 days)."
    )


def test_the_digest_forecast_rests_on_the_teams_recent_replies(slack):
    slack_ok(slack)
    View.objects.filter(name="Needs a response").delete()  # the view a fresh install has (mentions 0052): this one only
    ViewFactory(name="Everything <all>")
    _digest_case()
    # Ten first replies on Thursday morning, in coverage.
    for minute in range(10):
        at = datetime(2026, 11, 19, 10, minute, tzinfo=UTC)
        TicketFactory(requested_at=at - timedelta(hours=1), first_reply_at=at, status=Ticket.Status.SOLVED)
    coverage_digest_send(now=datetime(2026, 11, 20, 21, 46, tzinfo=UTC))
    text = posts(slack)[0]["text"]
    # By hand: no ticket arrived in the last 3 h (the test's ingest stored them at another time); 10 first replies in
    # the 70 covered hours since Friday 13th 21:46 = 0.14/h, 14 minutes left: no reply expected. Two wait with a
    # running clock (the answered one does not): "Due tonight" due Saturday 00:00, before Monday 08:00; the security
    # report due Monday 21:00, after.
    assert text.endswith(
        "*Forecast per view* (an estimate: waiting now, recent arrivals and the team's recent replies):\n"
        "• Everything &lt;all&gt;: 2 waiting for a first reply; "
        "about 1 may be past their 7 h target before coverage resumes Mon 08:00 "
        "UTC, the first at Sat 00:00 (estimate: too few arrivals lately to project more (under 3 in 3 h) and at the "
        "team's 0.14 first replies/h, none expected before 22:00; from 0 arrivals in the last 3 h, 10 first replies "
        "in 70 covered hours of the last 7 days)."
    )


def test_no_digest_on_a_day_without_coverage_and_none_posted_when_nothing_is_at_risk(slack):
    assert coverage_digest_send(now=datetime(2026, 11, 21, 21, 50, tzinfo=UTC)) is None  # Saturday
    digest = coverage_digest_send(now=datetime(2026, 11, 20, 21, 50, tzinfo=UTC))
    assert digest is not None
    assert digest.status == CoverageDigest.Status.EMPTY
    assert posts(slack) == []


def test_a_digest_slack_could_not_take_is_retried_by_the_next_run(slack):
    slack.post(POST_URL, status=500)
    slack_ok(slack)
    _digest_case()
    first = coverage_digest_send(now=datetime(2026, 11, 20, 21, 46, tzinfo=UTC))
    assert first is not None
    assert first.status == CoverageDigest.Status.PENDING
    second = coverage_digest_send(now=datetime(2026, 11, 20, 21, 51, tzinfo=UTC))
    assert second is not None
    assert second.status == CoverageDigest.Status.SENT and second.attempts == 2
    assert posts(slack)[0]["text"] == posts(slack)[1]["text"]
    assert coverage_digest_send(now=datetime(2026, 11, 20, 21, 56, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("tags", "urgent"),
    [
        (["story", "author_dana", "front_page"], True),
        (["front_page"], True),
        (["story", "front_pages"], False),
        (["story", "not_front_page"], False),
        (["story", 'author_"front_page"'], False),  # a quote inside a tag is escaped in the JSON text
        (["story", "FRONT_PAGE"], False),
        ("front_page", False),  # a string, not Algolia's array
        (['a"x', "front_page", "b\\"], True),
        (["caf\u00e9", "front_page"], True),
        ({"front_page": True}, False),
        ([["front_page"]], False),
        (['a","front_page'], False),
        (None, False),
    ],
)
def test_front_page_tag_is_matched_exactly_without_json_containment(tags, urgent):
    """The query is a regex on the text of `_tags` (portable to SQLite, see test_embedded_default);
    it matches the tag itself, not a tag that merely contains it."""
    from mentions.tests.factories import MessageFactory, TicketFactory
    from notifications.urgency import urgency_reasons, waiting_urgent

    ticket = TicketFactory(channel=ChannelFactory(kind="hackernews"), high_priority=False)
    MessageFactory(ticket=ticket, raw={"_tags": tags, "points": 1})
    assert waiting_urgent(hn_points=0).filter(pk=ticket.pk).exists() is urgent
    assert urgency_reasons([ticket], hn_points=0)[ticket.pk] == (["Hacker News front page"] if urgent else [])


def test_a_rule_raised_high_priority_is_not_an_after_hours_ping_but_urgent_is(slack):
    """A "high" priority from a triage rule puts a mention on the 5 h clock and in the high-priority view
    (test_urgent_first); only a high-priority channel or priority "urgent" wakes people up."""
    from mentions.models import Rule

    Rule.objects.all().delete()
    Rule.objects.create(name="Downtime", enabled=True, text_keywords="is down", set_priority=Ticket.Priority.HIGH)
    Rule.objects.create(name="Breach", enabled=True, text_keywords="leaked", set_priority=Ticket.Priority.URGENT)
    channel = ChannelFactory(high_priority=False)
    ingest(channel, front_page_hit(1, FRIDAY_NIGHT, front_page=False, points=1, title="GitLab is down"))
    ingest(channel, front_page_hit(2, FRIDAY_NIGHT, front_page=False, points=1, title="tokens leaked"))
    down, leaked = ticket_of(1), ticket_of(2)
    assert (down.priority, down.high_priority) == (Ticket.Priority.HIGH, True)

    tickets_after_ingest(ticket_ids=[down.pk, leaked.pk], now=FRIDAY_NIGHT)

    assert list(UrgentPing.objects.values_list("ticket_id", "reasons")) == [(leaked.pk, ["priority urgent"])]
