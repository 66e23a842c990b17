"""What "Send reply" will do on a ticket, shown before sending: the message it answers, the
accounts that may post it, which one is chosen and why (the handbook's respond-from rule on X).

Whether the desk can post at all, and who may, is the platform's declaration (channels.adapters.platform):
its `replies` sender, and `reply_as`: the connected accounts, the configured handles by the respond-from
rule, or the channel's own address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels.adapters import get_adapter
from channels.adapters.registry import platform_or_default
from channels.adapters.reply_rule import NO_REPLIES, ReplyMedia, ReplyRule
from channels.models import Account
from mentions.models import Message, Ticket

__all__ = ["ReplyPlan", "reply_plan"]


@dataclass
class ReplyPlan:
    """What "Send reply" will do, shown to the advocate before sending."""

    in_reply_to: Message
    handles: list[str]  # the accounts that may post here, in the advocate's "Send as" list
    chosen: str  # "" when the rule's account replies outside the desk
    reason: str
    outside: str = ""  # the chosen account replies outside the desk (Tweetdeck): link + "mark replied"
    unavailable: dict[str, str] = field(default_factory=dict)  # account -> why it cannot post now
    handle_prefix: str = ""  # written before a handle shown (X: "@name"): the platform's declaration
    respond_from_rule: bool = False  # the handle was chosen by the platform's respond-from rule (X)
    # How long a reply may be there and how the platform counts it (X: a link is 23), the images it may carry, the
    # kinds of reply (Stack Exchange: comment or answer): the platform's one rule (channels.adapters.reply_rule).
    rule: ReplyRule = NO_REPLIES

    @property
    def can_send(self) -> bool:
        return bool(self.chosen) and self.chosen not in self.unavailable

    # What the composer shows of the rule.
    @property
    def max_length(self) -> int | None:
        return self.rule.limit

    @property
    def length_note(self) -> str:
        return self.rule.note

    @property
    def styles(self) -> list[tuple[str, str]]:
        return list(self.rule.styles)

    @property
    def media(self) -> ReplyMedia | None:
        return self.rule.media


def _reply_target(ticket: Ticket) -> Message | None:
    """The requester's latest message in the ticket (a reply threads under it)."""
    inbound = [m for m in ticket.messages.all() if m.kind == Message.Kind.INBOUND and m.external_id]
    own = [m for m in inbound if m.author_handle.casefold() == ticket.requester_handle.casefold()]
    candidates = own or inbound
    return max(candidates, key=lambda m: (m.platform_created_at, m.pk)) if candidates else None


def _why_not(account: Account | None) -> str:
    if account is None or account.status == Account.Status.NOT_CONNECTED:
        return "not connected yet: an admin connects it in Admin, Channels"
    if account.status == Account.Status.NEEDS_RECONNECT:
        return "needs reconnecting: an admin reconnects it in Admin, Channels"
    return ""


def reply_plan(ticket: Ticket) -> ReplyPlan | None:
    """None when the ticket's channel cannot post replies from the desk (use "mark replied" there)."""
    channel = ticket.channel
    target = _reply_target(ticket)
    if target is None:
        return None
    platform = platform_or_default(channel.kind)
    if platform.replies is None:
        return None
    if platform.reply_as == "address":
        address = channel.config.get("address", "")
        if not address:
            return None
        return ReplyPlan(in_reply_to=target, handles=[address], chosen=address, reason="the mailbox's own address")
    adapter = get_adapter(channel.kind)
    accounts = list(Account.objects.filter(channel=channel).order_by("position", "id"))
    if platform.reply_as == "handles":
        plan = _rule_plan(ticket, target, adapter, accounts)
    else:
        plan = _accounts_plan(target, accounts, handle_prefix=platform.handle_prefix)
    if plan is not None:
        plan.rule = platform.reply_rule
    return plan


def _accounts_plan(target: Message, accounts: list[Account], *, handle_prefix: str) -> ReplyPlan | None:
    desk = [a for a in accounts if a.reply_mode == Account.ReplyMode.DESK]
    plan = ReplyPlan(
        in_reply_to=target,
        handles=[a.username for a in desk],
        chosen="",
        reason="",
        handle_prefix=handle_prefix,
        unavailable={a.username: _why_not(a) for a in desk if not a.can_post},
    )
    if not desk:
        outside = next((a for a in accounts if a.reply_mode == Account.ReplyMode.OUTSIDE), None)
        if outside is None:
            return None  # no account of ours here: "mark replied" only
        plan.outside, plan.reason = outside.username, "no account of ours posts from the desk here"
        return plan
    chosen = next((a for a in desk if a.can_post), desk[0])
    plan.chosen = chosen.username
    plan.reason = "the first account that can post" if chosen is not desk[0] else "the channel's first account"
    return plan


def _rule_plan(ticket: Ticket, target: Message, adapter: Any, accounts: list[Account]) -> ReplyPlan | None:
    """The handbook's respond-from rule (the adapter's `choose_reply_handle`: X), choosing only among the
    channel's configured handles that post from the desk."""
    config = ticket.channel.config
    handles = [h for h in config.get("handles", []) if isinstance(h, dict) and h.get("username")]
    if not handles:
        return None
    by_name = {a.username.casefold(): a for a in accounts}

    def mode(name: str) -> str:
        account = by_name.get(name.casefold())
        return account.reply_mode if account else Account.ReplyMode.DESK

    desk = [h for h in handles if mode(h["username"]) == Account.ReplyMode.DESK]
    ours = {h["username"].casefold(): h["username"] for h in handles}
    mentioned = [ours[m.casefold()] for m in (target.mentioned or []) if isinstance(m, str) and m.casefold() in ours]
    desk_mentioned = [m for m in mentioned if mode(m) == Account.ReplyMode.DESK]
    plan = ReplyPlan(
        in_reply_to=target,
        handles=[h["username"] for h in desk],
        chosen="",
        reason="",
        handle_prefix=platform_or_default(ticket.channel.kind).handle_prefix,
        respond_from_rule=True,
        unavailable={h["username"]: why for h in desk if (why := _why_not(by_name.get(h["username"].casefold())))},
    )
    if (mentioned and not desk_mentioned) or not desk:
        outside = (mentioned or [h["username"] for h in handles if mode(h["username"]) != Account.ReplyMode.DESK])[0]
        plan.outside = outside
        plan.reason = "the post is addressed to it" if mentioned else "no handle of ours posts from the desk"
        return plan
    # The rule among the desk's handles; the main handle's role passes to the first desk handle if
    # the main one replies outside the desk.
    if not any(h.get("role") == "main" for h in desk):
        desk = [{**desk[0], "role": "main"}, *desk[1:]]
    rule_config = {**config, "handles": desk}
    chosen = adapter.choose_reply_handle(config=rule_config, mentioned=desk_mentioned, text=target.body)
    main = next(h["username"] for h in desk if h.get("role") == "main")
    if len(desk_mentioned) > 1:
        plan.reason = f"the post mentions {', '.join(plan.handle_prefix + m for m in desk_mentioned)}: "
        plan.reason += "availability question, so the status handle" if chosen != main else "the main handle"
    elif desk_mentioned:
        plan.reason = f"the post mentions {plan.handle_prefix}{desk_mentioned[0]}"
    else:
        plan.reason = "none of our handles is mentioned: the main handle"
    # A triage rule may say which handle answers (availability reports: the status handle).
    hinted = next((h["username"] for h in desk if h.get("role") == ticket.reply_from_role), "")
    if ticket.reply_from_role and hinted and hinted != chosen:
        chosen = hinted
        plan.reason = f"a triage rule marked it for the {ticket.reply_from_role} handle"
    plan.chosen = chosen
    return plan
