"""Scheduled reports (metrics.reports) against `manage.py kpi --json`, a fake Slack Web API and Django's locmem
mail. Slack's answers are in the shapes of https://api.slack.com/methods/chat.postMessage (ok with channel and
ts; HTTP 503 when Slack is down), as notifications/tests/test_outbox.py records them."""

import importlib
import json
import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
import responses
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from channels.tests.factories import ChannelFactory
from experts.models import Outreach
from experts.tests.factories import OutreachFactory
from mentions.models import TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.models import ReportSchedule, ReportSend
from metrics.report_text import MONTHLY, WEEKLY, period_parse
from metrics.reports import report_send, report_texts, reports_deliver, reports_due, reports_run
from metrics.tasks import reports_send
from metrics.tests.factories import H, at, event_make, ticket_make
from notifications.tests.slack_api import slack_configured

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
OK = {"ok": True, "channel": "C024BE91L", "ts": "1700000000.000100"}
MONDAY_W46 = datetime(2026, 11, 9, 8, 5, tzinfo=UTC)  # 2026-11-09 is the Monday after week 2026-W45
DECEMBER_1ST = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def slack_token(settings):
    slack_configured(settings, SITE_URL="https://desk.example.com")


@pytest.fixture
def desk():
    forum = ChannelFactory(name="Forum")
    x_main = ChannelFactory(name="X main", high_priority=True)
    for day, frt in ((2, 1), (3, 2), (4, 5), (5, 7), (6, 9), (16, 3)):
        ticket = ticket_make(channel=forum, requested_at=at(day, 9), frt_seconds=frt * H, business_seconds=frt * H // 2)
    event_make(ticket=ticket, kind=TicketEvent.Kind.TAG_ADDED, created_at=at(6, 10), tag="billing")
    event_make(ticket=ticket, kind=TicketEvent.Kind.TAG_ADDED, created_at=at(20, 10), tag="billing")
    ticket_make(channel=forum, requested_at=at(4, 10))  # unreplied
    ticket_make(channel=forum, requested_at=at(3, 10), solved_at=at(3, 12))  # solved without reply
    ticket_make(channel=x_main, requested_at=at(5, 14), frt_seconds=6 * H)  # over the 5 h target
    ticket_make(channel=x_main, requested_at=at(22, 9), frt_seconds=4 * H)
    answered = {"status": Outreach.Status.ANSWERED, "answered_at": at(3, 12), "answer_seconds": 2 * H}
    OutreachFactory(ticket=ticket, sent_at=at(3, 10), **answered)
    OutreachFactory(ticket=ticket, sent_at=at(5, 10), status=Outreach.Status.DECLINED, declined_at=at(5, 11))
    OutreachFactory(ticket=ticket, sent_at=at(18, 10))
    return forum, x_main


@pytest.fixture
def managers():
    return [ManagerFactory(email="skinner@example.com"), ManagerFactory(email="reyes@example.com")]


def schedule(kind: str = WEEKLY, **extra) -> ReportSchedule:
    values = {"is_active": True, "slack_channel": "#community-managers", "email_managers": True, **extra}
    row, _ = ReportSchedule.objects.update_or_create(kind=kind, defaults=values)
    return row


def kpi(start: str, end: str, now: datetime) -> dict:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=now):
        call_command("kpi", "--json", "--from", start, "--to", end, stdout=out)
    return json.loads(out.getvalue())


GROUP_LINE = re.compile(
    r"(First replies|High priority): (\d+), median ([\d.]+) h \(target under ([\d.]+) h: (on|over) target\), "
    r"p90 ([\d.]+) h, within target ([\d.]+)%"
)


def figures(text: str) -> dict:
    """The numbers a report states, read back from its text."""
    out: dict = {}
    for label, replied, median, target, verdict, p90, pct in GROUP_LINE.findall(text):
        out[label] = (int(replied), float(median), float(target), verdict, float(p90), float(pct))
    waiting = re.search(r"Still waiting: (\d+) \((\d+) over target\); solved without a reply: (\d+)", text)
    assert waiting is not None
    out["waiting"] = tuple(int(n) for n in waiting.groups())
    received = re.search(r"Tickets received: (\d+), solved: (\d+)", text)
    assert received is not None
    out["received"] = tuple(int(n) for n in received.groups())
    busiest = re.search(r"Busiest channels: (.*)", text)
    out["busiest"] = re.findall(r"(?:^|, )([^,]+?) (\d+) \(median ([\d.]+) h\)", busiest.group(1)) if busiest else []
    rising = re.search(r"Rising tags \(30 days to [^)]*\): (.*)", text)
    out["rising"] = re.findall(r"(\S+) \+(\d+) \((\d+)\)", rising.group(1)) if rising else []
    out["outreach"] = re.findall(
        r"Expert outreach(?: \(its days in [\d-]+\))?: (\d+) asked, (\d+) answered, (\d+) declined, "
        r"answer rate ([\d.]+)%, median answer ([\d.]+) h",
        text,
    )
    return out


def expected(data: dict) -> dict:
    """The same numbers, from `manage.py kpi --json`."""
    fr = data["first_reply"]
    out: dict = {}
    for label, row in (("First replies", fr["all"]), ("High priority", fr["high_priority"])):
        verdict = "on" if row["median_hours"] < row["target_hours"] else "over"
        out[label] = (
            row["replied"],
            row["median_hours"],
            row["target_hours"],
            verdict,
            row["p90_hours"],
            row["within_target_pct"],
        )
    a = fr["all"]
    out["waiting"] = (a["unreplied"], a["unreplied_over_target"], a["solved_without_reply"])
    out["received"] = (sum(d["created"] for d in data["activity"]), sum(d["solved"] for d in data["activity"]))
    counts = {n: r["replied"] + r["unreplied"] + r["solved_without_reply"] for n, r in fr["by_channel"].items()}
    out["busiest"] = [
        (name, str(counts[name]), f"{fr['by_channel'][name]['median_hours']:.2f}")
        for name in sorted((n for n in counts if counts[n]), key=lambda n: (-counts[n], n))
    ]
    out["rising"] = [(r["tag"], str(r["change"]), str(r["current"])) for r in data["tags_rising"] if r["change"] > 0]
    out["outreach"] = [
        (
            str(r["asked"]),
            str(r["answered"]),
            str(r["declined"]),
            f"{100 * r['answer_rate']:.1f}",
            f"{r['median_answer_hours']:.2f}",
        )
        for r in data["outreach"]
    ]
    return out


@pytest.mark.parametrize(
    ("kind", "key", "start", "end", "now"),
    [
        (WEEKLY, "2026-W45", "2026-11-02", "2026-11-08", MONDAY_W46),
        (MONTHLY, "2026-11", "2026-11-01", "2026-11-30", DECEMBER_1ST),
    ],
)
def test_the_report_states_exactly_what_kpi_json_prints_for_its_period(desk, kind, key, start, end, now):
    period = period_parse(kind, key)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    data = kpi(start, end, now)
    slack_text, subject, body = report_texts(period, now=now)

    want = expected(data)
    assert figures(body) == want
    assert figures(slack_text) == want
    assert want["First replies"][0] > 0 and want["High priority"][0] == (1 if kind == WEEKLY else 2)
    assert want["outreach"] == (
        [("2", "1", "1", "50.0", "2.00")] if kind == WEEKLY else [("3", "1", "1", "33.3", "2.00")]
    )
    assert want["rising"] == ([("billing", "1", "1")] if kind == WEEKLY else [("billing", "2", "2")])
    if kind == WEEKLY:
        assert subject == "Triage Desk: week 2026-W45 first replies"
        assert want["High priority"][3] == "over"  # 6 h against the 5 h target
        assert "https://desk.example.com/kpi/?from=2026-11-02&to=2026-11-08" in body
        assert "<https://desk.example.com/kpi/?from=2026-11-02&amp;to=2026-11-08|" in slack_text
    else:
        assert subject == "Triage Desk: November 2026 report"
        assert "https://desk.example.com/kpi/monthly/?month=2026-11" in body


@responses.activate
def test_a_period_is_sent_once_to_slack_and_to_each_manager_only(desk, managers):
    responses.add(responses.POST, POST_URL, json=OK)
    AdvocateFactory(email="mulder@example.com")
    ManagerFactory(email="", username="no-address")
    schedule()

    with mock.patch("django.utils.timezone.now", return_value=MONDAY_W46):
        reports_send.apply()
        reports_send.apply()  # beat twice (or two workers)
    assert reports_run(now=MONDAY_W46 + timedelta(minutes=15)) == {"queued": 0, "slack": 0, "email": 0}

    row = ReportSend.objects.get()
    assert (row.period, row.status, row.email_status) == ("2026-W45", "sent", "sent")
    assert ReportSchedule.objects.get(kind=WEEKLY).last_sent_period == "2026-W45"
    assert len(responses.calls) == 1
    assert json.loads(responses.calls[0].request.body or "")["channel"] == "#community-managers"
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["reyes@example.com", "skinner@example.com"]
    assert mail.outbox[0].subject == "Triage Desk: week 2026-W45 first replies"


def test_report_send_twice_for_the_same_period_queues_one(desk):
    weekly = schedule()
    period = period_parse(WEEKLY, "2026-W45")
    assert report_send(weekly, period, now=MONDAY_W46) is not None
    assert report_send(weekly, period, now=MONDAY_W46) is None
    assert ReportSend.objects.count() == 1


def test_due_from_its_hour_not_before_and_never_when_inactive():
    weekly = schedule()
    monthly = schedule(MONTHLY)
    assert reports_due(MONDAY_W46.replace(hour=7, minute=59)) == []
    assert [(s.pk, p.key) for s, p in reports_due(MONDAY_W46.replace(minute=0))] == [(weekly.pk, "2026-W45")]
    # Late (beat or workers down for hours) is still sent, but not the day after: a schedule turned on
    # mid-week does not post last week's figures.
    assert [p.key for _, p in reports_due(MONDAY_W46 + timedelta(hours=20))] == ["2026-W45"]
    assert reports_due(MONDAY_W46 + timedelta(days=2)) == []
    monthly_due = [(s.pk, p.key) for s, p in reports_due(DECEMBER_1ST) if s.kind == MONTHLY]
    assert monthly_due == [(monthly.pk, "2026-11")]
    assert [s.kind for s, _ in reports_due(DECEMBER_1ST - timedelta(minutes=6))] == [WEEKLY]  # 2026-W48's
    ReportSchedule.objects.update(is_active=False)
    assert reports_due(MONDAY_W46) == [] and reports_due(DECEMBER_1ST) == []


def test_another_weekday_and_hour_report_the_monday_to_sunday_week_before():
    weekly = schedule(weekday=ReportSchedule.Weekday.WEDNESDAY, hour=14)
    wednesday = datetime(2026, 11, 11, 14, 0, tzinfo=UTC)
    assert reports_due(wednesday - timedelta(seconds=1)) == []
    [(due, period)] = reports_due(wednesday)
    assert (due.pk, period.key, period.start.isoformat()) == (weekly.pk, "2026-W45", "2026-11-02")


def test_the_seeded_schedules_are_inactive_and_seeded_once():
    seed = importlib.import_module("metrics.migrations.0001_squashed_0008_community_answers").report_schedules_seed
    ReportSchedule.objects.all().delete()
    seed(django_apps, None)
    seed(django_apps, None)
    rows = ReportSchedule.objects.order_by("kind").values_list(
        "kind", "is_active", "slack_channel", "email_managers", "weekday", "day_of_month", "hour"
    )
    assert list(rows) == [
        ("monthly", False, "#community-managers", True, 1, 1, 8),
        ("weekly", False, "#community-managers", True, 1, 1, 8),
    ]
    assert reports_due(MONDAY_W46) == [] and reports_due(DECEMBER_1ST) == []


def test_a_sending_time_beat_cannot_compute_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSchedule.objects.create(kind=MONTHLY, day_of_month=31)


def test_a_slack_destination_is_checked_like_a_channel_s():
    with pytest.raises(ValidationError):
        ReportSchedule(kind=WEEKLY, slack_channel="community managers").full_clean()
    row = ReportSchedule(kind=WEEKLY, slack_channel="#Community-Managers")
    row.full_clean()
    assert row.slack_channel == "#community-managers"


@responses.activate
def test_names_and_tags_cannot_mention_or_format_in_slack(desk, managers):
    responses.add(responses.POST, POST_URL, json=OK)
    forum, _ = desk
    forum.name = "Ops <!channel> *hot* & co"
    forum.save()
    ticket = ticket_make(channel=forum, requested_at=at(7, 9), frt_seconds=H)
    event_make(ticket=ticket, kind=TicketEvent.Kind.TAG_ADDED, created_at=at(7, 10), tag="<!channel>*&")
    schedule()

    reports_run(now=MONDAY_W46)

    text = json.loads(responses.calls[0].request.body or "")["text"]
    assert "<!channel>" not in text and "*hot*" not in text
    assert "Ops &lt;!channel&gt; *\u2060hot*\u2060 &amp; co" in text
    assert "&lt;!channel&gt;*\u2060&amp; +1" in text
    assert "Ops <!channel> *hot* & co" in mail.outbox[0].body  # plain text: as written


@responses.activate
def test_slack_down_keeps_the_report_and_delivers_it_later(desk):
    responses.add(responses.POST, POST_URL, status=503)
    responses.add(responses.POST, POST_URL, json=OK)
    schedule(email_managers=False)

    assert reports_run(now=MONDAY_W46) == {"queued": 1, "slack": 0, "email": 0}
    row = ReportSend.objects.get()
    assert (row.status, row.attempts, row.email_status) == ("pending", 1, "none")
    assert row.next_attempt_at == MONDAY_W46 + timedelta(seconds=30)
    assert "503" in row.last_error

    assert reports_deliver(now=MONDAY_W46 + timedelta(seconds=10)) == {"slack": 0, "email": 0}  # not yet due
    assert reports_run(now=MONDAY_W46 + timedelta(minutes=15)) == {"queued": 0, "slack": 1, "email": 0}
    row.refresh_from_db()
    assert (row.status, row.slack_channel, row.slack_ts) == ("sent", "C024BE91L", "1700000000.000100")
    bodies = [json.loads(c.request.body or "")["text"] for c in responses.calls]
    assert len(bodies) == 2 and bodies[0] == bodies[1] == row.slack_text


def test_without_a_bot_token_the_report_waits(desk, settings):
    settings.SLACK_BOT_TOKEN = ""
    schedule(email_managers=False)
    assert reports_run(now=MONDAY_W46)["slack"] == 0
    assert ReportSend.objects.get().status == "pending"


def test_a_mail_outage_retries_the_e_mail(desk, managers):
    schedule(slack_channel="")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
        assert reports_run(now=MONDAY_W46)["email"] == 0
    row = ReportSend.objects.get()
    assert (row.status, row.email_status, row.email_attempts) == ("none", "pending", 1)
    assert reports_run(now=MONDAY_W46 + timedelta(minutes=15))["email"] == 1
    assert len(mail.outbox) == 1


def test_the_command_prints_the_texts_and_sends_once(desk, managers):
    out = StringIO()
    call_command("report_send", "--kind", "monthly", "--period", "2026-11", "--dry-run", stdout=out)
    assert "*Triage Desk: November 2026 report*" in out.getvalue()
    assert "Subject: Triage Desk: November 2026 report" in out.getvalue()
    assert ReportSend.objects.count() == 0

    schedule(MONTHLY, slack_channel="")
    call_command("report_send", "--kind", "monthly", "--period", "2026-11", stdout=StringIO())
    call_command("report_send", "--kind", "monthly", "--period", "2026-11", stdout=out)
    assert "2026-11 was already sent" in out.getvalue()
    assert len(mail.outbox) == 1
