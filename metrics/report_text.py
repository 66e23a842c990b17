"""The text of a scheduled report: its period, and its figures as Slack mrkdwn and as plain-text e-mail.

Every figure comes from `kpi_json` for the period, the same call as `manage.py kpi --json --from --to`, so the
report says what the KPI pages say; numbers are printed with the JSON's own rounding (hours to 2 decimals,
shares to 1), so a reader can check one against the other."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from channels.adapters.slack.client import slack_escape, slack_link

WEEKLY, MONTHLY = "weekly", "monthly"
BUSIEST_CHANNELS = 5
RISING_TAGS = 5
_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")
_MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")
# Slack has no escape for its formatting marks; a word joiner after each keeps a name's "*" or "_" from pairing
# with another into bold or italics, and is invisible when read.
_MRKDWN_MARKS = re.compile(r"([*_~`])")


@dataclass(frozen=True)
class Period:
    kind: str
    key: str  # "2026-W47" (ISO week) or "2026-11"
    start: date
    end: date  # included


def period_containing(kind: str, day: date) -> Period:
    if kind == WEEKLY:
        start = day - timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(kind, f"{year:04d}-W{week:02d}", start, start + timedelta(days=6))
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(kind, f"{start:%Y-%m}", start, end)


def period_before(kind: str, day: date) -> Period:
    """The full period before the one `day` is in: the Monday-Sunday week, or the month."""
    return period_containing(kind, period_containing(kind, day).start - timedelta(days=1))


def period_parse(kind: str, key: str) -> Period:
    """ "2026-W47" for a week, "2026-11" for a month; ValueError otherwise."""
    pattern = _WEEK_KEY if kind == WEEKLY else _MONTH_KEY
    match = pattern.fullmatch(key.strip())
    if not match:
        raise ValueError(f"Give the period as {'2026-W47' if kind == WEEKLY else '2026-11'}, not {key!r}.")
    year, number = int(match.group(1)), int(match.group(2))
    if kind == WEEKLY:
        return period_containing(kind, date.fromisocalendar(year, number, 1))
    if not 1 <= number <= 12:
        raise ValueError(f"No month {key!r}.")
    return period_containing(kind, date(year, number, 1))


def report_subject(period: Period, product: dict | None = None) -> str:
    """The subject; a report of one product (kpi_json's "product", issue 71) names it."""
    desk = f"Triage Desk, {product['name']}" if product else "Triage Desk"
    if period.kind == WEEKLY:
        return f"{desk}: week {period.key} first replies"
    return f"{desk}: {period.start:%B %Y} report"


def report_url(period: Period, product: dict | None = None) -> str:
    """The KPI page of the period (narrowed to the report's product, when it is one's), as browsers reach the desk."""
    narrowed = {"product": product["slug"]} if product else {}
    if period.kind == WEEKLY:
        query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat(), **narrowed})
        return f"{settings.SITE_URL}{reverse('metrics:dashboard')}?{query}"
    return f"{settings.SITE_URL}{reverse('metrics:monthly')}?{urlencode({'month': period.key, **narrowed})}"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} h"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _target(value: float) -> str:
    return f"{value:g} h"


def _verdict(median: float | None, target: float) -> str:
    if median is None:
        return "no replies"
    return "on target" if median < target else "over target"


def report_lines(data: dict, period: Period, name: Callable[[str], str]) -> list[str]:
    """The report's lines, `name` making each channel or tag name safe for where the text goes (Slack or
    e-mail). `data` is kpi_json for the period."""
    fr = data["first_reply"]
    all_, hp = fr["all"], fr["high_priority"]
    activity = data["activity"]
    received = sum(day["created"] for day in activity)
    solved = sum(day["solved"] for day in activity)
    lines = [f"{period.start:%a %d %b %Y} to {period.end:%a %d %b %Y} (UTC)", ""]
    for label, row in (("First replies", all_), ("High priority", hp)):
        lines.append(
            f"{label}: {row['replied']}, median {_hours(row['median_hours'])} (target under "
            f"{_target(row['target_hours'])}: {_verdict(row['median_hours'], row['target_hours'])}), "
            f"p90 {_hours(row['p90_hours'])}, within target {_pct(row['within_target_pct'])}"
        )
    lines.append(
        f"Still waiting: {all_['unreplied']} ({all_['unreplied_over_target']} over target); "
        f"solved without a reply: {all_['solved_without_reply']}"
    )
    lines.append(f"Tickets received: {received}, solved: {solved}")
    if data.get("community"):
        lines.append(community_line(data["community"], name))
    # A channel's tickets of the period: replied, waiting, or solved without a reply (first_reply_stats).
    counts = {
        channel: row["replied"] + row["unreplied"] + row["solved_without_reply"]
        for channel, row in fr["by_channel"].items()
    }
    channels = sorted((c for c in counts if counts[c]), key=lambda c: (-counts[c], c))[:BUSIEST_CHANNELS]
    if channels:
        busiest = ", ".join(
            f"{name(channel)} {counts[channel]} (median {_hours(fr['by_channel'][channel]['median_hours'])})"
            for channel in channels
        )
        lines.append(f"Busiest channels: {busiest}")
    rising = [row for row in data["tags_rising"] if row["change"] > 0][:RISING_TAGS]
    if rising:
        lines.append(
            f"Rising tags (30 days to {period.end:%d %b}): "
            + ", ".join(f"{name(str(row['tag']))} +{row['change']} ({row['current']})" for row in rising)
        )
    for row in data["outreach"]:
        rate = None if row["answer_rate"] is None else 100.0 * row["answer_rate"]
        # kpi_json counts outreach sent within the period, per month: a week across two months has two rows.
        label = "" if len(data["outreach"]) == 1 else f" (its days in {row['month'][:7]})"
        lines.append(
            f"Expert outreach{label}: {row['asked']} asked, {row['answered']} answered, "
            f"{row['declined']} declined, answer rate {_pct(rate)}, "
            f"median answer {_hours(row['median_answer_hours'])}"
        )
    lines.extend(_engagement_lines(data.get("team_engagement"), name))
    return lines


def community_line(c: dict, name: Callable[[str], str]) -> str:
    """The period's community in words (metrics.community_summary, as kpi_json gives it): "Mentions: 1,240, +18.0% on
    the month before (1,051); negative 14.0%, up from 9.0%, most often about ci-minutes (tag, 12 of 174)". No
    percentage of nothing: a period after none says so, a sentiment not judged yet says that."""
    before = c["previous_label"]
    if not c["previous_mentions"]:
        line = f"Mentions: {c['mentions']:,} (none {before})"
    elif c["mentions"] == c["previous_mentions"]:
        line = f"Mentions: {c['mentions']:,}, as many as {before}"
    else:
        line = f"Mentions: {c['mentions']:,}, {c['change_pct']:+.1f}% on {before} ({c['previous_mentions']:,})"
    if not c["judged"]:
        return line + ("; sentiment not judged yet" if c["mentions"] else "")
    of = f" of the {c['judged']:,} judged" if c["judged"] < c["mentions"] else ""
    line += f"; negative {c['negative_pct']:.1f}%{of}"
    now, then = c["negative_pct"], c["previous_negative_pct"]
    if then is None:
        line += f" (none judged {before})"
    elif now == then:
        line += f", as {before}"
    else:
        line += f", {'up' if now > then else 'down'} from {then:.1f}%"
    if c["topic"]:
        line += f", most often about {name(c['topic'])} ({c['topic_kind']}, {c['topic_mentions']} of {c['negative']})"
    return line


def _engagement_lines(team: dict | None, name: Callable[[str], str]) -> list[str]:
    """Team members answering in public (metrics.engagement), where, and after which shares."""
    if not team:
        return []
    where = ", ".join(
        f"{name(row['platform'])} {row['members']} ({row['answers']} answers)" for row in team["platforms"]
    )
    line = f"Team members answering in public: {team['members']}, {team['answers']} answers"
    line += f" ({where})" if where else ""
    shares = ", ".join(f"{name(row['slack_channel'])} {row['answers']}" for row in team["shares"])
    line += f"; after a share to Slack: {team['after_share']}" + (f" ({shares})" if shares else "")
    return [line]


def slack_name(text: str) -> str:
    return _MRKDWN_MARKS.sub("\\1\u2060", slack_escape(text))


def report_slack_text(data: dict, period: Period) -> str:
    lines = report_lines(data, period, slack_name)
    head = f"*{slack_escape(report_subject(period, data.get('product')))}*"
    body = [lines[0], *("• " + line for line in lines[2:])]
    return "\n".join([head, *body, slack_link(report_url(period, data.get("product")), "The KPI page for this period")])


def report_email_text(data: dict, period: Period) -> str:
    lines = report_lines(data, period, str)
    return "\n".join([*lines, "", f"The KPI page for this period: {report_url(period, data.get('product'))}", ""])
