"""A whole GitHub payload as mentions: what a poll, a watched thread, a webhook delivery and
`manage.py ingest_payload` hand over, each item read on its own (`guard.parse_each`: an item that cannot be read
is rejected with its raw payload, the others are kept).

A payload is a list of REST issues (``GET /repos/{owner}/{repo}/issues``) and issue comments
(``GET /repos/{owner}/{repo}/issues/comments``), one of them, or a list of such lists; a GraphQL answer holding
discussions (``{"data": {"repository": {"discussions": {"nodes": [...]}}}}``, ``repository.discussion`` or a
``node``); or a webhook delivery's body (``issues``, ``issue_comment``, ``discussion``, ``discussion_comment``:
its event is told by its keys). Issues go first, so that a comment of an issue in the same payload joins its
ticket; a GraphQL discussion brings its comments and their replies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, nested_items, parse_each
from .parse import (
    Context,
    comment_mention,
    discussion_comment_mention,
    discussion_entries,
    discussion_mention,
    is_comment,
    is_issue,
    issue_mention,
    labels_of,
)

ID_KEYS = ("node_id", "id")
_NOT_GITHUB = (
    "expected GitHub issues or issue comments (REST), discussions (a GraphQL answer) or a webhook delivery: "
    "a JSON list of them, or one"
)


def each(items: list[Any], parse_one: Callable[[Any], IncomingMention | None]) -> Parsed:
    return parse_each(items, parse_one, id_keys=ID_KEYS, platform="github")


def graphql_discussions(data: Any) -> list[dict[str, Any]] | None:
    """The discussions of a GraphQL answer's ``data`` (a page of them, one, or a node); None when it holds none."""
    data = clean.mapping(data)
    repository = clean.mapping(data.get("repository"))
    if isinstance(repository.get("discussions"), dict):
        return clean.objects(clean.mapping(repository["discussions"]).get("nodes"))
    single = repository.get("discussion") if "discussion" in repository else data.get("node")
    if isinstance(single, dict):
        return [single]
    return [] if "repository" in data or "node" in data else None


def discussions_parsed(
    discussions: list[dict[str, Any]], context: Context, *, keep: Callable[[Any], bool] | None = None
) -> Parsed:
    """Each discussion, then its comments and replies (those `keep` accepts: a poll's window)."""
    parsed = each(discussions, lambda d: discussion_mention(d, context))
    for discussion in discussions:
        if not context.follows(labels_of(discussion)):
            continue  # a discussion the channel's labels do not follow brings none of its comments
        entries = [e for e in discussion_entries(discussion) if keep is None or keep(e)]
        parsed.extend(each(entries, lambda c: discussion_comment_mention(c, context)))
    return parsed


def page_items(payload: Any) -> list[Any]:
    """The REST items (and GraphQL answers, webhook bodies) of a payload, or `PayloadError` when it is none."""
    return nested_items(payload, _object_items, not_items=_NOT_GITHUB)


def _object_items(payload: dict[str, Any]) -> list[Any] | None:
    if "message" in payload and ("documentation_url" in payload or len(payload) <= 3):
        raise PayloadError(f"this is a GitHub error response ({clean.preview(payload)}), not issues or comments.")
    if is_issue(payload) or is_comment(payload) or "data" in payload or webhook_event(payload):
        return [payload]
    return None


def webhook_event(payload: dict[str, Any]) -> str:
    """The event a delivery's body belongs to, told by its keys ("" when it is none of the four the desk reads)."""
    if not isinstance(payload.get("action"), str):
        return ""
    if isinstance(payload.get("comment"), dict):
        return "issue_comment" if isinstance(payload.get("issue"), dict) else "discussion_comment"
    if isinstance(payload.get("issue"), dict):
        return "issues"
    return "discussion" if isinstance(payload.get("discussion"), dict) else ""


def delivery_parsed(event: str, payload: dict[str, Any], context: Context) -> Parsed:
    """A webhook delivery's issue or discussion, then its comment: the same parse as a poll's. A comment whose
    issue or discussion the channel does not follow (a pull request, other labels) is left out with it."""
    action = clean.line(payload.get("action"), max_length=40)
    deleted, edited = action == "deleted", action == "edited"
    parent_key = "issue" if event in ("issues", "issue_comment") else "discussion"
    parent = payload.get(parent_key)
    comment = payload.get("comment") if event in ("issue_comment", "discussion_comment") else None
    own = comment is None
    opening = issue_mention if parent_key == "issue" else discussion_mention
    parsed = each([parent], lambda p: opening(p, context, deleted=deleted and own, edited=edited and own))
    if comment is None or (not parsed.mentions and not parsed.rejected):
        return parsed
    node = clean.ident(clean.mapping(parent).get("node_id"))
    if parent_key == "issue":
        parsed.extend(each([comment], lambda c: comment_mention(c, context, issue_node=node, deleted=deleted)))
    else:
        one = lambda c: discussion_comment_mention(c, context, discussion_node=node, deleted=deleted, edited=edited)  # noqa: E731
        parsed.extend(each([comment], one))
    return parsed


def parse_page(payload: Any, context: Context | None = None) -> Parsed:
    """Every item of a payload the channel follows (`context`: its labels, team and known issues)."""
    context = context or Context()
    items = page_items(payload)
    issues = [i for i in items if is_issue(i)]
    comments = [i for i in items if is_comment(i)]
    parsed = each(issues, lambda i: issue_mention(i, context))
    parsed.extend(each(comments, lambda c: comment_mention(c, context)))
    for item in items:
        if is_issue(item) or is_comment(item):
            continue
        event = webhook_event(item) if isinstance(item, dict) else ""
        discussions = graphql_discussions(item.get("data")) if isinstance(item, dict) and not event else None
        if event:
            parsed.extend(delivery_parsed(event, item, context))
        elif discussions is not None:
            parsed.extend(discussions_parsed(discussions, context))
        else:
            parsed.extend(each([item], _not_github))
    return parsed


def _not_github(item: Any) -> IncomingMention:
    raise PayloadError(f"Neither a GitHub issue, comment, discussion nor webhook delivery: {clean.preview(item)}")
