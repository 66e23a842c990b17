"""The triage rules that wait for the desk's judgement, run over the tickets the worker has just judged
(`judged_rules_run`, called by the worker after it stored their judgements: mentions.judgement.run).

The ingest runs the rules in its pipeline (intake.pipeline.triage) before anything is judged: there a rule with a
condition on the judgement, intent or sentiment never matches (the facts' judgement is ""). Here the same code
decides: the enabled rules loaded and compiled as at intake (`rules_load`, `rule_compile`), those waiting for a
judgement kept, matched by the same `RuleSet.match` on the same facts (the ticket's first inbound message, with
the ticket's judgement: `facts_for_message`). Their actions are applied to the stored ticket, its row locked, with
the rule as the actor, as the ingest would have: history events, tags, priority, the macro's status, tags, note
and reply, the suggested reply, the respond-from handle, closing without reply. A rule that closes a ticket says why
in a note: "Solved as noise by rule 'Solve noise': <the desk's reason>". Slack notices are not sent from here
(Rule.clean refuses them on a rule that waits for a judgement). A rule is applied once per ticket: a ticket judged
again does not run it twice.

A rule with a condition on the judgement solves only while the desk's measured precision of the ticket's judgement
allows it (mentions.services.judgement_precision: at least 0.95 on 30 labelled tickets); otherwise its other
actions apply and its `rule_applied` event says why it did not solve."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from mentions.models import JudgedBy, Judgement, MacroAction, Message, Ticket, TicketEvent
from mentions.rules import CompiledRule, RuleActions, RuleSet
from mentions.services.actions import template_render
from mentions.services.editing import priority_change
from mentions.services.events import event_record, tags_add, tags_remove
from mentions.services.judgement_precision import Precision, precision_measured, rule_gated
from mentions.services.notes import note_add
from mentions.services.rules import NOT_ACKNOWLEDGED, authors_tags, facts_for_message, rules_load
from mentions.services.versions import ticket_lock

logger = logging.getLogger(__name__)


def _judged_ruleset() -> RuleSet:
    return RuleSet([rule for rule in rules_load().rules if rule.on_judgement])


def _applied_before(ticket_ids: list[int]) -> set[tuple[int, Any]]:
    """(ticket id, rule id) of the rules already applied to these tickets."""
    rows = TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind=TicketEvent.Kind.RULE_APPLIED)
    return {(ticket_id, data.get("rule_id")) for ticket_id, data in rows.values_list("ticket_id", "data")}


def judged_rules_run(ticket_ids: list[int]) -> int:
    """Run the rules waiting for a judgement over these judged, waiting tickets (an advocate's judgement is not
    the desk's: a corrected ticket is left alone). Returns how many rule applications were made."""
    if not ticket_ids:
        return 0
    ruleset = _judged_ruleset()
    if not ruleset.rules:
        return 0
    first_inbound = (
        Message.objects.filter(ticket=OuterRef("pk"), kind=Message.Kind.INBOUND)
        .order_by("platform_created_at", "id")
        .values("id")[:1]
    )
    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids, status__in=Ticket.WAITING_STATUSES, judged_by=JudgedBy.DESK)
        .exclude(judgement="")
        .select_related("channel")
        .annotate(first_message_id=Subquery(first_inbound))
        .order_by("id")
    )
    messages = Message.objects.in_bulk([t.first_message_id for t in tickets if t.first_message_id])
    tags = authors_tags(list(messages)) if messages and any(r.author_tags for r in ruleset.rules) else {}
    done = _applied_before([t.pk for t in tickets])
    measured: dict[str, Precision] | None = None  # read only when a rule that solves matched
    applied = 0
    for ticket in tickets:
        message = messages.get(ticket.first_message_id)
        if message is None:
            continue
        facts = facts_for_message(message, ticket.channel, tags.get(message.pk), ticket.requester_audience, ticket)
        matched = [
            r for r in ruleset.match(facts, where=f"ticket {ticket.pk} (judged)") if (ticket.pk, r.id) not in done
        ]
        if not matched:
            continue
        if measured is None and any(_gated(rule) for rule in matched):
            measured = precision_measured()
        gate = (measured or {}).get(facts.judgement)
        try:
            with transaction.atomic():
                applied += _apply(ticket.pk, matched, message.permalink, facts.judgement, gate)
        except Exception:  # one ticket's rules failing must not cost the batch's others
            logger.exception("rules: judged rules failed on ticket %s; left as it was", ticket.pk)
    return applied


def _gated(rule: CompiledRule) -> bool:
    """A rule that solves on the desk's judgement: it solves only as far as the judgement's precision allows."""
    actions = rule.actions
    return bool(rule_gated(judgements=rule.judgements, close=actions.close, macro_actions=actions.macro_actions))


def _apply(ticket_id: int, rules: list[CompiledRule], permalink: str, judged: str, gate: Precision | None) -> int:
    """The matched rules' actions on one ticket, its row locked; nothing when it changed in between (taken,
    answered, corrected or judged again). `gate`: the measured precision of the ticket's judgement, which a rule
    that solves on the judgement needs to allow it."""
    ticket = ticket_lock(ticket_id, seen_version=None)
    if ticket.status not in Ticket.WAITING_STATUSES or ticket.judged_by != JudgedBy.DESK or ticket.judgement != judged:
        return 0
    context = {
        "ticket_id": str(ticket.pk),
        "ticket_url": ticket.get_desk_url(),
        "requester": ticket.requester_handle or ticket.requester_name,
        "channel": ticket.channel.name,
        "permalink": permalink,
    }
    for rule in rules:
        held = ""
        if _gated(rule) and (gate is None or not gate.allows_solving):
            held = (gate or Precision(judged)).held()
        _apply_rule(ticket, rule, context, held)
    ticket.save()
    return len(rules)


def _status(ticket: Ticket, rule: CompiledRule, to: str, reason: str) -> None:
    if ticket.status == to:
        return
    data = {"from": ticket.status, "to": to, "reason": reason, "rule": rule.name}
    ticket.status = to
    ticket.solved_at = timezone.now() if to == Ticket.Status.SOLVED else None
    if to == Ticket.Status.SOLVED:
        ticket.served_to = ticket.served_view = None
    event_record(ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=None, **data)
    if to == Ticket.Status.SOLVED:
        label = Judgement(ticket.judgement).label.lower() if ticket.judgement in Judgement.values else "judged"
        why = f": {ticket.judgement_reason}" if ticket.judgement_reason else ""
        note_add(ticket=ticket, body=f"Solved as {label} by rule '{rule.name}'{why}", author=None, author_name="rule")


def _prefill(ticket: Ticket, rule: CompiledRule, template: str, context: dict[str, str]) -> None:
    if ticket.reply_draft:
        return  # an earlier suggestion stays
    ticket.reply_draft = template_render(template, context)
    event_record(ticket=ticket, kind=TicketEvent.Kind.REPLY_PREFILLED, actor=None, rule=rule.name)


def _apply_rule(ticket: Ticket, rule: CompiledRule, context: dict[str, str], held: str) -> None:
    """`held`: why the rule may not solve (its other actions apply), said in its event; "" when it may."""
    actions = rule.actions
    described = actions.describe()
    if held:
        closing = RuleActions(close=True).describe()
        described = [*(a for a in described if a not in closing), held]
    event_record(
        ticket=ticket,
        kind=TicketEvent.Kind.RULE_APPLIED,
        actor=None,
        rule=rule.name,
        rule_id=rule.id,
        actions=described,
        on="judgement",
    )
    if actions.tags:
        tags_add(ticket=ticket, names=list(actions.tags), actor=None)
    if actions.priority:
        priority_change(ticket=ticket, priority=actions.priority, actor=None, via=f"rule {rule.name}")
    for kind, value in actions.macro_actions:
        if kind == MacroAction.Kind.SET_STATUS:
            if not (held and value == Ticket.Status.SOLVED):
                _status(ticket, rule, value, f"macro {actions.macro_name}")
        elif kind == MacroAction.Kind.ADD_TAGS:
            tags_add(ticket=ticket, names=value.split(), actor=None)
        elif kind == MacroAction.Kind.REMOVE_TAGS:
            tags_remove(ticket=ticket, names=value.split(), actor=None)
        elif kind == MacroAction.Kind.ADD_NOTE:
            note_add(
                ticket=ticket, body=template_render(value, context), author=None, author_name=f"rule: {rule.name}"[:200]
            )
        elif kind == MacroAction.Kind.PREFILL_REPLY:
            _prefill(ticket, rule, value, context)
    if actions.reply_template:
        _prefill(ticket, rule, actions.reply_template, context)
    if actions.reply_from:
        ticket.reply_from_role = actions.reply_from
    if actions.close and not held:
        _status(ticket, rule, Ticket.Status.SOLVED, NOT_ACKNOWLEDGED)
