"""Applying triage rules to the tickets an ingest batch opens, and trying a rule on recent tickets.

Everything for one batch is written in a handful of bulk statements, whatever the number of
tickets and rules: tags, ticket fields, notes, history events, and the Slack lines of rules
that notify a channel (returned to the caller, which queues them with the channel mirror)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from mentions.models import MacroAction, Message, Rule, Tag, Ticket, TicketEvent
from mentions.rules import CompiledRule, MentionFacts, RuleCompileError, RuleSet, mention_facts, rule_compile
from mentions.services.actions import template_render

logger = logging.getLogger(__name__)

TRY_LIMIT = 200
NOT_ACKNOWLEDGED = "not acknowledged"


def _compile_saved(rule: Rule) -> CompiledRule:
    """A rule loaded with its channels and macro actions prefetched."""
    macro_actions = [(a.kind, a.value) for a in rule.macro.actions.all()] if rule.macro_id else []
    return rule_compile(rule, channel_ids=[c.pk for c in rule.channels.all()], macro_actions=macro_actions)


def rules_load() -> RuleSet:
    """The enabled rules, compiled once for a batch. One that does not compile (stored around
    validation, e.g. by a script) is logged and left out."""
    compiled = []
    queryset = Rule.objects.filter(enabled=True).select_related("macro").prefetch_related("channels", "macro__actions")
    for rule in queryset:
        try:
            compiled.append(_compile_saved(rule))
        except Exception:  # a broken rule is skipped, ingestion goes on
            logger.exception("rules: rule %s %r cannot be compiled; skipped", rule.pk, rule.name)
    return RuleSet(compiled)


def facts_for_message(message: Message, channel: Any) -> MentionFacts:
    return mention_facts(
        channel_id=channel.pk,
        channel_kind=channel.kind,
        title=message.title,
        body=message.body,
        author_handle=message.author_handle,
        mentioned=message.mentioned,
    )


@dataclass
class RuleNotice:
    """A Slack line a rule asks for; queued by the caller."""

    destination: str
    ticket: Ticket
    rule: str


@dataclass
class _Plan:
    ticket: Ticket
    message: Message
    tags: dict[str, str] = field(default_factory=dict)  # tag -> rule that added it
    changed: bool = False


def _context(ticket: Ticket, message: Message) -> dict[str, str]:
    # No {user}: nobody has picked the ticket yet, so that placeholder stays for the advocate.
    return {
        "ticket_id": str(ticket.pk),
        "ticket_url": ticket.get_desk_url(),
        "requester": ticket.requester_handle or ticket.requester_name,
        "channel": ticket.channel.name,
        "permalink": message.permalink,
    }


def rules_apply(*, items: list[tuple[Ticket, Message]], ruleset: RuleSet | None = None) -> list[RuleNotice]:
    """Run the rules on tickets with an inbound message each (a new ticket's first message, or a
    follow-up), both saved, inside the caller's transaction. Returns the Slack notifications the rules ask for."""
    if not items:
        return []
    ruleset = ruleset if ruleset is not None else rules_load()
    if not ruleset.rules:
        return []
    now = timezone.now()
    plans: list[_Plan] = []
    events: list[TicketEvent] = []
    notes: list[tuple[Message, TicketEvent]] = []
    notices: list[RuleNotice] = []
    for ticket, message in items:
        matched = ruleset.match(
            facts_for_message(message, ticket.channel),
            where=f"ticket {ticket.pk} (channel {ticket.channel.slug}, message {message.external_id})",
        )
        if not matched:
            continue
        plan = _Plan(ticket=ticket, message=message)
        plans.append(plan)
        context = _context(ticket, message)
        for rule in matched:
            events.extend(_apply_one(plan, rule, context, now, notes, notices))

    changed = [p.ticket for p in plans if p.changed]
    if changed:
        for ticket in changed:
            ticket.updated_at = now  # bulk_update skips auto_now
        _tickets_update(changed)
    _tags_bulk_add(plans, events)
    if notes:
        Message.objects.bulk_create([m for m, _ in notes], batch_size=500)
        for note, event in notes:
            event.data["message_id"] = note.pk
            events.append(event)
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    return notices


_RULE_FIELDS = ("status", "priority", "high_priority", "solved_at", "reply_draft", "reply_from_role", "updated_at")


def _tickets_update(tickets: list[Ticket]) -> None:
    """Write what the rules changed. On PostgreSQL one UPDATE ... FROM unnest(arrays): Django's bulk_update
    builds a CASE per field and row, which cost ~1 s of Python per 1,000-mention page (bench/ingest_throughput)."""
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, list(_RULE_FIELDS), batch_size=500)
        return
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} t
            SET status = v.status, priority = v.priority, high_priority = v.high_priority, solved_at = v.solved_at,
                reply_draft = v.reply_draft, reply_from_role = v.reply_from_role, updated_at = v.updated_at
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::boolean[], %s::timestamptz[], %s::text[],
                        %s::text[], %s::timestamptz[])
                 AS v(id, status, priority, high_priority, solved_at, reply_draft, reply_from_role, updated_at)
            WHERE t.id = v.id
            """,  # noqa: S608 - the table name is the model's
            [
                [t.pk for t in tickets],
                *([getattr(t, name) for t in tickets] for name in _RULE_FIELDS),
            ],
        )


def _apply_one(
    plan: _Plan,
    rule: CompiledRule,
    context: dict[str, str],
    now: Any,
    notes: list[tuple[Message, TicketEvent]],
    notices: list[RuleNotice],
) -> list[TicketEvent]:
    """One rule's actions on one ticket, in memory; returns its history events."""
    ticket, actions = plan.ticket, rule.actions
    events = [
        TicketEvent(
            ticket=ticket,
            kind=TicketEvent.Kind.RULE_APPLIED,
            data={"rule": rule.name, "rule_id": rule.id, "actions": actions.describe()},
        )
    ]

    def status(to: str, reason: str) -> None:
        if ticket.status == to:
            return
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=TicketEvent.Kind.STATUS,
                data={"from": ticket.status, "to": to, "reason": reason, "rule": rule.name},
            )
        )
        ticket.status = to
        ticket.solved_at = now if to == Ticket.Status.SOLVED else None
        plan.changed = True

    def prefill(template: str) -> None:
        if ticket.reply_draft:
            return  # an earlier rule's suggestion stays
        ticket.reply_draft = template_render(template, context)
        plan.changed = True
        events.append(TicketEvent(ticket=ticket, kind=TicketEvent.Kind.REPLY_PREFILLED, data={"rule": rule.name}))

    for name in actions.tags:
        plan.tags.setdefault(name, rule.name)
    if actions.priority and ticket.priority_set(actions.priority):
        plan.changed = True
    # The macro's actions, as macro_apply would run them, with the rule as the actor.
    for kind, value in actions.macro_actions:
        if kind == MacroAction.Kind.SET_STATUS:
            status(value, f"macro {actions.macro_name}")
        elif kind == MacroAction.Kind.ADD_TAGS:
            for name in value.split():
                plan.tags.setdefault(name, rule.name)
        elif kind == MacroAction.Kind.REMOVE_TAGS:
            for name in value.split():
                plan.tags.pop(name, None)
        elif kind == MacroAction.Kind.ADD_NOTE:
            note = Message(
                ticket=ticket,
                channel=ticket.channel,
                kind=Message.Kind.NOTE,
                author_name=f"rule: {rule.name}"[:200],
                body=template_render(value, context),
                platform_created_at=now,
            )
            notes.append((note, TicketEvent(ticket=ticket, kind=TicketEvent.Kind.NOTE, data={"rule": rule.name})))
        elif kind == MacroAction.Kind.PREFILL_REPLY:
            prefill(value)
    if actions.reply_template:
        prefill(actions.reply_template)
    if actions.reply_from and ticket.reply_from_role != actions.reply_from:
        ticket.reply_from_role = actions.reply_from
        plan.changed = True
    if actions.notify_slack:
        notices.append(RuleNotice(destination=actions.notify_slack, ticket=ticket, rule=rule.name))
    if actions.close:
        status(Ticket.Status.SOLVED, NOT_ACKNOWLEDGED)
    return events


def _tags_bulk_add(plans: list[_Plan], events: list[TicketEvent]) -> None:
    names = {name for p in plans for name in p.tags}
    if not names:
        return
    tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = names - set(tags)
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in sorted(missing)], ignore_conflicts=True)
        tags.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
    through = Ticket.tags.through
    # A follow-up's rules may name a tag its ticket already has: no second "tag added".
    present = set(
        through.objects.filter(
            ticket_id__in={p.ticket.pk for p in plans}, tag_id__in=[t.pk for t in tags.values()]
        ).values_list("ticket_id", "tag_id")
    )
    rows = []
    for plan in plans:
        for name, rule in plan.tags.items():
            if (plan.ticket.pk, tags[name].pk) in present:
                continue
            present.add((plan.ticket.pk, tags[name].pk))
            rows.append(through(ticket_id=plan.ticket.pk, tag_id=tags[name].pk))
            events.append(
                TicketEvent(ticket=plan.ticket, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": name, "rule": rule})
            )
    through.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


# --- Dry run ------------------------------------------------------------------------------


@dataclass
class TryMatch:
    ticket: Ticket
    message: Message


@dataclass
class TryResult:
    examined: int = 0
    matches: list[TryMatch] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    error: str = ""


def rule_try(
    *, rule: Rule, channel_ids: list[int], macro_actions: list[tuple[str, str]], limit: int = TRY_LIMIT
) -> TryResult:
    """Which of the last `limit` tickets `rule` would have matched, judged on each ticket's first
    inbound message, as at ingest. Works for a disabled or unsaved rule; changes nothing.
    Three queries: rules are not loaded, tickets with their channel, their first messages."""
    try:
        compiled = rule_compile(rule, channel_ids=channel_ids, macro_actions=macro_actions)
    except RuleCompileError as exc:
        return TryResult(error=str(exc))
    first_inbound = (
        Message.objects.filter(ticket=OuterRef("pk"), kind=Message.Kind.INBOUND)
        .order_by("platform_created_at", "id")
        .values("id")[:1]
    )
    tickets = list(
        Ticket.objects.select_related("channel")
        .annotate(first_message_id=Subquery(first_inbound))
        .order_by("-id")[:limit]
    )
    messages = Message.objects.in_bulk([t.first_message_id for t in tickets if t.first_message_id])
    result = TryResult(examined=len(tickets), actions=compiled.actions.describe())
    ruleset = RuleSet([compiled])
    for ticket in tickets:
        message = messages.get(ticket.first_message_id)
        if message is None:
            continue
        if ruleset.match(facts_for_message(message, ticket.channel), where=f"ticket {ticket.pk} (dry run)"):
            result.matches.append(TryMatch(ticket=ticket, message=message))
    if ruleset.broken:
        result.error = f"The rule failed while matching: {ruleset.broken[compiled.id]}"
    return result
