"""Replying on a GitLab issue as a connected account: ``POST /projects/:id/issues/:iid/notes`` with ``body``
(docs.gitlab.com, "Notes API", "Create new issue note"). The answer is the new note, whose id the next poll
finds again as ``<project id>/notes/<id>``: a duplicate, not a second message.

The account's token is an OAuth access token (``Authorization: Bearer``) or a personal, project or group access
token (``PRIVATE-TOKEN``; ``token_type`` "private" in the stored tokens). GitLab refuses with
``{"message": ...}``: 401 (a revoked or expired token: refreshed once, then "reconnect"), 403 (no right to
comment, a locked discussion), 404 (the issue is gone or not visible), 429 with ``Retry-After``. Images
(`media.py`) are uploaded to the project first and shown in the note as markdown.
"""

from __future__ import annotations

import re
from typing import Any

from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster
from channels.http_status import Ladder, rate_limit_of, refusal, succeeded

from ..base import Media, ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import error_text
from .config import api_root, validate_config
from .parse import whole

_THREAD_RE = re.compile(r"(\d+)/issues/(\d+)")


def issue_of(target: ReplyTarget) -> tuple[int, int]:
    """(project id, issue iid) of the message answered: its raw issue or note, else its thread id."""
    raw = target.raw if isinstance(target.raw, dict) else {}
    project_id = whole(raw.get("project_id"))
    iid = whole(raw.get("noteable_iid")) if "noteable_type" in raw else whole(raw.get("iid"))
    if project_id is None or iid is None:
        match = _THREAD_RE.fullmatch(target.thread_id or target.external_id)
        if match is None:
            raise ReplyError(f"Cannot reply to {target.external_id[:60]!r}: its GitLab issue is not known.")
        project_id, iid = int(match.group(1)), int(match.group(2))
    return project_id, iid


def token_headers(tokens: dict[str, Any]) -> dict[str, Any]:
    """How an account's token goes with a request (`account_request`'s `signed`): a personal access token as
    PRIVATE-TOKEN, an OAuth token as a bearer; JSON asked for either way."""
    if tokens.get("token_type") == "private":
        return {"headers": {"PRIVATE-TOKEN": tokens["access_token"], "Accept": "application/json"}}
    return {"headers": {"Authorization": f"Bearer {tokens['access_token']}", "Accept": "application/json"}}


REPLY_REFUSED: Ladder = {
    429: (ReplyError, "GitLab's rate limit for {user} is used up: try again {when} (nothing was posted)."),
    403: (
        ReplyError,
        "GitLab refused the reply (403): {said} (the account may not comment here, or the discussion is locked).",
    ),
    404: (ReplyError, "GitLab refused the reply (404): {said} (the issue is gone, or the account cannot see it)."),
    **dict.fromkeys(("3xx", "4xx", "5xx"), (ReplyError, "GitLab refused the reply ({status}): {said}.")),
}


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    from channels.accounts.tokens import account_request

    project_id, iid = issue_of(reply.target)
    text, base = reply.text, validate_config(reply.channel.config)["base_url"]
    url = f"{api_root(base)}/projects/{project_id}/issues/{iid}/notes"
    shown: tuple[Media, ...] = ()
    if reply.media:
        from .media import uploaded

        markdown, shown = uploaded(
            account=reply.account, session=reply.session, api=api_root(base), web=base.rstrip("/"),
            project_id=project_id, images=reply.media, signed=token_headers,
        )  # fmt: skip
        text = text.rstrip() + "\n\n" + "\n".join(markdown)
    where = f"{reply.account.username}'s comments on the issue"
    response, used = account_request(
        reply.session, "POST", url, account=reply.account, label="GitLab", where=where, json={"body": text},
        signed=token_headers, allow_redirects=False,
    )  # fmt: skip
    answer = json_of(response)
    if succeeded(response):
        note_id = whole(answer.get("id")) if isinstance(answer, dict) else None
        if note_id is None:
            raise ReplyUncertain(f"GitLab accepted the reply but named no note: check {where}.")
        issue_url = reply.target.permalink.split("#", 1)[0]
        return SentReply(
            external_id=f"{project_id}/notes/{note_id}",
            permalink=f"{issue_url}#note_{note_id}" if issue_url else "",
            created_at=iso_or_now(answer.get("created_at")),
            raw=answer,
            media=shown,
        )
    wait = rate_limit_of(response).wait()
    raise refusal(
        response, "GitLab", REPLY_REFUSED, what="reply", said=error_text(answer) or "no reason given", secret=used,
        user=reply.account.username, when=f"in {int(wait)} s" if wait is not None else "later",
    )  # fmt: skip
