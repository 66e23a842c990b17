"""One answer to many: the advocate writes the story's answer once, the desk drafts it for each ticket
(stories.answering.drafts), the advocate reads and edits the drafts, then Send queues them for the worker
(`stories.answer_send`, stories.answering.sending), which posts each through the desk's one reply path.

Each ticket's draft is a StoryReply holding the ReplySend key of its post, so a second press, a retry of the task
or two workers never post twice: a press queues only drafts, and the key answers any later attempt with the first
one's outcome. A draft whose post was refused gets a new key when it is sent again; one whose outcome is unknown
(it may be on the platform) is never posted again by the desk: the advocate marks it replied with its link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advocacy.enqueue import task_enqueue_on_commit
from channels.text import safe_url
from mentions.models import ReplySend, Ticket
from mentions.services.actions import ticket_mark_replied
from mentions.services.drafts import ticket_draft_append
from mentions.services.outward_policy import outward_allowed
from stories.answering.drafts import reply_rule, send_key, story_drafts_make, ticket_draft
from stories.locks import ensure_can_work, stories_locked, story_live
from stories.models import Membership, Story, StoryReply

ANSWER_MAX = 5000
SENDABLE = (StoryReply.Status.DRAFT, StoryReply.Status.FAILED, StoryReply.Status.SKIPPED)


def story_answer_prepare(*, story: Story, user: Any, answer: str, link: str = "") -> int:
    """Keep the story's answer and draft it for each of its tickets (drafts not sent yet are made again from it).
    Returns how many drafts were made."""
    ensure_can_work(user)
    answer, link = (answer or "").strip(), (link or "").strip()
    if not answer:
        raise ValidationError("Write the answer first.")
    if len(answer) > ANSWER_MAX:
        raise ValidationError(f"An answer has {ANSWER_MAX} characters at most.")
    if link and not safe_url(link):
        raise ValidationError("The link must start with http:// or https://.")
    with transaction.atomic():
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        if locked.state == Story.State.CLOSED:
            raise ValidationError("The story is closed: reopen it to answer it.")
        locked.answer, locked.answer_link = answer, link
        locked.save(update_fields=["answer", "answer_link", "updated_at"])
        ids = list(Membership.objects.filter(story=locked).values_list("ticket_id", flat=True))
        return len(story_drafts_make(story=locked, ticket_ids=ids, renew=True))


def uncertain_keys(rows: list[StoryReply]) -> set[str]:
    """The keys of failed posts whose outcome is unknown (they may be on the platform)."""
    keys = [r.send_key for r in rows if r.status == StoryReply.Status.FAILED]
    return set(ReplySend.objects.filter(key__in=keys, status=ReplySend.Status.UNKNOWN).values_list("key", flat=True))


@dataclass
class SendPress:
    queued: int = 0
    skipped: list[str] = field(default_factory=list)  # "#12: assigned to bob …"
    waiting_link: int = 0  # tickets where the desk cannot post, sent without the link of a reply
    already: int = 0  # queued by an earlier press, still on their way

    def waiting_for_link(self) -> str:
        n = self.waiting_link
        return (
            f"{n} ticket{'' if n == 1 else 's'} wait{'s' if n == 1 else ''} for the link of your reply on the platform"
        )

    def describe(self) -> str:
        if self.already:
            return f"{self.already} repl{'y is' if self.already == 1 else 'ies are'} already on the way."
        said = [f"{self.queued} repl{'y' if self.queued == 1 else 'ies'} on the way"]
        if self.waiting_link:
            said.append(self.waiting_for_link())
        if self.skipped:
            said.append(f"{len(self.skipped)} skipped ({'; '.join(self.skipped[:3])})")
        return ", ".join(said) + "."


def _edits_keep(story: Story, bodies: dict[int, str], links: dict[int, str]) -> list[StoryReply]:
    """The advocate's edits of the drafts, kept first whatever the press then refuses. The sendable rows."""
    rows = list(StoryReply.objects.select_for_update().filter(story=story, status__in=SENDABLE).order_by("pk"))
    for row in rows:
        changed = []
        body = bodies.get(row.ticket_id)
        if body is not None and body.strip() != row.body:
            row.body = body.strip()
            changed.append("body")
        link = (links.get(row.ticket_id) or "").strip()
        if row.ticket_id in links and link != row.link:
            row.link = link
            changed.append("link")
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
    return rows


def _refusals(rows: list[StoryReply], include: set[int], uncertain: set[str]) -> list[str]:
    """What keeps the chosen drafts from going: empty, too long for their platform, a link that is not one."""
    chosen = [r for r in rows if r.ticket_id in include]
    kinds = dict(Ticket.objects.filter(pk__in=[r.ticket_id for r in chosen]).values_list("pk", "channel__kind"))
    said = []
    for row in chosen:
        rule = reply_rule(kinds.get(row.ticket_id, ""))
        posts = bool(row.handle) and row.send_key not in uncertain
        if not row.body:
            said.append(f"#{row.ticket_id}: the draft is empty.")
        elif posts and rule.over(row.body):
            said.append(f"#{row.ticket_id}: {rule.length(row.body)} characters, {rule.limit} at most there.")
        if row.link and not safe_url(row.link):
            said.append(f"#{row.ticket_id}: the link must start with http:// or https://.")
    return said


def story_answer_send(
    *, story: Story, user: Any, include: set[int], bodies: dict[int, str], links: dict[int, str]
) -> SendPress:
    """Send the drafts of the tickets in `include` (their text as edited in `bodies`; `links`: replies made on the
    platform, for tickets where the desk cannot post). Tickets assigned to another advocate are skipped unless the
    user may act on every ticket. The story is answered; the worker posts (stories.answer_send). Refused whole
    (OutwardRefused) to someone whose replies wait for approval: the outward policy."""
    ensure_can_work(user)
    outward_allowed(user, "story_send")
    with transaction.atomic():  # the edits are kept even when the press is refused below
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        rows = _edits_keep(locked, bodies, links)
    uncertain = uncertain_keys(rows)
    if refused := _refusals(rows, include, uncertain):
        raise ValidationError(["Nothing was sent; your edits are kept.", *refused])
    press = SendPress()
    manager = user.has_perm("mentions.manage_all_tickets")
    with transaction.atomic():
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        if locked.state == Story.State.CLOSED:
            raise ValidationError("The story is closed: reopen it to send its answer.")
        chosen = StoryReply.objects.select_for_update(of=("self",)).filter(
            story=locked, status__in=SENDABLE, ticket_id__in=include
        )
        for row in chosen.select_related("ticket__assignee").order_by("pk"):
            _queue(row, user, manager, uncertain, press)
        if not press.queued and not press.skipped:
            press.already = StoryReply.objects.filter(story=locked, status__in=StoryReply.IN_FLIGHT).count()
            if not press.already and press.waiting_link:
                raise ValidationError(f"Nothing was sent: {press.waiting_for_link()}.")
            if not press.already:
                raise ValidationError("Nothing to send: tick the tickets to answer, or give the links of your replies.")
            # A second press while the first one's replies are on their way: the worker is asked again (each
            # reply's key makes that harmless), nothing more is queued.
            task_enqueue_on_commit("stories.answer_send", locked.pk, user.pk)
        if press.queued:
            now = timezone.now()
            locked.state = Story.State.ANSWERED
            locked.answered_by, locked.answered_at = user, locked.answered_at or now
            locked.save(update_fields=["state", "answered_by", "answered_at", "updated_at"])
            task_enqueue_on_commit("stories.answer_send", locked.pk, user.pk)
    return press


def _queue(row: StoryReply, user: Any, manager: bool, uncertain: set[str], press: SendPress) -> None:
    ticket = row.ticket
    if ticket.assignee_id not in (None, user.pk) and not manager:
        row.status = StoryReply.Status.SKIPPED
        row.error = f"assigned to {ticket.assignee}: only they or a manager answer it"
        press.skipped.append(f"#{ticket.pk} {row.error}")
    elif row.handle and row.send_key not in uncertain and not (row.status == StoryReply.Status.FAILED and row.link):
        if row.status == StoryReply.Status.FAILED:
            row.send_key = send_key()  # refused, nothing posted: a new post
        row.status, row.error = StoryReply.Status.QUEUED, ""
        press.queued += 1
    elif row.link:
        row.handle = ""  # marked replied with the link of a reply made on the platform
        row.status, row.error = StoryReply.Status.QUEUED, ""
        press.queued += 1
    else:
        press.waiting_link += 1
        return
    row.sent_by = user
    row.save(update_fields=["status", "error", "send_key", "handle", "sent_by", "updated_at"])


def story_reply_mark(*, story: Story, ticket_id: int, user: Any, body: str, link: str) -> StoryReply:
    """The advocate replied on the platform: the ticket is marked replied with that link and the draft's text."""
    ensure_can_work(user)
    link = (link or "").strip()
    if not link:
        raise ValidationError(f"#{ticket_id}: give the link of your reply on the platform.")
    with transaction.atomic():
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        row = StoryReply.objects.select_for_update().filter(story=locked, ticket_id=ticket_id).first()
        if row is None or row.status not in SENDABLE:
            raise ValidationError(f"#{ticket_id} has no draft to mark replied (sent already?): reload the page.")
        row.body = (body or row.body).strip()
        ticket_mark_replied(ticket=Ticket(pk=ticket_id), user=user, body=row.body, link=link)
        row.status, row.link, row.handle, row.error = StoryReply.Status.MARKED, link, "", ""
        row.sent_by, row.sent_at = user, timezone.now()
        row.save()
        if locked.state == Story.State.OPEN:
            locked.state, locked.answered_by, locked.answered_at = Story.State.ANSWERED, user, timezone.now()
            locked.save(update_fields=["state", "answered_by", "answered_at", "updated_at"])
    return row


def story_answer_insert(
    *,
    story: Story,
    ticket: Ticket,
    user: Any,
    into_draft: bool = False,
    typed: str | None = None,
    seen_version: int | None = None,
) -> str:
    """The story's answer as this ticket gets it (its draft as the advocate left it, else made now), for the ticket
    page's reply box; `into_draft` (the page without JavaScript): put after the reply box's text (`typed`; None:
    the saved draft) as the ticket's draft, through mentions' draft service, which refuses it when the ticket
    changed since the version the page showed (`seen_version`)."""
    ensure_can_work(user)
    if not story.answer or not Membership.objects.filter(story=story, ticket=ticket).exists():
        raise ValidationError("This ticket's story has no answer for it (any more): reload the page.")
    row = StoryReply.objects.filter(story=story, ticket=ticket).first()
    text = (
        row.body if row is not None else ticket_draft(ticket=ticket, answer=story.answer, link=story.answer_link).body
    )
    if into_draft:
        ticket_draft_append(ticket=ticket, text=text, user=user, seen_version=seen_version, typed=typed)
    return text
