"""Team engagement in a period: how many distinct team members answered in public, on which platforms, and how
many of those answers followed a share to Slack (the handbook's "measure more team members engaging").

A public answer is one of our replies seen on the platform (it has the platform's id) in the period, by its time
there; it is a team member's when experts.team says its author is one (an expert in the directory, or an account
tied to a desk user by sign-in), the same decision the ingest made. The channel's own accounts are the desk
answering, not a member engaging, and are not counted. A member is counted once: by their desk user when one is
known, else by their directory entry, across platforms. An answer followed a share when the thread watcher
marked that share answered by it (notifications.share_watch). Four queries whatever the month holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from channels.adapters.registry import platform_or_default
from experts.team import team_authors_on
from mentions.models import Message, TicketEvent
from mentions.rules import handle_key
from metrics.periods import day_bounds
from metrics.product_scope import tickets_narrowed


def engagement_rows(*, start: date, end: date) -> list[dict[str, Any]]:
    """The CSV's rows: all platforms first, then one per platform."""
    figures = team_engagement(start=start, end=end)
    total = {"platform": "All platforms", **{k: figures[k] for k in ("members", "answers", "after_share")}}
    return [total, *figures["platforms"]]


def _member_key(user_id: int | None, expert_id: int | None) -> str:
    return f"user:{user_id}" if user_id is not None else f"expert:{expert_id}"


def team_engagement(*, start: date, end: date) -> dict[str, Any]:
    """{"members", "answers", "after_share", "platforms": [{"platform", "members", "answers", "after_share"}],
    "shares": [{"slack_channel", "answers"}]}, platforms and shares busiest first."""
    since, until = day_bounds(start, end)
    replies = list(
        tickets_narrowed(
            Message.objects.filter(
                kind=Message.Kind.OUR_REPLY, platform_created_at__gte=since, platform_created_at__lt=until
            ),
            field="ticket__product",
        )
        .exclude(external_id__isnull=True)
        .exclude(external_id="")
        .exclude(author_handle="")
        .values_list("ticket_id", "external_id", "channel__kind", "author_handle")
    )
    handles: dict[str, set[str]] = defaultdict(set)
    for _, _, kind, handle in replies:
        handles[kind].add(handle)
    team = team_authors_on(handles=handles)
    answers = []
    for ticket_id, external_id, kind, handle in replies:
        who = team.get((kind, handle_key(handle)))
        if who is not None:
            answers.append((ticket_id, external_id, kind, _member_key(who.user_id, who.expert_id)))
    # (ticket, answer's id) -> the Slack channel of the share it answered: an id is unique on its platform only.
    shared = (
        {
            (ticket_id, external_id): channel
            for ticket_id, external_id, channel in TicketEvent.objects.filter(
                kind=TicketEvent.Kind.NOTE,
                data__has_key="share_answered",
                ticket_id__in={ticket_id for ticket_id, _, _, _ in answers},
            ).values_list("ticket_id", "data__external_id", "data__share_answered")
        }
        if answers
        else {}
    )
    members: dict[str, set[str]] = defaultdict(set)
    per_platform: Counter[str] = Counter()
    after_share: Counter[str] = Counter()
    per_share: Counter[str] = Counter()
    for ticket_id, external_id, kind, member in answers:
        name = platform_or_default(kind).spoken_name
        members[name].add(member)
        per_platform[name] += 1
        if (channel := shared.get((ticket_id, external_id))) is not None:
            after_share[name] += 1
            per_share[str(channel)] += 1
    return {
        "members": len({member for _, _, _, member in answers}),
        "answers": len(answers),
        "after_share": sum(after_share.values()),
        "platforms": [
            {"platform": name, "members": len(members[name]), "answers": count, "after_share": after_share[name]}
            for name, count in sorted(per_platform.items(), key=lambda item: (-item[1], item[0]))
        ],
        "shares": [
            {"slack_channel": channel, "answers": count}
            for channel, count in sorted(per_share.items(), key=lambda item: (-item[1], item[0]))
        ],
    }
