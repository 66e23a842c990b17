"""Stage 8, messages ∥ triage: the enabled rules, compiled once for the page (`triage_load`), run over
every new ticket's first message and every follow-up in one pass (`triage_plan`, pure Python, run
while `store.messages_begin` writes the page's messages); applied by `triage_apply`: what they do is gathered as sets
(ticket columns, tags, notes, events, Slack lines) that `store`, `history` and `notices` write.

A rule that cannot compile or fails while matching is logged and skipped (mentions.rules); if
applying the rules fails for any other reason, the page is stored without their effects:
a broken rule never stops ingestion."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import CharField

from advocacy.model_fields import max_length
from intake.pipeline.page import Item, Page, TicketRow
from mentions.models import MacroAction, Tag, Ticket, TicketEvent
from mentions.rules import CompiledRule, RuleSet, mention_facts
from mentions.services.actions import template_render
from mentions.services.rules import NOT_ACKNOWLEDGED, rules_load

logger = logging.getLogger(__name__)

_RULE_COLUMNS = ("status", "priority", "high_priority", "solved_at", "reply_draft", "reply_from_role")


class _Effects:
    """What the rules did to one ticket, applied to its row only once every rule ran."""

    __slots__ = ("changes", "events", "notes", "notices", "tags")

    def __init__(self) -> None:
        self.changes: dict[str, Any] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.notes: list[tuple[str, str, str]] = []  # (author name, body, rule)
        self.notices: list[tuple[str, str]] = []  # (destination, rule)
        self.tags: dict[str, str] = {}


class _View:
    """A ticket row seen through the rules' pending changes."""

    __slots__ = ("effects", "row")

    def __init__(self, row: TicketRow, effects: _Effects) -> None:
        self.row, self.effects = row, effects

    def __getattr__(self, name: str) -> Any:
        changes = self.effects.changes
        return changes[name] if name in changes else getattr(self.row, name)

    def set(self, name: str, value: Any) -> None:
        self.effects.changes[name] = value


_MARK = 9_081_726_354


def _context(page: Page, ticket: TicketRow, item: Item, desk_url: str) -> dict[str, str]:
    # No {user}: nobody has picked the ticket yet, so that placeholder stays for the advocate.
    return {
        "ticket_id": str(ticket.pk),
        "ticket_url": desk_url.replace(str(_MARK), str(ticket.pk)),
        "requester": ticket.requester_handle or ticket.requester_name,
        "channel": page.channel.name,
        "permalink": item.mention.permalink,
    }


def _apply_rule(view: _View, rule: CompiledRule, context: dict[str, str], now: Any) -> None:
    """One rule's actions on one ticket, as pending changes and events."""
    effects, actions = view.effects, rule.actions
    effects.events.append(
        (TicketEvent.Kind.RULE_APPLIED, {"rule": rule.name, "rule_id": rule.id, "actions": actions.describe()})
    )

    def status(to: str, reason: str) -> None:
        if view.status == to:
            return
        data = {"from": view.status, "to": to, "reason": reason, "rule": rule.name}
        effects.events.append((TicketEvent.Kind.STATUS, data))
        view.set("status", to)
        view.set("solved_at", now if to == Ticket.Status.SOLVED else None)

    def prefill(template: str) -> None:
        if view.reply_draft:
            return  # an earlier rule's suggestion stays
        view.set("reply_draft", template_render(template, context))
        effects.events.append((TicketEvent.Kind.REPLY_PREFILLED, {"rule": rule.name}))

    for name in actions.tags:
        effects.tags.setdefault(name, rule.name)
    if actions.priority and actions.priority != view.priority:
        view.set("priority", actions.priority)
        view.set("high_priority", actions.priority in Ticket.HIGH_PRIORITIES)
    # The macro's actions, as macro_apply would run them, with the rule as the actor.
    for kind, value in actions.macro_actions:
        if kind == MacroAction.Kind.SET_STATUS:
            status(value, f"macro {actions.macro_name}")
        elif kind == MacroAction.Kind.ADD_TAGS:
            for name in value.split():
                effects.tags.setdefault(name, rule.name)
        elif kind == MacroAction.Kind.REMOVE_TAGS:
            for name in value.split():
                effects.tags.pop(name, None)
        elif kind == MacroAction.Kind.ADD_NOTE:
            effects.notes.append((f"rule: {rule.name}"[:200], template_render(value, context), rule.name))
        elif kind == MacroAction.Kind.PREFILL_REPLY:
            prefill(value)
    if actions.reply_template:
        prefill(actions.reply_template)
    if actions.reply_from and view.reply_from_role != actions.reply_from:
        view.set("reply_from_role", actions.reply_from)
    if actions.notify_slack:
        effects.notices.append((actions.notify_slack, rule.name))
    if actions.close:
        status(Ticket.Status.SOLVED, NOT_ACKNOWLEDGED)


def _plan(page: Page, items: list[tuple[TicketRow, Item]], ruleset: RuleSet) -> list[tuple[TicketRow, Item, _Effects]]:
    if not ruleset.rules:
        return []
    channel, now = page.channel, page.now
    desk_url = TicketRow(pk=_MARK).get_desk_url()  # reversed once for the page
    planned: list[tuple[TicketRow, Item, _Effects]] = []
    labels = {handle: facts.labels for handle, facts in page.author_facts.items()}
    weights = {handle: facts.audience for handle, facts in page.author_facts.items()}
    levels = {handle: facts.level for handle, facts in page.author_facts.items()}
    effects_of: dict[int, _Effects] = {}  # a ticket with two follow-ups: the second sees the first's changes
    # A ticket's empty product (from before products) is the desk's first, read only when a rule asks (issue 71).
    default_product = page.products.default_id if any(r.product_ids for r in ruleset.rules) else None
    for ticket, item in items:
        facts = mention_facts(
            channel_id=channel.pk,
            channel_kind=channel.kind,
            title=item.mention.title,
            body=item.mention.text,
            author_handle=item.mention.author_handle,
            mentioned=item.mention.mentioned,
            author_tags=labels.get(item.mention.author_handle, ()),
            author_audience=weights.get(item.mention.author_handle),
            author_level=levels.get(item.mention.author_handle),
            product_id=ticket.product_id if ticket.product_id is not None else default_product,
        )
        matched = ruleset.match(facts, where=f"ticket {ticket.pk} (channel {channel.slug}, message {item.external_id})")
        if not matched:
            continue
        effects = _Effects()
        previous = effects_of.get(ticket.pk)
        if previous is not None:
            effects.changes.update(previous.changes)
        effects_of[ticket.pk] = effects
        view = _View(ticket, effects)
        context = _context(page, ticket, item, desk_url)
        for rule in matched:
            _apply_rule(view, rule, context, now)
        planned.append((ticket, item, effects))
    return planned


# The longest value of each text column a rule may write (the others take no text, or any length).
_LIMITS = {
    name: max_length(Ticket, name) for name in _RULE_COLUMNS if isinstance(Ticket._meta.get_field(name), CharField)
}
_TAG_MAX = max_length(Tag, "name")


def _check(effects: _Effects) -> None:
    """What the rules would write must fit its columns: checked before anything is written, so
    that a rule stored around validation costs its own effects, not the page."""
    for name, value in effects.changes.items():
        limit = _LIMITS.get(name)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise ValueError(f"{name} {value[:40]!r}... is longer than {limit} characters")
    for name in effects.tags:
        if len(name) > _TAG_MAX:
            raise ValueError(f"tag {name[:40]!r}... is longer than {_TAG_MAX} characters")


def tag_ids_resolve(names: set[str]) -> dict[str, int]:
    """The rules' tags by name, created if missing (in a savepoint: a failure here rolls back
    the rules alone)."""
    if not names:
        return {}
    with transaction.atomic():
        found = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        missing = names - set(found)
        if missing:
            Tag.objects.bulk_create([Tag(name=n) for n in sorted(missing)], ignore_conflicts=True)
            found.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
    return found


def _items(page: Page) -> list[tuple[TicketRow, Item]]:
    firsts = {t.first_external_id: t for t in page.new_tickets}
    items = [(firsts[i.external_id], i) for i in page.items if i.external_id in firsts]
    items.extend(page.followups)
    return items


def _failed(page: Page, items: list[tuple[TicketRow, Item]]) -> None:
    logger.exception(
        "ingest: channel=%s triage rules failed; %d ticket(s) stored without them",
        page.channel.slug,
        len({t.pk for t, _ in items}),
    )


def triage_load(page: Page) -> RuleSet | None:
    """The enabled rules, compiled once for the page (in a savepoint: a failure costs the rules,
    not the page). None when the page has nothing to triage."""
    items = _items(page)
    if not items:
        return None
    try:
        with transaction.atomic():
            return rules_load()
    except Exception:  # a broken rule must never stop ingestion
        _failed(page, items)
        return None


Planned = list[tuple[TicketRow, Item, _Effects]]


def triage_plan(page: Page, ruleset: RuleSet | None) -> Planned | None:
    """Run the rules over the new tickets' first messages and the follow-ups, in memory only (no
    query: the pipeline runs this while the page's messages are being written)."""
    if ruleset is None:
        return None
    items = _items(page)
    try:
        planned = _plan(page, items, ruleset)
        for _ticket, _item, effects in planned:
            _check(effects)
    except Exception:  # a broken rule must never stop ingestion
        _failed(page, items)
        return None
    return planned


def triage_apply(page: Page, planned: Planned | None) -> None:
    """Apply what the rules did to the rows and gather their events, notes, tags and Slack lines."""
    if not planned:
        return
    try:
        page.tag_ids.update(tag_ids_resolve({name for _t, _i, effects in planned for name in effects.tags}))
    except Exception:  # a broken rule must never stop ingestion
        _failed(page, [(t, i) for t, i, _ in planned])
        return
    for ticket, item, effects in planned:
        for name, value in effects.changes.items():
            if getattr(ticket, name) != value:
                setattr(ticket, name, value)
                ticket.changed = True
        for name, rule in effects.tags.items():
            ticket.tags.setdefault(name, rule)
        page.rule_events.extend((ticket.pk, kind, data) for kind, data in effects.events)
        for author_name, body, rule in effects.notes:
            page.notes.append((ticket, author_name, body, rule))
        for destination, rule in effects.notices:
            page.rule_notices.append((destination, ticket, rule, item.mention.permalink if ticket.new else ""))
