"""An issue filed from the desk, or linked by its address, for a ticket or for all of a story's tickets.

Where: an issue tracker channel the desk has (GitLab, GitHub, Jira Cloud, Linear): its configured projects are what
the form offers ("File in: gitlab-org/gitlab"); the issue is filed as the channel's first connected account that
posts from the desk, whose token may write (the channel's own token only reads). The platform is asked with no lock
held; the link and the tickets' history are written after, in one transaction. Linking the same issue again adds
tickets to the one link.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import requests
from django.core.exceptions import ValidationError
from django.db import transaction

from channels.adapters import ConfigError, ReplyError
from channels.adapters.issues import IssueRef, IssueState, issue_create, issue_ref, projects_of, tracker_kinds
from channels.http import build_session
from channels.models import Account, Channel
from channels.text import safe_url
from mentions.models import IssueLink, IssueTicket, Message, Ticket, TicketEvent
from mentions.services.events import event_record
from stories.issues.text import issue_body, issue_title
from stories.locks import ensure_can_work
from stories.models import IssueSettings, Membership, Story

logger = logging.getLogger(__name__)


def tracker_channels() -> list[Channel]:
    return list(Channel.objects.filter(kind__in=tracker_kinds(), enabled=True).order_by("name", "pk"))


def where_choices() -> list[tuple[str, str]]:
    """("<channel id>:<project>", "gitlab-org/gitlab (GitLab issues)") for the form's "File in"."""
    choices: list[tuple[str, str]] = []
    for channel in tracker_channels():
        try:
            projects = projects_of(channel)
        except ConfigError as exc:  # a channel whose settings no longer validate files nothing
            logger.warning("issues: channel %s offers no project: %s", channel.pk, exc)
            continue
        choices.extend((f"{channel.pk}:{project}", f"{project} ({channel.name})") for project in projects)
    return choices


def where_default() -> str:
    settings = IssueSettings.current()
    return f"{settings.channel_id}:{settings.project}" if settings.channel_id and settings.project else ""


def _where(value: str) -> tuple[Channel, str]:
    channel_id, _, project = (value or "").partition(":")
    channel = Channel.objects.filter(pk=int(channel_id) if channel_id.isdigit() else 0).first()
    if channel is None or channel.kind not in tracker_kinds() or project not in projects_of(channel):
        raise ValidationError("Choose where to file the issue from the list.")
    return channel, project


def _filer(channel: Channel) -> Account:
    account = (
        Account.objects.filter(channel=channel, status=Account.Status.CONNECTED, reply_mode=Account.ReplyMode.DESK)
        .order_by("position", "pk")
        .first()
    )
    if account is None:
        raise ValidationError(f"{channel.name} has no connected account to file issues as: connect one in admin.")
    return account


def _said(tickets: Sequence[Ticket]) -> dict[int, tuple[str, str]]:
    """Each ticket's first mention: (its text, its link on the platform)."""
    said: dict[int, tuple[str, str]] = {}
    rows = Message.objects.filter(ticket__in=tickets, kind=Message.Kind.INBOUND).order_by("platform_created_at", "pk")
    for ticket_id, body, link in rows.values_list("ticket_id", "body", "permalink"):
        said.setdefault(ticket_id, (body, safe_url(link) or ""))
    return said


def issue_file(
    *,
    tickets: Sequence[Ticket],
    user: Any,
    where: str,
    title: str = "",
    expert: str = "",
    note: str = "",
    session: requests.Session | None = None,
) -> IssueLink:
    """File a new issue quoting the tickets' mentions and link it to them. ValidationError says why not."""
    ensure_can_work(user)
    if not tickets:
        raise ValidationError("No ticket to file an issue for.")
    channel, project = _where(where)
    account = _filer(channel)
    tickets = list(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).select_related("channel").order_by("pk"))
    body = issue_body(
        tickets, said=_said(tickets), expert=expert, note=note, advocate=user.get_full_name() or user.get_username()
    )
    try:
        state = issue_create(
            channel=channel,
            account=account,
            session=session or build_session(),
            project=project,
            title=issue_title(tickets, title),
            body=body,
        )
    except ReplyError as exc:
        raise ValidationError(f"The issue was not filed: {exc}") from None
    return _kept(channel, state, tickets, user, action="filed")


def issue_link_url(*, tickets: Sequence[Ticket], user: Any, url: str) -> IssueLink:
    """Link the issue at `url` (on one of the desk's tracker channels) to the tickets; its state is read
    by the next follow-up run."""
    ensure_can_work(user)
    url = (url or "").strip()
    if not safe_url(url):
        raise ValidationError("Give the issue's address, starting with https://.")
    found: tuple[Channel, IssueRef] | None = None
    for channel in tracker_channels():
        try:
            ref = issue_ref(channel=channel, url=url)
        except ConfigError as exc:  # a channel whose settings no longer validate
            logger.warning("issues: channel %s cannot read issue addresses: %s", channel.pk, exc)
            continue
        if ref is not None and (found is None or ref.project in projects_of(channel)):
            found = (channel, ref)
    if found is None:
        raise ValidationError(
            "That is not the address of an issue on an issue tracker channel the desk has "
            "(GitLab, GitHub, Jira, Linear)."
        )
    channel, ref = found
    state = IssueState(project=ref.project, number=ref.number, url=url, state="open", milestone="", closed_at=None)
    return _kept(channel, state, list(tickets), user, action="linked")


def _kept(channel: Channel, state: IssueState, tickets: Sequence[Ticket], user: Any, *, action: str) -> IssueLink:
    with transaction.atomic():
        link, made = IssueLink.objects.select_for_update().get_or_create(
            kind=channel.kind,
            project=state.project,
            number=state.number,
            defaults={
                "channel": channel,
                "url": state.url,
                "title": state.title,
                "created_by": user,
                "filed": action == "filed",
            },
        )
        if not made and link.channel_id is None:
            link.channel = channel
            link.save(update_fields=["channel", "updated_at"])
        already = set(IssueTicket.objects.filter(issue=link).values_list("ticket_id", flat=True))
        new = [t for t in tickets if t.pk not in already]
        IssueTicket.objects.bulk_create([IssueTicket(issue=link, ticket=t, linked_by=user) for t in new])
        for ticket in new:
            event_record(
                ticket=ticket, kind=TicketEvent.Kind.ISSUE, actor=user, action=action, issue=str(link), url=link.url
            )
    return link


def story_tickets(story: Story) -> list[Ticket]:
    return list(Ticket.objects.filter(pk__in=Membership.objects.filter(story=story).values("ticket_id")).order_by("pk"))
