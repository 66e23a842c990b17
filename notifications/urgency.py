"""Urgent mentions outside coverage, and the end-of-day digest, posted to the advocates'
Slack channel (mentions.DutySettings: #community-advocates by default). Outside coverage, a ping names the
person on duty when a duty schedule covers the moment (notifications.on_duty), instead of the channel's mention.
On release day the ping goes to the month's release advocate as a direct message instead of the channel (chat.
postMessage to their Slack member id): they are the one to act that night, a direct message reaches them with the
channel muted, and one row still posts exactly one message (a second copy in the channel would need an outbox of
its own to be posted once, and would wake them twice). Without a member id the channel is used as on other days.

Urgent = waiting (new/open) and any of: a high-priority channel, priority "urgent" (a triage
rule or an advocate set it), a story of a platform with a front page (its declared `front_page`: Hacker News)
whose stored item carries Algolia's `front_page` tag or at least `hn_urgent_points` points.

Each ticket is judged once: the first time it is seen urgent, a `UrgentPing` row is created
(unique per ticket). Outside coverage the row is pending and one Slack message is posted for
it; inside coverage the row says so and nothing is posted, so a ticket the team already saw
is not pinged when coverage ends. Posting holds the row's lock, so two workers never both
post; transient Slack errors are retried with backoff (Retry-After on rate limits).

The digest ends with each view's forecast of the day (mentions/forecast/day.py), computed when it is written."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from channels.adapters.registry import kinds_where, platform_or_default
from channels.adapters.slack.client import slack_escape, slack_link
from mentions.coverage import Coverage, coverage_load
from mentions.forecast.day import Forecast
from mentions.forecast.reads import view_forecasts
from mentions.models import Message, Ticket, View
from mentions.services.sla import clock_text
from notifications.models import CoverageDigest, UrgentPing
from notifications.on_duty import DutyOfProducts
from notifications.rows import slack_rows_deliver

logger = logging.getLogger(__name__)

SWEEP_LOOKBACK = timedelta(hours=1)
PINGS_PER_RUN = 20
DIGEST_WINDOW = timedelta(hours=3)
DIGEST_MAX_LINES = 25


# --------------------------------------------------------------------------------------------------------------
# What is urgent


# `_tags` is Algolia's flat array of strings; as JSON text (PostgreSQL writes `["a", "b"]`, SQLite
# `["a","b"]`) it is a front-page story when one member is exactly "front_page". A regex on the
# key's text runs on PostgreSQL and on SQLite, the embedded default, where JSON containment
# (`raw__contains`) raised NotSupportedError. The pattern accepts only a flat array of strings,
# so neither a tag that merely contains the word nor an object or nested array matches.
_JSON_STRING = r'"([^"\\]|\\.)*"'
FRONT_PAGE_TAGS_PATTERN = rf'^\[ *({_JSON_STRING} *, *)*"front_page"( *, *{_JSON_STRING})* *\]$'


def _front_page_q(points: int) -> Q:
    tagged = Q(raw___tags__regex=FRONT_PAGE_TAGS_PATTERN)
    return tagged | Q(raw__points__gte=points) if points else tagged


def _front_page_kinds() -> list[str]:
    """The platforms whose stories can reach a front page (declared `front_page`: Hacker News)."""
    return kinds_where(lambda p: p.front_page)


def urgent_q(*, hn_points: int) -> Q:
    """Tickets that are urgent whatever their status (combine with a waiting filter)."""
    stories = Message.objects.filter(
        ticket_id=OuterRef("pk"), kind=Message.Kind.INBOUND, channel__kind__in=_front_page_kinds()
    ).filter(_front_page_q(hn_points))
    # The channel's flag, not the ticket's: a rule that raises a mention to "high" puts it in the
    # high-priority view and on the 5 h clock, but only "urgent" wakes people up after hours.
    return Q(channel__high_priority=True) | Q(priority=Ticket.Priority.URGENT) | Q(Exists(stories))


def urgency_reasons(tickets: list[Ticket], *, hn_points: int) -> dict[int, list[str]]:
    """Why each ticket is urgent, in words (one query for the front pages' signals)."""
    reasons: dict[int, list[str]] = {t.pk: [] for t in tickets}
    for t in tickets:
        if t.channel.high_priority:
            reasons[t.pk].append("high-priority channel")
        if t.priority == Ticket.Priority.URGENT:
            reasons[t.pk].append("priority urgent")
    rows = (
        Message.objects.filter(
            ticket_id__in=list(reasons), kind=Message.Kind.INBOUND, channel__kind__in=_front_page_kinds()
        )
        .filter(_front_page_q(hn_points))
        .values_list("ticket_id", "channel__kind", "raw___tags", "raw__points")
    )
    for ticket_id, kind, tags, points in rows:
        name = platform_or_default(kind).spoken_name
        if isinstance(tags, list) and "front_page" in tags and f"{name} front page" not in reasons[ticket_id]:
            reasons[ticket_id].append(f"{name} front page")
        elif isinstance(points, int) and hn_points and points >= hn_points:
            reasons[ticket_id].append(f"{name} story with {points} point{'s' if points != 1 else ''}")
    return reasons


def waiting_urgent(*, hn_points: int) -> QuerySet[Ticket]:
    return Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES).filter(urgent_q(hn_points=hn_points))


# --------------------------------------------------------------------------------------------------------------
# Pings


def _duty() -> Any:
    from mentions.models import DutySettings

    return DutySettings.current()


def _ticket_link(ticket: Ticket) -> str:
    return slack_link(ticket.get_desk_url(), f"#{ticket.pk} {ticket.subject}"[:150].replace("|", "¦"))


def urgent_ping_text(*, ticket: Ticket, reasons: list[str], mention: str, coverage: Coverage, now: datetime) -> str:
    resumes = coverage.next_start(now)
    head = f"{mention} " if mention else ""
    return (
        f"{head}:rotating_light: Urgent mention outside coverage: {_ticket_link(ticket)}"
        f" · {slack_escape(ticket.channel.name)} · {slack_escape(', '.join(reasons))}."
        f" Coverage resumes {resumes:%a %Y-%m-%d %H:%M} UTC."
    )


def urgent_tickets_check(
    *, ticket_ids: list[int] | None = None, now: datetime | None = None, coverage: Coverage | None = None
) -> list[UrgentPing]:
    """Judge urgent waiting tickets not judged before: `ticket_ids` (after an ingest) or, for
    the beat sweep, those changed within the last hour (a priority set later, a story that
    reached the front page on a later poll). Returns the rows created."""
    now = now or timezone.now()
    duty = _duty()
    coverage = coverage or coverage_load()
    qs = waiting_urgent(hn_points=duty.hn_urgent_points).exclude(
        Exists(UrgentPing.objects.filter(ticket_id=OuterRef("pk")))
    )
    scope = Q(pk__in=ticket_ids) if ticket_ids is not None else Q(updated_at__gte=now - SWEEP_LOOKBACK)
    qs = qs.filter(scope)
    tickets = list(qs.select_related("channel").only("pk", "priority", "channel__high_priority").order_by("pk")[:500])
    if not tickets:
        return []
    reasons = urgency_reasons(tickets, hn_points=duty.hn_urgent_points)
    covered = coverage.covers(now)
    created = []
    for ticket in tickets:
        try:
            with transaction.atomic():
                created.append(
                    UrgentPing.objects.create(
                        ticket_id=ticket.pk,
                        status=UrgentPing.Status.IN_COVERAGE if covered else UrgentPing.Status.PENDING,
                        reasons=reasons[ticket.pk],
                        slack_channel="" if covered else duty.advocates_channel,
                        next_attempt_at=None if covered else now,
                    )
                )
        except IntegrityError:
            continue  # judged meanwhile by another worker
        logger.info(
            "urgent: ticket %s (%s) %s",
            ticket.pk,
            ", ".join(reasons[ticket.pk]),
            "inside coverage, no ping" if covered else "outside coverage, ping queued",
        )
    return created


def urgent_pings_deliver(*, now: datetime | None = None, limit: int = PINGS_PER_RUN) -> int:
    """Post pending pings that are due (notifications.rows)."""
    now = now or timezone.now()
    duty = _duty()
    coverage = coverage_load()
    # The person on duty now (a duty schedule), named in place of the channel's mention; on release day the release
    # advocate, messaged directly. Both of the ticket's product (issue 71: its release advocate first).
    duties = DutyOfProducts(coverage, now)

    def text_for(ping: UrgentPing) -> str:
        on_duty, release = duties.of(ping.ticket.product_id)
        mention = on_duty.mention if on_duty else duty.advocates_mention
        if release is not None:
            mention = ":rocket: Release day: you are the release advocate on duty."
        return urgent_ping_text(ticket=ping.ticket, reasons=ping.reasons, mention=mention, coverage=coverage, now=now)

    def channel_for(ping: UrgentPing) -> str:
        release = duties.of(ping.ticket.product_id)[1]
        return release.slack_user_id if release else ping.slack_channel or duty.advocates_channel

    pending = (
        UrgentPing.objects.select_related("ticket", "ticket__channel")
        .filter(status=UrgentPing.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )
    return slack_rows_deliver(
        pending=pending,
        text_for=text_for,
        channel_for=channel_for,
        now=now,
        limit=limit,
        what="urgent ping",
    )


def urgent_after_ingest(*, ticket_ids: list[int], now: datetime | None = None, coverage: Coverage) -> dict[str, int]:
    """Ingest hook (notifications.apps), in the worker after an ingest committed and its SLA clocks
    moved: judge the tickets' urgency, post what is pending."""
    created = urgent_tickets_check(ticket_ids=ticket_ids, now=now, coverage=coverage)
    pending = any(p.status == UrgentPing.Status.PENDING for p in created)
    sent = urgent_pings_deliver(now=now) if pending else 0
    return {"judged": len(created), "pinged": sent}


def urgent_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: judge what turned urgent since (missed on-commit tasks, later changes) and post
    pending pings, including retries."""
    created = urgent_tickets_check(now=now)
    return {"judged": len(created), "pinged": urgent_pings_deliver(now=now)}


# --------------------------------------------------------------------------------------------------------------
# End-of-day digest


@dataclass
class DigestPlan:
    day: Any
    ends_at: datetime
    resumes_at: datetime
    tickets: list[Ticket]
    reasons: dict[int, list[str]]
    # Each active view's forecast of the day (mentions/forecast/day.py), by view name.
    forecasts: list[tuple[str, Forecast]] = field(default_factory=list)


def digest_day(*, now: datetime, coverage: Coverage, lead: timedelta) -> Any:
    """The covered day whose digest is due at `now`: from `lead` before its end until a few
    hours after (a beat that was down longer sends nothing stale)."""
    for day in (now.date(), now.date() - timedelta(days=1)):
        if coverage.is_covered_day(day):
            end = coverage.window(day)[1]
            if end - lead <= now < end + DIGEST_WINDOW:
                return day
    return None


def digest_tickets(
    *, ends_at: datetime, coverage: Coverage, margin: timedelta, hn_points: int, limit: int = 200
) -> tuple[list[Ticket], datetime]:
    """Waiting tickets without a first reply that fall due before coverage resumes (plus the
    margin), or that are urgent; least time left first."""
    resumes = coverage.next_start(ends_at)
    qs = (
        Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True)
        .filter(Q(sla_due_at__lt=resumes + margin) | urgent_q(hn_points=hn_points))
        .select_related("channel")
        .order_by("sla_due_at", "id")[:limit]
    )
    return list(qs), resumes


def _forecasts(now: datetime) -> list[tuple[Any, Forecast]]:
    # A view of noise alone (the Noise view, mentions 0056) holds nothing the team owes a reply: its forecast would
    # only lengthen the night's message.
    views = [v for v in View.objects.filter(is_active=True) if not v.noise_only]
    by_view = view_forecasts(now=now, views=views)
    return [(view, by_view[view.pk]) for view in views]


def digest_text(*, plan: DigestPlan, now: datetime) -> str:
    n = len(plan.tickets)
    lines = [
        f"*End of coverage {plan.day:%a %Y-%m-%d}.* {n} waiting ticket{'s' if n != 1 else ''} may turn urgent "
        f"before coverage resumes {plan.resumes_at:%a %Y-%m-%d %H:%M} UTC:"
    ]
    for ticket in plan.tickets[:DIGEST_MAX_LINES]:
        clock = clock_text(ticket.sla_due_at, now) if ticket.sla_due_at else "no due time"
        why = plan.reasons.get(ticket.pk) or []
        extra = f" · {slack_escape(', '.join(why))}" if why else ""
        lines.append(f"• {_ticket_link(ticket)} · {slack_escape(ticket.channel.name)} · {clock}{extra}")
    if n > DIGEST_MAX_LINES:
        lines.append(f"…and {n - DIGEST_MAX_LINES} more: {settings.DESK_BASE_URL}/tickets/?order=time_left")
    if plan.forecasts:
        lines.append("*Forecast per view* (an estimate: waiting now, recent arrivals and the team's recent replies):")
        lines.extend(f"• {slack_escape(name)}: {slack_escape(f.explanation)}" for name, f in plan.forecasts)
    return "\n".join(lines)


def coverage_digest_send(*, now: datetime | None = None) -> CoverageDigest | None:
    """Beat: at the end of each covered day, post the list once (one row per day; a failed
    post is retried by the next run while the day's window lasts)."""
    from channels.adapters.slack.client import NOT_CONFIGURED, SlackError, SlackTransient, slack_post_message

    now = now or timezone.now()
    coverage = coverage_load()
    duty = _duty()
    day = digest_day(now=now, coverage=coverage, lead=timedelta(minutes=duty.digest_lead_minutes))
    if day is None:
        return None
    try:
        with transaction.atomic():
            CoverageDigest.objects.create(day=day, slack_channel=duty.advocates_channel)
    except IntegrityError:
        pass  # already there: sent, empty, or pending a retry
    with transaction.atomic():
        digest = (
            CoverageDigest.objects.select_for_update(skip_locked=True)
            .filter(day=day, status=CoverageDigest.Status.PENDING)
            .first()
        )
        if digest is None:
            return None
        if not digest.text:
            ends_at = coverage.window(day)[1]
            tickets, resumes = digest_tickets(
                ends_at=ends_at,
                coverage=coverage,
                margin=timedelta(hours=duty.digest_margin_hours),
                hn_points=duty.hn_urgent_points,
            )
            if not tickets:
                digest.status = CoverageDigest.Status.EMPTY
                digest.save()
                logger.info("digest: %s, nothing at risk; not posted", day)
                return digest
            plan = DigestPlan(
                day=day,
                ends_at=ends_at,
                resumes_at=resumes,
                tickets=tickets,
                reasons=urgency_reasons(tickets, hn_points=duty.hn_urgent_points),
                forecasts=[(view.name, f) for view, f in _forecasts(now)],
            )
            digest.ticket_ids = [t.pk for t in tickets]
            digest.text = digest_text(plan=plan, now=now)
        digest.attempts += 1
        try:
            ts, channel_id = slack_post_message(
                channel=digest.slack_channel or duty.advocates_channel, text=digest.text
            )
        except SlackTransient as exc:
            digest.last_error = str(exc)[:300]
            logger.info("digest: %s not posted yet (%s); the next run retries", day, exc)
        except SlackError as exc:
            digest.status = CoverageDigest.Status.FAILED
            digest.last_error = exc.message[:300]
            if exc.code != NOT_CONFIGURED:  # without Slack the digest's row says why; the client logs it once a day
                logger.warning("digest: %s refused by Slack: %s", day, exc.message)
        else:
            digest.status = CoverageDigest.Status.SENT
            digest.slack_ts, digest.slack_channel = ts, channel_id
            digest.sent_at = now
            digest.last_error = ""
            logger.info("digest: %s posted with %s tickets", day, len(digest.ticket_ids))
        digest.save()
    return digest
