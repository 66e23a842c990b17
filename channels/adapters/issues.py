"""Issue trackers the desk files bugs in and follows to their end (GitLab issues, GitHub issues): what a platform's
`issues` module offers (its declaration names it, channels.adapters.platform), and the one shape an issue has here.

A tracker module has three functions:

- ``issue_ref(*, channel, url) -> IssueRef | None``: the project and number an issue's address names, when the
  address is one of the channel's instance (None: not an issue of this tracker);
- ``issue_create(*, channel, account, session, project, title, body) -> IssueState``: a new issue, filed as a
  connected account of the channel (its token may write where the channel's read token may only read);
- ``issue_read(*, channel, session, ref) -> IssueState``: the issue as it is now, one request, with the channel's
  own read credentials.

Failures are the adapters' own errors (`base.ReplyError` for a refused create, the poll errors for a read), in
words, never naming a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from channels import clean

from .adapter import Adapter
from .guard import Parsed
from .registry import kinds_where, platform_or_default

if TYPE_CHECKING:
    import requests

    from channels.models import Account, Channel


@dataclass(frozen=True)
class IssueRef:
    project: str  # GitLab: the project's path (or numeric id); GitHub: owner/name
    number: int  # GitLab's iid, GitHub's number


@dataclass(frozen=True)
class IssueState:
    project: str
    number: int
    url: str  # the issue's page
    state: str  # "open" or "closed", whatever the platform calls them
    milestone: str  # its milestone's title; "" without one
    closed_at: datetime | None
    title: str = ""
    # Why it was closed where the platform says (GitHub's `state_reason`: "completed", "not_planned",
    # "duplicate"); "" where it does not (GitLab).
    reason: str = ""

    @property
    def fixed(self) -> bool:
        """Closed as done, not as "won't do" or a duplicate: only then do requesters hear it was fixed."""
        return self.state == "closed" and self.reason not in ("not_planned", "duplicate")


def state_of(item: Any, *, project: str, closed_word: str = "closed") -> IssueState:
    """An issue object as both trackers answer it (the fields they share: `state`, `milestone.title`,
    `closed_at`, `title`; the page address and number differ and are given by the caller's reading)."""
    data = clean.mapping(item)
    milestone = clean.mapping(data.get("milestone"))
    number = clean.whole(data.get("iid") if "iid" in data else data.get("number"), minimum=1) or 0
    return IssueState(
        project=project,
        number=number,
        url=clean.url(data.get("web_url") or data.get("html_url")),
        state="closed" if clean.line(data.get("state"), max_length=20) == closed_word else "open",
        milestone=clean.line(milestone.get("title"), max_length=200),
        closed_at=clean.iso_time(data.get("closed_at")),
        title=clean.line(data.get("title"), max_length=255),
        reason=clean.line(data.get("state_reason"), max_length=20),
    )


class TrackerAdapter(Adapter):
    """The adapter of a platform that is only an issue tracker (Jira, Linear): no mentions are read from it, so a poll
    changes nothing (the base's `fetch`) and a page of it holds none; the issues the desk follows are read one by one
    on the follow-up beat (stories.issues.follow)."""

    def parse_page(self, payload: Any) -> Parsed:
        return Parsed()


def tracker_of(kind: str) -> ModuleType | None:
    """The platform's issues module, or None where the desk files no issues."""
    path = platform_or_default(kind).issues
    return import_module(path) if path else None


def tracker_kinds() -> list[str]:
    """The kinds whose channels are issue trackers."""
    return kinds_where(lambda p: p.issues is not None)


def issue_ref(*, channel: Channel, url: str) -> IssueRef | None:
    tracker = tracker_of(channel.kind)
    found: IssueRef | None = tracker.issue_ref(channel=channel, url=url) if tracker else None
    return found


def issue_create(
    *, channel: Channel, account: Account, session: requests.Session, project: str, title: str, body: str
) -> IssueState:
    tracker = tracker_of(channel.kind)
    if tracker is None:
        raise ValueError(f"{channel} files no issues")
    state: IssueState = tracker.issue_create(
        channel=channel, account=account, session=session, project=project, title=title, body=body
    )
    return state


def issue_read(*, channel: Channel, session: requests.Session, ref: IssueRef) -> IssueState:
    tracker = tracker_of(channel.kind)
    if tracker is None:
        raise ValueError(f"{channel} files no issues")
    state: IssueState = tracker.issue_read(channel=channel, session=session, ref=ref)
    return state


def projects_of(channel: Channel) -> list[str]:
    """The projects (repositories) the channel reads: where an issue may be filed from the desk."""
    tracker = tracker_of(channel.kind)
    found: list[str] = tracker.projects_of(channel) if tracker else []
    return found
