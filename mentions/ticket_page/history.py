"""The ticket's history as sentences a person would write.

"Ada sent a reply as @gitlab on X - first reply 2 h 10 m after the mention, within the 5 h
target." Times are UTC. Technical data (external ids, message ids, send keys) stays out of the
sentence and is kept in `details`, which the page shows on hover and in a details line.
Event data comes from the database and, for some kinds, from the platforms: everything here is
plain text, escaped by the template.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.adapters.platform import Action
from channels.adapters.registry import platform_or_default
from mentions.models import Intent, Judgement, Ticket, TicketEvent
from mentions.permissions.private_messages import HIDDEN_SAID
from mentions.services.sla import span_text

K = TicketEvent.Kind
DASH = "\u2013"  # an en dash between a sentence and its clause
# Data keys that are worded in the sentence; the rest are technical details.
_WORDED = {
    *("from", "to", "via", "view", "reason", "tag", "rule", "macro", "link", "url", "handle", "first_reply"),
    *("actions", "said", "source", "into", "author", "expert", "status", "error", "retry_in", "late_by_minutes"),
    *("community_error", "community_retry", "answer_seconds", "part", "slack_share", "share_answered", "note"),
    *("by", "claimed", "suggested", "intent_from", "intent_to", "account", "message", "word", "text"),
    *("issue", "action", "event", "milestone", "drafted_by", "taken", "replaced", "product"),
}
_HIDDEN = {"previous_text", "token", "at"}  # too long, or a secret-like key: not shown at all


@dataclass(frozen=True)
class Line:
    at: datetime
    kind: str
    text: str
    link: str = ""  # a URL the sentence refers to (shown only if it is http(s))
    details: str = ""


def history_lines(ticket: Ticket, events: Iterable[TicketEvent], *, hidden: frozenset[str] = frozenset()) -> list[Line]:
    """`hidden`: the platform ids of private messages the reader does not read (mentions.permissions.private_messages):
    a line about one says it was private, and keeps no text of it (an edit's earlier text) nor its details."""
    lines = []
    for event in events:
        line = _line(ticket, event)
        if hidden and _data(event).get("external_id") in hidden:
            line = Line(at=line.at, kind=line.kind, text=f"{line.text} (a private message: {HIDDEN_SAID})")
        lines.append(line)
    return lines


def _who(event: TicketEvent) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    data = _data(event)
    if data.get("rule"):
        return f"Triage rule “{data['rule']}”"
    return "The desk"


def _data(event: TicketEvent) -> dict[str, Any]:
    return event.data if isinstance(event.data, dict) else {}


def _s(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _details(event: TicketEvent, worded: set[str]) -> str:
    pairs = [
        f"{k}: {_s(v)}"
        for k, v in _data(event).items()
        if k not in worded and k not in _HIDDEN and v not in (None, "", False, [], {})
    ]
    return " · ".join(pairs)


def _first_reply(ticket: Ticket) -> str:
    """The clause after a first reply: ", first reply 2 h 10 m after the mention, within the 5 h target"."""
    if ticket.first_reply_seconds is None:
        return ""
    said = f" {DASH} first reply {span_text(ticket.first_reply_seconds)} after the mention"
    if ticket.sla_due_at is None or ticket.first_reply_at is None:
        return said
    if ticket.sla_target == Ticket.SlaTarget.SECURITY:
        target = "the one-business-day security target"
    else:
        target = f"the {span_text((ticket.sla_due_at - ticket.requested_at).total_seconds())} target"
    return f"{said}, {'within' if ticket.first_reply_at <= ticket.sla_due_at else 'after'} {target}"


def _via(data: dict) -> str:
    return {"bulk": " (bulk action)", "admin": " (in admin)"}.get(str(data.get("via", "")), "")


def _reason(data: dict) -> str:
    return f": “{data['reason']}”" if data.get("reason") else ""


def _assigned(t: Ticket, e: TicketEvent, d: dict) -> str:
    if d.get("via") == "play":
        return f"{_who(e)} took it with Play from the “{d.get('view', '')}” view"
    was = f" (was {d['from']})" if d.get("from") else ""
    return f"{_who(e)} assigned it to {d.get('to', 'someone')}{was}{_via(d)}"


def _unassigned(t: Ticket, e: TicketEvent, d: dict) -> str:
    if d.get("via") == "release":
        return f"{_who(e)} released it to the queue{_reason(d)}"
    return f"{_who(e)} put it back in the queue{_via(d)}{_reason(d)}"


def _status(t: Ticket, e: TicketEvent, d: dict) -> str:
    to = Ticket.Status(d["to"]).label.lower() if d.get("to") in Ticket.Status.values else _s(d.get("to", "?"))
    why = f" {DASH} {d['reason']}" if d.get("reason") else ""
    return f"{_who(e)} set the status to {to}{_via(d)}{why}"


def _priority(t: Ticket, e: TicketEvent, d: dict) -> str:
    was = f" (was {d['from']})" if d.get("from") else ""
    via = f" ({d['via']})" if d.get("via") and not _via(d) else _via(d)
    return f"{_who(e)} set the priority to {d.get('to', '?')}{was}{via}"


def _judgement_label(value: Any) -> str:
    return Judgement(value).label if value in Judgement.values else (_s(value) or "not judged")


def _judgement(t: Ticket, e: TicketEvent, d: dict) -> str:
    if d.get("from") == d.get("to") and not d.get("intent_to"):  # an unsure judgement, confirmed as it stood
        return f"{_who(e)} confirmed the judgement the desk was unsure of: {_judgement_label(d.get('to'))}"
    said = f"{_who(e)} corrected the judgement: {_judgement_label(d.get('from'))} → {_judgement_label(d.get('to'))}"
    if d.get("intent_to"):
        was = Intent(d["intent_from"]).label if d.get("intent_from") in Intent.values else "none"
        now = Intent(d["intent_to"]).label if d["intent_to"] in Intent.values else _s(d["intent_to"])
        said += f" (intent {was} → {now})"
    return said


def _note(t: Ticket, e: TicketEvent, d: dict) -> str:
    if "outreach" in d:
        expert = d.get("expert", "the expert")
        if d.get("via") == "slack":
            return _outreach_in_slack(d, expert)
        if d.get("status") == "answered":
            took = f" after {span_text(d['answer_seconds'])}" if isinstance(d.get("answer_seconds"), int) else ""
            return f"The expert answered on the platform{took}: outreach closed"
        if d.get("error"):
            retry = f"; retrying in {span_text(d['retry_in'])}" if isinstance(d.get("retry_in"), int) else ""
            return f"The Slack message asking {expert} could not be posted: {d['error']}{retry}"
        if d.get("status") == "declined":
            return f"{_who(e)} closed the outreach to {expert}{_reason(d)}"
        where = f" in {d['channel']}" if d.get("channel") else ""
        return f"{_who(e)} asked {expert}{where} (outreach {d.get('status', '')})"
    if d.get("share_answered"):  # notifications.share_watch
        took = f" {span_text(d['answer_seconds'])}" if isinstance(d.get("answer_seconds"), int) else ""
        return f"A team member answered on the platform{took} after the share to {d['share_answered']}"
    if d.get("slack_share"):  # notifications.share
        said = f": “{d['note']}”" if d.get("note") else ""
        return f"{_who(e)} shared it to {d['slack_share']}{said}"
    if d.get("community_retry"):
        wait = f" in {span_text(d['retry_in'])}" if isinstance(d.get("retry_in"), int) else " later"
        return f"Slack was busy, so sharing the mention in Slack is tried again{wait}"
    if d.get("community_error"):
        return f"Sharing the mention in Slack failed: {d['community_error']}"
    if d.get("community_post"):
        return f"The mention was shared in Slack {d.get('channel', '')}".rstrip()
    if d.get("via") == "slack":
        return "A reply in the outreach's Slack thread was added as an internal note"
    return f"{_who(e)} added an internal note"


def _outreach_in_slack(d: dict, expert: str) -> str:
    """What the expert did with the outreach's message in Slack (experts.slack_outreach)."""
    if d.get("claimed"):
        return f"{d['claimed']} said in Slack they will answer"
    by = d.get("by") or expert
    if d.get("status") == "answered":
        took = f" after {span_text(d['answer_seconds'])}" if isinstance(d.get("answer_seconds"), int) else ""
        return f"{by} said in Slack they answered{took}: outreach closed"
    suggest = f", suggesting {d['suggested']}" if d.get("suggested") else ""
    return f"{expert} passed the outreach on in Slack{suggest}{_reason(d)}"


def _acted(t: Ticket, e: TicketEvent, d: dict, action: Action) -> str:
    """A like or repost in the platform's own word, as its button and result said: "Kim boosted a mention on the
    platform as @gitlab", "Kim reacted 👍 to a mention", or the desk's "liked" / "reposted"."""
    word = platform_or_default(t.channel.kind).action_done(action)
    verb = word[:1].lower() + word[1:]
    if verb.startswith("reacted"):
        verb += " to"
    return f"{_who(e)} {verb} a mention on the platform as {d.get('account', '?')}"


def _replied(t: Ticket, e: TicketEvent, d: dict) -> str:
    first = _first_reply(t) if d.get("first_reply") else ""
    return f"{_who(e)} replied on {t.channel.name}{first}"


def _sent(t: Ticket, e: TicketEvent, d: dict) -> str:
    first = _first_reply(t) if d.get("first_reply") else ""
    handle = platform_or_default(t.channel.kind).handle_shown(str(d.get("handle", "?")))
    written = f" (written by {d['drafted_by']}, approved)" if d.get("drafted_by") else ""
    return f"{_who(e)} sent a reply as {handle} on {t.channel.name}{written}{first}"


def _whose(d: dict) -> str:
    """Whose reply waited for approval: "Kim's", or "the" when the submitter is not known (a deleted user)."""
    return f"{d['by']}'s" if d.get("by") else "the"


def _withdrawn(t: Ticket, e: TicketEvent, d: dict) -> str:
    """A reply waiting for approval that stopped waiting without a decision (mentions.services.approvals)."""
    if d.get("taken"):
        return f"{_who(e)} took {_whose(d)} reply into the reply box to edit it"
    if d.get("replaced"):
        return f"{_who(e)} replaced their reply waiting for approval"
    return f"{_who(e)} withdrew a reply waiting for approval"


def _breached(t: Ticket, e: TicketEvent, d: dict) -> str:
    late = d.get("late_by_minutes")
    by = f" by {span_text(late * 60)}" if isinstance(late, int) and late > 0 else ""
    return f"The first-reply target was missed{by}"


def _tag(verb: str) -> Callable[[Ticket, TicketEvent, dict], str]:
    return lambda t, e, d: f"{_who(e)} {verb} the tag “{d.get('tag', '?')}”{_via(d)}"


_ISSUE_EVENTS = {"closed": "closed", "milestone": "got a milestone"}


def _issue(t: Ticket, e: TicketEvent, d: dict) -> str:
    """Filed or linked by an advocate; closed or given a milestone (the desk read it); a follow-up sent."""
    ref, action = d.get("issue", "?"), d.get("action", "")
    if action in ("filed", "linked"):
        return f"{_who(e)} {action} issue {ref}"
    milestone = f" ({d['milestone']})" if d.get("milestone") else ""
    happened = f"Issue {ref} {_ISSUE_EVENTS.get(str(d.get('event')), 'changed')}{milestone}"
    if action == "followup_sent":
        return f"{happened}: follow-up sent by {_who(e)} as {d.get('handle', '?')}"
    return happened


SENTENCES: dict[str, Callable[[Ticket, TicketEvent, dict], str]] = {
    K.CREATED: lambda t, e, d: f"Ticket opened from a mention on {t.channel.name}",
    K.MESSAGE: lambda t, e, d: f"{d.get('author') or 'The requester'} followed up",
    K.OUR_REPLY_SEEN: lambda t, e, d: f"Our reply by {d.get('author') or 'our team'} was seen on the platform",
    K.ASSIGNED: _assigned,
    K.UNASSIGNED: _unassigned,
    K.SKIPPED: lambda t, e, d: f"{_who(e)} skipped it in Play{_reason(d)}",
    K.STATUS: _status,
    K.TAG_ADDED: _tag("added"),
    K.TAG_REMOVED: _tag("removed"),
    K.NOTE: _note,
    K.REPLIED: _replied,
    K.MACRO: lambda t, e, d: f"{_who(e)} applied the macro “{d.get('macro', '?')}”",
    K.REPLY_PREFILLED: lambda t, e, d: (
        f"{_who(e)} prefilled the reply" + (f" with the saved reply “{d['via']}”" if d.get("via") else "")
    ),
    K.REPLY_SENT: _sent,
    K.REPLY_FAILED: lambda t, e, d: f"{_who(e)}'s reply as {d.get('handle', '?')} was not posted: {d.get('error', '')}",
    K.MESSAGE_EDITED: lambda t, e, d: "A message was edited on the platform (the earlier text is in the details)",
    K.MESSAGE_DELETED: lambda t, e, d: "A message was deleted on the platform",
    K.SLA_BREACHED: _breached,
    K.RULE_APPLIED: lambda t, e, d: f"Triage rule “{d.get('rule', '?')}” applied: {_s(d.get('actions', ''))}".rstrip(
        ": "
    ),
    K.RETURNED: lambda t, e, d: f"Returned to the queue: {d.get('said') or d.get('reason', '')}",
    K.PRIORITY: _priority,
    K.MERGED: lambda t, e, d: f"{_who(e)} merged #{d.get('source', '?')} into this ticket{_reason(d)}",
    K.MERGED_INTO: lambda t, e, d: f"{_who(e)} merged this ticket into #{d.get('into', '?')}{_reason(d)}",
    K.FRONT_PAGE: lambda t, e, d: (
        "The story reached the Hacker News front page: marked urgent, advocates told on Slack"
    ),
    K.JUDGEMENT: _judgement,
    K.LIKED: lambda t, e, d: _acted(t, e, d, "like"),
    K.REPLY_DELETED: lambda t, e, d: f"{_who(e)} deleted our post by {d.get('account', '?')} from the platform",
    K.REPOSTED: lambda t, e, d: _acted(t, e, d, "repost"),
    K.DIRECT_MESSAGE: lambda t, e, d: (
        f"{_who(e)} moved the conversation to a direct message: sent to {d.get('to') or '?'} as {d.get('account', '?')}"
    ),
    K.ISSUE: _issue,
    # "snoozed until Mon Nov 30 9:00 (Europe/Berlin)", "came back: the requester answered" (mentions.services.snooze)
    K.SNOOZED: lambda t, e, d: (
        f"{_who(e)} {d.get('said') or 'snoozed it'}" + (", with a Slack reminder" if d.get("remind_slack") else "")
    ),
    K.WOKE: lambda t, e, d: (
        (d.get("said") or "came back").capitalize()
        + (f" (by {_who(e)})" if e.actor_id and d.get("reason") == "unsnoozed" else "")
    ),
    # "Handed over by Ana to Kim, to watch until Tue 07:00 UTC"; "The watch ended at ... with nothing done: back to Ana"
    # (mentions.services.handover writes both sentences).
    K.HANDED_OVER: lambda t, e, d: str(d.get("said") or f"{_who(e)} handed it over to {d.get('to') or '?'}"),
    K.HANDED_BACK: lambda t, e, d: str(d.get("said") or "The watch ended"),
    K.NEXT_REPLY_BREACHED: lambda t, e, d: (
        "The next-reply target was missed"
        + (f" by {span_text(d['late_by_minutes'] * 60)}" if isinstance(d.get("late_by_minutes"), int) else "")
    ),
    # Replies waiting for an advocate's approval (mentions.services.approvals).
    K.REPLY_SUBMITTED: lambda t, e, d: (
        f"{_who(e)} submitted a reply as {platform_or_default(t.channel.kind).handle_shown(str(d.get('handle', '?')))}"
        " for an advocate's approval"
    ),
    K.REPLY_APPROVED: lambda t, e, d: f"{_who(e)} approved {_whose(d)} reply and sent it",
    K.REPLY_REJECTED: lambda t, e, d: f"{_who(e)} rejected {_whose(d)} reply{_reason(d)}",
    K.REPLY_WITHDRAWN: _withdrawn,
    # intake.pipeline.accepted marks it; closing it is a status change with its reason (mentions.services.community).
    K.COMMUNITY_ANSWERED: lambda t, e, d: (
        "The asker accepted an answer by someone outside the team: it can be closed as answered by the community"
    ),
    # mentions.services.products: "Ana moved it from GitLab to GitLab Runner".
    K.PRODUCT: lambda t, e, d: f"{_who(e)} moved it from {d.get('from') or '?'} to {d.get('to') or '?'}",
    # mentions.judgement.follow: "The desk judged it again as Kiln Cloud's: Noise → Needs a response".
    K.REJUDGED: lambda t, e, d: (
        f"The desk judged it again as {d.get('product') or '?'}'s: {_judgement_label(d.get('from'))} → "
        f"{_judgement_label(d.get('to'))}"
    ),
    K.ANSWER_USED: lambda t, e, d: (
        f"{_who(e)} used the earlier answer on #{d.get('source', '?')}"
        f"{' (its link only)' if d.get('part') == 'link' else ''}"
    ),
}


def _line(ticket: Ticket, event: TicketEvent) -> Line:
    d = _data(event)
    sentence = SENTENCES.get(event.kind)
    try:
        text = sentence(ticket, event, d) if sentence else f"{_who(event)}: {event.get_kind_display()}"
    except (KeyError, TypeError, ValueError, AttributeError):
        # Stored data of an unexpected shape (older rows, hand edits) still reads as a line.
        text = f"{_who(event)}: {event.get_kind_display()}"
    link = d.get("link") or d.get("url") or ""
    details = _details(event, _WORDED)
    if event.kind == K.MESSAGE_EDITED and d.get("previous_text"):
        details = " · ".join(filter(None, [details, f"earlier text: {str(d['previous_text'])[:300]}"]))
    if event.kind == K.REPLY_DELETED and d.get("text"):
        details = " · ".join(filter(None, [details, f"what it said: {str(d['text'])[:300]}"]))
    return Line(at=event.created_at, kind=event.kind, text=text, link=str(link), details=details)
