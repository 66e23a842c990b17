"""From GitHub payloads to `IncomingMention`s: issues and issue comments as the REST API and webhooks give them
(docs.github.com, "REST API endpoints for issues", "... for issue comments"; "Webhook events and payloads"),
discussions and discussion comments as GraphQL gives them (``Discussion``, ``DiscussionComment``) or as webhooks
do (snake_case, ``node_id``, ``html_url``, ``user``).

Ids are GraphQL node ids (``node_id`` in REST and webhooks, ``id`` in GraphQL), the same whichever way an item
comes, so a poll and a webhook delivery never store it twice. An issue or a discussion opens a ticket (its thread
is itself); its comments follow up on it: parent and thread are the issue's or discussion's node id, a reply to a
discussion comment has that comment as its parent. A REST comment names only its issue's number
(``issue_url``): `Context.issues` maps the numbers known (from the cursor, or the issues of the same payload) to
node ids. Pull requests (issues with ``pull_request``, comments whose address is a ``/pull/``) are not the
desk's: skipped. Comments whose ``author_association`` is one of `Context.team` (OWNER, MEMBER, COLLABORATOR unless
the channel's ``team_by_association`` is off) are marked ours (`IncomingMention.by_us`); the logins of
``Channel.our_accounts`` are ours anyway.

``raw`` keeps the item under ``item`` with what replying needs beside it: ``type``, ``repository``, ``number``,
the discussion's node id and the top-level comment a reply goes under. The Markdown (``![alt](url)``) and HTML
(``<img src>``) images of a body are the mention's `media` (links the ticket lists, with their alt text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels import clean

from ..base import IncomingMention, Media, PayloadError
from .cursor import moment

_ISSUE_URL_RE = re.compile(
    r"https://(?:api\.)?github\.com/(?:repos/)?([^/\s]+/[^/\s]+)/(issues|pull|discussions)/(\d{1,12})"
)
_MD_IMAGE_RE = re.compile(r"!\[([^\]\n]{0,300})\]\(\s*<?(https?://[^\s)>]{1,1000})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)")
_HTML_IMAGE_RE = re.compile(r"<img\b([^>]{0,2000})>", re.IGNORECASE)
_ATTR_RE = re.compile(r"\b(src|alt)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
_MD_LINK_RE = re.compile(r"(?<!!)\[([^\]\n]{1,300})\]\(\s*<?(https?://[^\s)>]{1,1000})>?\s*\)")
IMAGES_KEPT = clean.MEDIA_MAX  # what the desk keeps of a mention's attachments


@dataclass
class Context:
    """What a parse knows beyond the item: the channel's filters and the issues' node ids by number."""

    labels: list[str] = field(default_factory=list)  # follow only items carrying one of these (empty: all)
    team: frozenset[str] = frozenset()  # author associations that mark a comment ours
    issues: dict[tuple[str, int], str] = field(default_factory=dict)  # (repository lowercased, number) -> node id

    def follows(self, labels: list[str]) -> bool:
        wanted = {label.casefold() for label in self.labels}
        return not wanted or any(label.casefold() in wanted for label in labels)

    def issue_node(self, repo: str, number: int) -> str:
        return self.issues.get((repo.casefold(), number), "")


def place(*urls: Any) -> tuple[str, str, int] | None:
    """(owner/name, "issues" | "pull" | "discussions", number) from the first GitHub address that names one."""
    for value in urls:
        match = _ISSUE_URL_RE.match(value) if isinstance(value, str) else None
        if match:
            return match.group(1), match.group(2), int(match.group(3))
    return None


def images(body: str) -> tuple[Media, ...]:
    """The images of a Markdown body, in order, each once."""
    found: list[tuple[int, str, str]] = []
    for match in _MD_IMAGE_RE.finditer(body):
        found.append((match.start(), match.group(1).strip(), match.group(2)))
    for match in _HTML_IMAGE_RE.finditer(body):
        attrs = {
            m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR_RE.finditer(match.group(1))
        }
        found.append((match.start(), (attrs.get("alt") or "").strip(), attrs.get("src") or ""))
    kept: list[Media] = []
    for _, alt, address in sorted(found):
        url = clean.url(address)
        if url and url not in (k.url for k in kept):
            kept.append(Media(kind="image", url=url, alt=clean.line(alt, max_length=300)))
    return tuple(kept[:IMAGES_KEPT])


def readable(body: str) -> str:
    """A Markdown body as the ticket shows it: an image is ``[image: alt]`` (its link is in `media`, listed under the
    message) and a link is ``text (url)``, so that the page links the address itself rather than the Markdown
    around it (``[plan](https://…)`` read as one word made a link to ``http://plan](https://…``)."""

    def image(match: re.Match[str]) -> str:
        alt = match.group(1).strip()
        return f"[image: {alt}]" if alt else "[image]"

    def html_image(match: re.Match[str]) -> str:
        alt = next(
            (m.group(2) or m.group(3) or "" for m in _ATTR_RE.finditer(match.group(1)) if m.group(1).lower() == "alt"),
            "",
        )
        return f"[image: {alt.strip()}]" if alt.strip() else "[image]"

    body = _MD_IMAGE_RE.sub(image, body)
    body = _HTML_IMAGE_RE.sub(html_image, body)
    return _MD_LINK_RE.sub(lambda m: f"{m.group(1)} ({m.group(2)})", body)


def node_id(item: dict[str, Any]) -> str:
    """The GraphQL node id: REST and webhooks' ``node_id``, GraphQL's string ``id``."""
    found = item.get("node_id")
    if found is None and isinstance(item.get("id"), str):
        found = item["id"]
    return clean.ident(found)


def _first(item: dict[str, Any], *keys: str) -> Any:
    return next((item[k] for k in keys if item.get(k) is not None), None)


def _author(item: dict[str, Any]) -> tuple[str, str]:
    """(login, profile address): REST and webhooks' ``user``, GraphQL's ``author`` (null for a deleted account)."""
    who = clean.mapping(_first(item, "user", "author"))
    login = clean.handle(who.get("login"))
    return login, clean.url(_first(who, "html_url", "url")) or (f"https://github.com/{login}" if login else "")


def _time(item: dict[str, Any], *keys: str) -> datetime | None:
    return moment(_first(item, *keys))


def labels_of(item: dict[str, Any]) -> list[str]:
    labels = item.get("labels")
    nodes = clean.mapping(labels).get("nodes") if isinstance(labels, dict) else labels
    return [
        n
        for n in (clean.line(clean.mapping(x).get("name") if isinstance(x, dict) else x) for x in clean.items(nodes))
        if n
    ]


def raw_of(kind: str, repo: str, number: int, item: dict[str, Any], **more: str) -> dict[str, Any]:
    return {"type": kind, "repository": repo, "number": number, **more, "item": item}


def _required(item: Any, what: str) -> tuple[dict[str, Any], str, datetime]:
    if not isinstance(item, dict):
        raise PayloadError(f"An entry is not a GitHub {what}: {clean.preview(item)}")
    node = node_id(item)
    created = _time(item, "created_at", "createdAt")
    if not node or created is None:
        raise PayloadError(f"GitHub {what} without a usable node id and creation time: {clean.preview(item)}")
    return item, node, created


def issue_mention(
    item: Any, context: Context, *, deleted: bool = False, edited: bool = False
) -> IncomingMention | None:
    """An issue (REST or webhook); None for a pull request or an issue the channel's labels do not follow."""
    issue, node, created = _required(item, "issue")
    where = place(issue.get("html_url"), issue.get("url"))
    if "pull_request" in issue or (where and where[1] == "pull"):
        return None
    if where is None:
        raise PayloadError(f"Issue {node} names no repository and number (html_url): {clean.preview(issue)}")
    if not context.follows(labels_of(issue)):
        return None
    repo, _, number = where
    context.issues[(repo.casefold(), number)] = node
    changed = _time(issue, "updated_at") if edited else None
    raw = raw_of("issue", repo, number, issue)
    return _opening(issue, node, created, url=issue.get("html_url"), changed=changed, deleted=deleted, raw=raw)


def comment_mention(
    item: Any, context: Context, *, issue_node: str = "", deleted: bool = False
) -> IncomingMention | None:
    """An issue comment (REST or webhook); None on a pull request. `issue_node`: its issue's node id when the
    payload says it (a webhook's ``issue``), else looked up by number in `context`."""
    comment, node, created = _required(item, "issue comment")
    where = place(comment.get("html_url"), comment.get("issue_url"))
    if where is None:
        raise PayloadError(f"Issue comment {node} names no issue (html_url, issue_url): {clean.preview(comment)}")
    repo, section, number = where
    if section == "pull":
        return None
    issue = issue_node or context.issue_node(repo, number)
    return _comment(
        comment, node, created, context, (issue, issue), deleted=deleted, kind="issue_comment", repo=repo, number=number
    )


def discussion_mention(
    item: Any, context: Context, *, deleted: bool = False, edited: bool = False
) -> IncomingMention | None:
    """A discussion (GraphQL ``Discussion`` or a webhook's ``discussion``); None when its labels are not followed."""
    discussion, node, created = _required(item, "discussion")
    where = place(_first(discussion, "html_url", "url"))
    if where is None or where[1] != "discussions":
        raise PayloadError(f"Discussion {node} names no repository and number (url): {clean.preview(discussion)}")
    if not context.follows(labels_of(discussion)):
        return None
    repo, _, number = where
    changed = _time(discussion, "lastEditedAt") or (_time(discussion, "updated_at") if edited else None)
    kept = {k: v for k, v in discussion.items() if k != "comments"}
    raw = raw_of("discussion", repo, number, kept, discussion_id=node)
    url = _first(discussion, "html_url", "url")
    return _opening(discussion, node, created, url=url, changed=changed, deleted=deleted, raw=raw)


def _opening(
    post: dict[str, Any],
    node: str,
    created: datetime,
    *,
    url: Any,
    changed: datetime | None,
    deleted: bool,
    raw: dict[str, Any],
) -> IncomingMention:
    """An issue or a discussion: the post that opens its own thread, read as its text (its title where it has none)."""
    title = clean.line(post.get("title"), max_length=clean.TITLE_MAX)
    body = clean.text(post.get("body"))
    login, profile = _author(post)
    return IncomingMention(
        external_id=node,
        created_at=created,
        text=readable(body) or title,
        title=title,
        author_handle=login,
        author_name=login,
        author_url=profile,
        permalink=clean.url(url),
        thread_id=node,
        deleted=deleted,
        edited_at=changed if changed and changed > created else None,
        media=images(body),
        raw=raw,
    )


def discussion_comment_mention(
    item: Any, context: Context, *, discussion_node: str = "", deleted: bool = False, edited: bool = False
) -> IncomingMention:
    """A discussion comment or a reply to one (GraphQL ``DiscussionComment``, with its ``discussion`` and
    ``replyTo``, or a webhook's ``comment`` with the delivery's discussion node id)."""
    comment, node, created = _required(item, "discussion comment")
    where = place(_first(comment, "html_url", "url"))
    if where is None or where[1] != "discussions":
        raise PayloadError(f"Discussion comment {node} names no discussion (url): {clean.preview(comment)}")
    repo, _, number = where
    discussion = discussion_node or clean.ident(clean.mapping(comment.get("discussion")).get("id"))
    if not discussion:
        raise PayloadError(f"Discussion comment {node} does not say its discussion: {clean.preview(comment)}")
    reply_to = clean.ident(clean.mapping(comment.get("replyTo")).get("id"))
    return _comment(
        comment, node, created, context, (discussion, reply_to or discussion), deleted=deleted,
        kind="discussion_comment", repo=repo, number=number, edited=edited,
        more={"discussion_id": discussion, "reply_to": reply_to or node},
    )  # fmt: skip


def _comment(
    comment: dict[str, Any],
    node: str,
    created: datetime,
    context: Context,
    thread_and_parent: tuple[str, str],
    *,
    deleted: bool,
    kind: str,
    repo: str,
    number: int,
    edited: bool = True,
    more: dict[str, str] | None = None,
) -> IncomingMention:
    body = clean.text(comment.get("body"))
    login, profile = _author(comment)
    association = clean.line(_first(comment, "author_association", "authorAssociation"), max_length=40).upper()
    changed = _time(comment, "lastEditedAt") or (_time(comment, "updated_at", "updatedAt") if edited else None)
    kept = {k: v for k, v in comment.items() if k != "replies"}
    thread, parent = thread_and_parent
    return IncomingMention(
        external_id=node,
        created_at=created,
        text=readable(body),
        author_handle=login,
        author_name=login,
        author_url=profile,
        permalink=clean.url(_first(comment, "html_url", "url")),
        parent_id=parent,
        thread_id=thread,
        deleted=deleted,
        edited_at=changed if changed and changed > created else None,
        by_us=bool(association) and association in context.team,
        media=images(body),
        raw=raw_of(kind, repo, number, kept, **(more or {})),
    )


def discussion_entries(discussion: dict[str, Any]) -> list[dict[str, Any]]:
    """A GraphQL discussion's comments and their replies, each with its ``discussion`` (and a reply its ``replyTo``)
    filled in where the query left them out, oldest thread first."""
    ref = {"id": node_id(discussion), "number": discussion.get("number")}
    entries: list[dict[str, Any]] = []
    for comment in clean.objects(clean.mapping(discussion.get("comments")).get("nodes")):
        entries.append({**comment, "discussion": comment.get("discussion") or ref})
        for reply in clean.objects(clean.mapping(comment.get("replies")).get("nodes")):
            own = {
                "discussion": reply.get("discussion") or ref,
                "replyTo": reply.get("replyTo") or {"id": node_id(comment)},
            }
            entries.append({**reply, **own})
    return entries


def is_issue(item: Any) -> bool:
    return isinstance(item, dict) and "number" in item and "title" in item and "issue_url" not in item


def is_comment(item: Any) -> bool:
    return isinstance(item, dict) and "issue_url" in item
