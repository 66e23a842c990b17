"""Who may act as the company on a platform from the desk, and how (issue 55): one decision per user, act, ticket and
post, asked by every path that makes the company's account do something in public or in private (the ticket page,
the REST API, a story's and an issue's Send) and by the pages that offer the controls.

The acts: a reply, a reply carrying an image, a direct message, a like, a repost, the deletion of one of our posts,
and the Send of drafted replies to many tickets at once (a story's answer, an issue's follow-ups). Each is allowed,
waits for an advocate's approval, or is refused with the reason said to the person:

- **Replies** of someone whose replies wait (an "Advocate for a day" grant, an expert: approval_rule) wait for an
  approval; everyone whose role gives them the queue sends, on a ticket that is theirs to act on (unassigned or
  theirs; a manager's: any).
- **Images** go with an approved reply only (the approver attaches them): an image's bytes waiting in the database
  for an approver who may never come, its description unchecked, were not worth keeping (issue 44).
- **Likes, reposts and direct messages** by someone whose replies wait are refused, not queued. A like or a repost
  is one click for the advocate who approves their reply, and worth little a day later: an approval queue of likes
  costs the approver more than doing it. A direct message goes where the team cannot see what the other side
  answers, and is how a stranger asks for an address or account details: that is for the team's own advocates.
- **Deleting** a post of ours removes what the company said in public: its author (the desk user who sent it) or a
  manager may; an advocate may delete only their own; someone whose replies wait deletes nothing (a post sent
  outside the desk, with no author here, only a manager).
- **Sending drafted replies to many tickets** (a story's, an issue's) posts at once as the company: refused to
  someone whose replies wait, who answers each ticket from its page, where the reply waits for approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied

from mentions.services.approval_rule import QUEUE, reply_needs_approval

Act = Literal["reply", "image", "message", "like", "repost", "delete", "story_send", "followups_send"]
ACTS: tuple[Act, ...] = ("reply", "image", "message", "like", "repost", "delete", "story_send", "followups_send")
Verdict = Literal["allowed", "approval", "forbidden"]
MANAGE = "mentions.manage_all_tickets"

IMAGES_LATER = "Images go with an approved reply: attach them after approval."
# What someone whose replies wait is told for each act they may not do (said beside the control, and by the API).
WAITING = "your replies wait for an advocate's approval"
REFUSED_WAITING: dict[Act, str] = {
    "message": f"Direct messages are sent by advocates: {WAITING}. Ask an advocate to send it.",
    "like": f"Likes go out at once as the company, so advocates do them: {WAITING}.",
    "repost": f"Reposts go out at once as the company, so advocates do them: {WAITING}.",
    "delete": f"Deleting the company's posts is for their author or a manager: {WAITING}.",
    "story_send": f"Sending to many tickets at once is for advocates: {WAITING}. Answer each ticket from its page.",
    "followups_send": f"Sending follow-ups to many tickets at once is for advocates: {WAITING}. "
    "Answer each ticket from its page.",
}
# Said once on the ticket page above the conversation, instead of each control, to someone whose replies wait.
REFUSED_WAITING_ALL = (
    f"Likes, reposts, direct messages and deleting our posts are for advocates: {WAITING}, and those go out at once."
)


class OutwardRefused(PermissionDenied):
    """The policy's refusal: a 403 in its words (the API's `detail`, the page's slot beside the control)."""


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    @property
    def needs_approval(self) -> bool:
        return self.verdict == "approval"


ALLOWED = Decision("allowed")


def _forbidden(reason: str) -> Decision:
    return Decision("forbidden", reason)


def _ticket_refusal(ticket: Any, user: Any, for_user: Any) -> str:
    """Advocates act on unassigned tickets and their own, managers on every one; `for_user`: whose reply an advocate
    approves (their ticket is the approver's to act on for it). "" when the ticket is theirs to act on."""
    mine = (None, user.pk, for_user.pk if for_user is not None else user.pk)
    if ticket.assignee_id in mine or user.has_perm(MANAGE):
        return ""
    return f"Ticket #{ticket.pk} is assigned to {ticket.assignee}."


def _post_refusal(post: Any, user: Any) -> str:
    """Deleting one of our posts: its author or a manager. "" when `user` may."""
    if post.author_user_id is not None and post.author_user_id == user.pk:
        return ""
    if user.has_perm(MANAGE):
        return ""
    if post.author_user_id is None:
        return "This post was not sent from the desk by anyone here: only a manager deletes it."
    author = post.author_user.get_username() if post.author_user else "someone else"
    return f"Sent by {author}: only they or a manager delete it from the platform."


def outward_decision(user: Any, act: Act, *, ticket: Any = None, post: Any = None, for_user: Any = None) -> Decision:
    """Whether `user` may do `act` as the company: allowed, waiting for approval, or forbidden with the reason.
    `ticket`: the ticket it is done on (who it is assigned to; its `assignee` is read for the reason), `post`: our
    message to delete (its `author_user_id`), `for_user`: whose reply an approver sends. Without a ticket, only who
    the user is decides (a page asking what to offer before a ticket is chosen, a worker's run).

    Costs no query for an advocate (permissions from memory: mentions.permissions.perm_cache); a grant is looked up at
    most once per request."""
    if act not in ACTS:
        raise ValueError(f"not an outward act: {act!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _forbidden("Sign in first.")
    waits = reply_needs_approval(user)
    if not waits and not user.has_perm(QUEUE):
        return _forbidden("You cannot work tickets.")
    if waits:
        if act == "image":
            return _forbidden(IMAGES_LATER)
        if act != "reply":
            return _forbidden(REFUSED_WAITING[act])
        # A grant's holder acts as an advocate does (unassigned tickets or their own); an expert is pointed to a
        # ticket whoever holds it.
        if ticket is not None and user.has_perm(QUEUE) and (why := _ticket_refusal(ticket, user, None)):
            return _forbidden(why)
        return Decision("approval", "Your replies wait for an advocate's approval: submit it for approval.")
    if ticket is not None and (why := _ticket_refusal(ticket, user, for_user)):
        return _forbidden(why)
    if act == "delete" and post is not None and (why := _post_refusal(post, user)):
        return _forbidden(why)
    return ALLOWED


def outward_allowed(user: Any, act: Act, *, ticket: Any = None, post: Any = None, for_user: Any = None) -> None:
    """Raise OutwardRefused unless `user` may do `act` now, directly (an act that would wait for approval is refused
    here too: its caller submits it instead, as the Send paths do)."""
    decision = outward_decision(user, act, ticket=ticket, post=post, for_user=for_user)
    if not decision.allowed:
        raise OutwardRefused(decision.reason)


@dataclass(frozen=True)
class Offers:
    """What the ticket page may offer `user` on a ticket's messages: "" where a control is theirs to use, else why
    not. `refused` is said once above the conversation when it holds for every message (who the user is, or the
    ticket not theirs), and then no control is shown; `delete` is per post, by message id."""

    refused: str = ""
    like: str = ""
    repost: str = ""
    message: str = ""
    delete: dict[int, str] = field(default_factory=dict)


def outward_offers(user: Any, ticket: Any, posts: Any) -> Offers:
    """The ticket page's offers, from the decisions above; `posts`: the ticket's messages as the page has them
    (prefetched: no query)."""
    like, repost, message = (outward_decision(user, a, ticket=ticket) for a in ("like", "repost", "message"))
    if not like.allowed and like.reason == repost.reason == message.reason:
        return Offers(refused=like.reason)
    if not like.allowed and not repost.allowed and not message.allowed:
        return Offers(refused=REFUSED_WAITING_ALL)
    delete = {
        p.pk: outward_decision(user, "delete", ticket=ticket, post=p).reason
        for p in posts
        if p.kind == "our_reply" and p.external_id
    }
    return Offers(like=like.reason, repost=repost.reason, message=message.reason, delete=delete)
