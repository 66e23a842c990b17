"""Loading the triage rules for a page of ingest (intake.pipeline.triage applies them), and
trying a rule on recent tickets."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import OuterRef, Subquery

from advocacy.hooks import Hooks
from channels.models import Channel
from mentions.models import Message, Rule, Ticket
from mentions.products import desk_products
from mentions.rules import CompiledRule, MentionFacts, RuleCompileError, RuleSet, mention_facts, rule_compile

logger = logging.getLogger(__name__)


class AuthorTagsHook(Protocol):
    """The tags of the people who wrote these stored messages: {message id: tag names, lower case}."""

    def __call__(self, *, message_ids: list[int]) -> dict[int, set[str]]: ...


# Registered by people (its AppConfig.ready()): the dry run reads the authors' tags as the ingest does.
author_tags_hooks: Hooks[AuthorTagsHook] = Hooks(AuthorTagsHook)


def authors_tags(message_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for hook in author_tags_hooks:
        for message_id, tags in hook(message_ids=message_ids).items():
            found.setdefault(message_id, set()).update(tags)
    return found


TRY_LIMIT = 200
NOT_ACKNOWLEDGED = "not acknowledged"


def _compile_saved(rule: Rule, *, products: bool) -> CompiledRule:
    """A rule loaded with its channels and macro actions prefetched (and its products, when `products`)."""
    macro_actions = [(a.kind, a.value) for a in rule.macro.actions.all()] if rule.macro is not None else []
    product_ids = [p.pk for p in rule.products.all()] if products else []
    return rule_compile(
        rule, channel_ids=[c.pk for c in rule.channels.all()], macro_actions=macro_actions, product_ids=product_ids
    )


def rules_load() -> RuleSet:
    """The enabled rules, compiled once for a batch. One that does not compile (stored around
    validation, e.g. by a script) is logged and left out. A rule's products count only while the desk has several
    (issue 71): with one, the condition is neither asked in admin nor read, so a desk of one product loads its rules
    in the queries it did."""
    compiled = []
    products = desk_products().many
    queryset = Rule.objects.filter(enabled=True).select_related("macro").prefetch_related("channels", "macro__actions")
    if products:
        queryset = queryset.prefetch_related("products")
    for rule in queryset:
        try:
            compiled.append(_compile_saved(rule, products=products))
        except Exception:  # a broken rule is skipped, ingestion goes on
            logger.exception("rules: rule %s %r cannot be compiled; skipped", rule.pk, rule.name)
    return RuleSet(compiled)


def facts_for_message(
    message: Message,
    channel: Channel,
    author_tags: set[str] | None = None,
    author_audience: int | None = None,
    ticket: Ticket | None = None,
) -> MentionFacts:
    """A stored message's facts; with its `ticket`, the desk's judgement of it too (the rules that wait for it)."""
    judged = (ticket.judgement, ticket.intent, ticket.sentiment) if ticket is not None else ("", "", "")
    return mention_facts(
        channel_id=channel.pk,
        channel_kind=channel.kind,
        title=message.title,
        body=message.body,
        author_handle=message.author_handle,
        mentioned=message.mentioned,
        author_tags=author_tags or (),
        judged=judged,
        author_audience=author_audience,
        author_level=ticket.requester_level if ticket is not None else None,
        product_id=ticket_product_id(ticket.product_id) if ticket is not None else None,
    )


def ticket_product_id(product_id: int | None) -> int | None:
    """The product a rule reads for a ticket: its own, else (empty: from before products) the desk's first."""
    return product_id if product_id is not None else desk_products().default_id


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
    *,
    rule: Rule,
    channel_ids: list[int],
    macro_actions: list[tuple[str, str]],
    product_ids: Sequence[int] = (),
    limit: int = TRY_LIMIT,
) -> TryResult:
    """Which of the last `limit` tickets `rule` would have matched, judged on each ticket's first
    inbound message, as at ingest. Works for a disabled or unsaved rule; changes nothing.
    Three queries (four with the people app: the authors' tags): rules are not loaded, tickets with their
    channel, their first messages."""
    try:
        compiled = rule_compile(rule, channel_ids=channel_ids, macro_actions=macro_actions, product_ids=product_ids)
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
    tags = authors_tags(list(messages)) if compiled.author_tags and messages else {}
    result = TryResult(examined=len(tickets), actions=compiled.actions.describe())
    ruleset = RuleSet([compiled])
    for ticket in tickets:
        message = messages.get(ticket.first_message_id)
        if message is None:
            continue
        # The requester's weight as the ticket keeps it (Ticket.requester_audience), as the ingest gave it.
        facts = facts_for_message(message, ticket.channel, tags.get(message.pk), ticket.requester_audience, ticket)
        if ruleset.match(facts, where=f"ticket {ticket.pk} (dry run)"):
            result.matches.append(TryMatch(ticket=ticket, message=message))
    if ruleset.broken:
        result.error = f"The rule failed while matching: {ruleset.broken[compiled.id]}"
    return result
