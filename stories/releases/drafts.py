"""What the story page shows for a release: the answer as each platform would carry it, and the Hacker News summary
post the release advocate posts by hand (Hacker News has no API to post: the desk never does).

Per platform: the answer fitted as stories.answering.drafts fits it for a ticket there (the platform's length as it
counts it, cut at a word with the link kept), for each platform of the story's tickets, or, before any ticket joined,
for each platform the desk has a channel of. No requester yet, so no greeting: each ticket's own draft adds it."""

from __future__ import annotations

from dataclasses import dataclass

from channels.adapters.registry import platform_or_default
from channels.models import Channel
from mentions.models import Ticket
from stories.answering.drafts import reply_rule
from stories.models import Membership, ReleasePlan

HN_TITLE_MAX = 80  # Hacker News refuses a longer title
ELLIPSIS = "…"


@dataclass(frozen=True)
class PlatformDraft:
    kind: str
    label: str
    body: str
    shortened: bool
    limit: int | None
    length: int  # as the platform counts it (X: a link is 23), which is what `limit` bounds


def platform_drafts(plan: ReleasePlan) -> list[PlatformDraft]:
    """The plan's answer per platform (its story's platforms, else the enabled channels'), in label order."""
    if not plan.answer.strip():
        return []
    kinds: set[str] = set()
    if plan.story_id is not None:
        tickets = Membership.objects.filter(story_id=plan.story_id).values("ticket_id")
        kinds = set(Ticket.objects.filter(pk__in=tickets).values_list("channel__kind", flat=True).distinct())
    if not kinds:
        kinds = set(Channel.objects.filter(enabled=True).values_list("kind", flat=True).distinct())
    text = plan.answer.replace("{link}", plan.url).replace("{title}", plan.title).strip()
    out = []
    for kind in kinds:
        platform = platform_or_default(kind)
        rule = reply_rule(kind)
        body, shortened = rule.fit(address="", text=text, link=plan.url)
        out.append(PlatformDraft(kind, platform.label, body, shortened, rule.limit, rule.length(body)))
    return sorted(out, key=lambda d: d.label.casefold())


def hn_title(plan: ReleasePlan) -> str:
    """The post's title as Hacker News takes it: at most 80 characters, cut at a word."""
    title = " ".join(plan.title.split())
    if len(title) <= HN_TITLE_MAX:
        return title
    head = title[: HN_TITLE_MAX - len(ELLIPSIS)]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-\u2013\u2014") + ELLIPSIS


def hn_summary(plan: ReleasePlan) -> str:
    """The summary comment that goes with the submission: the three features and the link, plain text (Hacker News
    shows text as written; a line starting with two spaces would be code, so none does)."""
    lines = [f"What's new in {plan.title}:" if plan.title else "What's new:"]
    lines += [f"- {feature.strip()}" for feature in plan.features]
    lines += ["", f"Release post: {plan.url}"]
    return "\n".join(lines)


def release_panel(story_id: int) -> dict[str, object] | None:
    """The story page's release block: the plan behind the story (the newest, should two posts share it), its
    features, its answer per platform and the Hacker News draft; None for a story no release plan opened."""
    plan = ReleasePlan.objects.filter(story_id=story_id).select_related("answer_approved_by").first()
    if plan is None:
        return None
    title = hn_title(plan)
    return {
        "plan": plan,
        "drafts": platform_drafts(plan) if plan.approved else [],
        "hn_title": title,
        "hn_title_cut": title != " ".join(plan.title.split()),
        "hn_text": hn_summary(plan),
        "hn_max": HN_TITLE_MAX,
    }
