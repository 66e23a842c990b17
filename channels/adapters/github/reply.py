"""Posting on GitHub as a connected account: a reply, a reaction (a like), and deleting our own comment.

- Reply to an issue or an issue comment: ``POST /repos/{owner}/{repo}/issues/{number}/comments`` with ``{"body":
  ...}`` (docs.github.com, "Create an issue comment"); the answer is the new comment, whose ``node_id`` the next
  poll finds again: a duplicate, not a second message.
- Reply to a discussion or a discussion comment: GraphQL ``addDiscussionComment(input: {discussionId, body,
  replyToId})``; a reply to a comment goes in that comment's thread (GitHub nests one level: a reply to a reply
  goes under its top-level comment).
- Like: ``POST .../issues/{number}/reactions`` or ``.../issues/comments/{id}/reactions`` with ``{"content": "+1"}``
  (or ``heart``), ``Accept: application/vnd.github+json``; on a discussion or its comments, GraphQL
  ``addReaction(input: {subjectId, content: THUMBS_UP})``.
- Delete our own comment: ``DELETE /repos/{owner}/{repo}/issues/comments/{id}`` (204), or GraphQL
  ``deleteDiscussionComment(input: {id})``.

A body is Markdown, at most 65,536 characters (GitHub refuses longer ones with a 422). Refusals are said in words:
401 refreshes the account's token once (channels.accounts.tokens), 403 (no right to comment, a locked
conversation, or a rate limit: then when to try again), 404 (gone, or not visible), 410 (issues turned off), 422.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster, scrubbed
from channels.http_status import Ladder, Rung, rate_limit_of, refusal, succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import ACCEPT, API_VERSION, error_text, rate_limited
from .config import API_URL
from .parse import raw_of
from .platform import PLATFORM

if TYPE_CHECKING:
    from channels.models import Account, Channel

MAX_LENGTH = PLATFORM.reply_rule.most
REACTIONS = {"+1": "THUMBS_UP", "heart": "HEART"}
ADD_COMMENT = (
    "mutation($input: AddDiscussionCommentInput!) { addDiscussionComment(input: $input) "
    "{ comment { id url createdAt body author { login url } } } }"
)
ADD_REACTION = (
    "mutation($input: AddReactionInput!) { addReaction(input: $input) { reaction { content } subject { id } } }"
)
DELETE_COMMENT = (
    "mutation($input: DeleteDiscussionCommentInput!) { deleteDiscussionComment(input: $input) { comment { id } } }"
)


def where_of(target: ReplyTarget) -> tuple[str, str, int]:
    """(type, owner/name, number) of the message answered, from its stored raw (channels.adapters.github.parse)."""
    raw = target.raw if isinstance(target.raw, dict) else {}
    kind, repo, number = raw.get("type"), raw.get("repository"), raw.get("number")
    if kind not in ("issue", "issue_comment", "discussion", "discussion_comment") or not isinstance(repo, str):
        raise ReplyError(f"Cannot reply to {target.external_id[:60]!r}: its GitHub issue or discussion is not known.")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ReplyError(f"Cannot reply to {target.external_id[:60]!r}: its number is not known.")
    return kind, repo, number


def _refused(why: str) -> Rung:
    return (ReplyError, "GitHub refused ({status}): {said}" + why + ".")


# A send's refusals in the advocate's words: what GitHub's status says of the account, the conversation, the repository.
REFUSED: Ladder = {
    **dict.fromkeys(("3xx", "4xx", "5xx", 429), _refused("")),
    403: _refused(" (the account may not write here, or the conversation is locked)"),
    404: _refused(" (it is gone, or the account cannot see it)"),
    410: _refused(" (issues are turned off in this repository)"),
    422: _refused(" (GitHub did not accept it)"),
}
LIMITED: Rung = (ReplyError, "GitHub's rate limit for {user} is used up: try again {when} (nothing was posted).")


class Poster:
    """One account's calls: its fresh token on every request, failures in words, no token in any message."""

    def __init__(self, *, account: Account, session: requests.Session, where: str) -> None:
        self.account, self.session, self.where = account, session, where
        self.used: list[str] = []

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[requests.Response, Any]:
        from channels.accounts.tokens import account_request

        response, used = account_request(
            self.session, method, API_URL + path, account=self.account, label="GitHub", where=self.where, json=body,
            headers={"Accept": ACCEPT, "X-GitHub-Api-Version": API_VERSION},
        )  # fmt: skip
        self.used += used
        answer = json_of(response)
        if not succeeded(response):
            raise self.refusal(response, answer)
        return response, answer

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        _, answer = self.call("POST", "/graphql", {"query": query, "variables": variables})
        errors = clean.objects(clean.mapping(answer).get("errors"))
        if errors:
            said = "; ".join(m for m in (clean.line(e.get("message"), max_length=200) for e in errors[:3]) if m)
            raise ReplyError(scrubbed(f"GitHub refused: {said or 'no reason given'} (nothing was posted).", *self.used))
        return clean.mapping(clean.mapping(answer).get("data"))

    def refusal(self, response: requests.Response, answer: Any) -> Exception:
        wait = rate_limit_of(response).wait()  # Retry-After, else the reset once none are left
        ladder = {**REFUSED, 403: LIMITED, 429: LIMITED} if rate_limited(response) else REFUSED
        return refusal(
            response, "GitHub", ladder, said=error_text(answer) or "no reason given", secret=self.used,
            user=self.account.username, when=f"in {int(wait)} s" if wait is not None else "in a minute",
        )  # fmt: skip


@reply_poster(media=False)
def post_reply(reply: Reply) -> SentReply:
    kind, repo, number = where_of(reply.target)
    if (length := len(reply.text)) > MAX_LENGTH:
        raise ReplyError(f"GitHub takes at most {MAX_LENGTH:,} characters in a comment; this reply has {length:,}.")
    where = f"{reply.account.username}'s comments on {repo}#{number}"
    poster = Poster(account=reply.account, session=reply.session, where=where)
    if kind in ("issue", "issue_comment"):
        _, answer = poster.call("POST", f"/repos/{repo}/issues/{number}/comments", {"body": reply.text})
        comment = clean.mapping(answer)
        node, link, at = comment.get("node_id"), comment.get("html_url"), comment.get("created_at")
        stored = raw_of("issue_comment", repo, number, comment)
    else:
        raw = reply.target.raw
        discussion = clean.ident(raw.get("discussion_id")) or clean.ident(reply.target.thread_id)
        reply_to = clean.ident(raw.get("reply_to")) if kind == "discussion_comment" else ""
        variables = {
            "input": {"discussionId": discussion, "body": reply.text, **({"replyToId": reply_to} if reply_to else {})}
        }
        comment = clean.mapping(
            clean.mapping(poster.graphql(ADD_COMMENT, variables).get("addDiscussionComment")).get("comment")
        )
        node, link, at = comment.get("id"), comment.get("url"), comment.get("createdAt")
        # A reply under a comment answers that comment's thread; one to the discussion starts a thread of its own.
        under = reply_to or clean.ident(node)
        stored = raw_of("discussion_comment", repo, number, comment, discussion_id=discussion, reply_to=under)
    if not clean.ident(node):
        raise ReplyUncertain(f"GitHub accepted the reply but named no comment: check {poster.where}.")
    # Stored as a poll stores a comment (parse.raw_of), so that the desk can act on its own reply later (delete it).
    return SentReply(external_id=clean.ident(node), permalink=clean.url(link), created_at=iso_or_now(at), raw=stored)


def like(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, content: str = "+1"
) -> dict[str, Any]:
    """React to the message (``+1`` or ``heart``); GitHub answers 201 (made) or 200 (it was there already)."""
    kind, repo, number = where_of(target)
    if content not in REACTIONS:
        raise ReplyError(f"GitHub reactions the desk sends: {', '.join(REACTIONS)}; not {content[:20]!r}.")
    poster = Poster(account=account, session=session, where=f"the reactions on {repo}#{number}")
    if kind == "issue":
        return clean.mapping(poster.call("POST", f"/repos/{repo}/issues/{number}/reactions", {"content": content})[1])
    if kind == "issue_comment":
        comment_id = _database_id(target)
        path = f"/repos/{repo}/issues/comments/{comment_id}/reactions"
        return clean.mapping(poster.call("POST", path, {"content": content})[1])
    variables = {"input": {"subjectId": target.external_id, "content": REACTIONS[content]}}
    return clean.mapping(poster.graphql(ADD_REACTION, variables).get("addReaction"))


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    """Delete one of our own comments (an issue's or a discussion's); an issue or a discussion is not deleted."""
    kind, repo, number = where_of(target)
    if kind not in ("issue_comment", "discussion_comment"):
        raise ReplyError("Only a comment can be deleted from the desk, not an issue or a discussion.")
    if target.author_handle.casefold() != account.username.casefold():
        raise ReplyError(f"Only {account.username}'s own comments can be deleted as {account.username}.")
    poster = Poster(account=account, session=session, where=f"{account.username}'s comments on {repo}#{number}")
    if kind == "issue_comment":
        poster.call("DELETE", f"/repos/{repo}/issues/comments/{_database_id(target)}")
    else:
        poster.graphql(DELETE_COMMENT, {"input": {"id": target.external_id}})


def _database_id(target: ReplyTarget) -> int:
    found = clean.whole(clean.mapping(target.raw.get("item")).get("id"), minimum=1)
    if found is None:
        raise ReplyError(f"Cannot address {target.external_id[:60]!r}: its comment id is not known.")
    return found
