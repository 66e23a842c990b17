"""Writing on Bluesky as a connected account: a reply, a like, a repost, the deletion of our own record.

Each is one `com.atproto.repo.createRecord` (or `deleteRecord`) on the account's PDS, in the account's repository
(its DID), with the account's access token (channels.accounts.tokens: refreshed when it expires; Bluesky answers
an expired one with 400 `ExpiredToken`). docs.bsky.app, "Creating a post" and the lexicons of
`app.bsky.feed.post`, `app.bsky.feed.like` and `app.bsky.feed.repost`:

- a reply is a post whose `reply` names its `root` and its `parent` as strong references (`{uri, cid}`): the
  parent is the message answered, the root the thread's first post (the parent's own `reply.root`, or the parent
  itself when it opened the thread); its `facets` mark links and @mentions by UTF-8 byte offsets (richtext.py);
  its text is at most 300 graphemes; its images (`media.py`) are uploaded as blobs first and embedded with their
  alt text;
- a like or a repost is a record whose `subject` is the post's strong reference;
- a record is deleted by its repository, collection and record key, all read from its AT URI.

The answer is `{uri, cid}` of the new record: a reply comes back as the message the next poll will see (same AT
URI), so it counts once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from channels import clean
from channels.accounts.sending import Reply, reply_poster
from channels.http import json_or_none, request
from channels.http_status import Ladder, succeeded

from ..base import PermanentError, ReplyError, ReplyTarget, ReplyUncertain, SentReply, TransientError
from .auth import RATE_LIMITED, pds_signed, token_refused, write_answer
from .config import handle_of, settings_of
from .media import images_embed, media_listed
from .parse import POST, WEB_URL, did_and_rkey, post_uri
from .richtext import facets_of, length_problem

if TYPE_CHECKING:
    from channels.models import Account, Channel

CREATE = "com.atproto.repo.createRecord"
DELETE = "com.atproto.repo.deleteRecord"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"
RESOLVE = "com.atproto.identity.resolveHandle"
OUR_RECORD = re.compile(
    r"\Aat://(did:[a-z0-9]{1,16}:[A-Za-z0-9._:%-]{1,160})/(app\.bsky\.feed\.(?:post|like|repost))/([A-Za-z0-9._~:-]{1,64})\Z"
)


@dataclass(frozen=True)
class RecordRef:
    """A record written: what a later `delete_post` takes back."""

    uri: str
    cid: str


def now_iso() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def strong_ref(target: ReplyTarget) -> dict[str, str]:
    """The message's `{uri, cid}`, from the post the poll stored."""
    uri, cid = post_uri(target.external_id), clean.ident(target.raw.get("cid"))
    if not uri or not cid:
        raise ReplyError(f"Cannot answer {str(target.external_id)[:80]!r}: it is not a Bluesky post the desk read.")
    return {"uri": uri, "cid": cid}


def root_ref(target: ReplyTarget) -> dict[str, str]:
    root = clean.mapping(clean.mapping(clean.mapping(target.raw.get("record")).get("reply")).get("root"))
    uri, cid = post_uri(root.get("uri")), clean.ident(root.get("cid"))
    return {"uri": uri, "cid": cid} if uri and cid else strong_ref(target)


# A record write's refusals: a server error may come after the record was written.
WRITE: Ladder = {
    429: RATE_LIMITED,
    "5xx": (ReplyUncertain, "{label} answered HTTP {status} ({said}): it may have been {what}; check {where} first."),
    **dict.fromkeys(("1xx", "3xx", "4xx"), (ReplyError, "{label} refused it ({said}): nothing was {what}.")),
}


def _write(*, channel: Channel, account: Account, session: requests.Session, nsid: str, body: Any, what: str) -> dict:
    """POST one repository write as `account`; its JSON answer, or ReplyError in words. `body(tokens)` builds the
    input with the account's DID."""
    from channels.accounts.tokens import account_request

    where = f"@{account.username}'s posts on Bluesky"
    service = settings_of(channel.config)["service_url"]
    response, used = account_request(
        session, "POST", "", account=account, label="Bluesky", where=where, refused=token_refused,
        signed=lambda tokens: {**pds_signed(service, nsid)(tokens), "json": body(tokens)},
    )  # fmt: skip
    return write_answer(response, used, WRITE, what=what, where=where, user=account.username)


def _resolver(session: requests.Session, service: str) -> Any:
    """handle -> DID through `com.atproto.identity.resolveHandle` (None when it does not resolve), asked once each."""
    known: dict[str, str | None] = {}

    def resolve(handle: str) -> str | None:
        if handle not in known:
            known[handle] = None
            try:
                response = request(
                    session, "GET", f"{service}/xrpc/{RESOLVE}", label="Bluesky", params={"handle": handle}
                )
            except (TransientError, PermanentError):  # an unresolved handle stays text: the link is left out
                response = None
            body = json_or_none(response)[0] if response is not None and succeeded(response) else None
            did = clean.ident(clean.mapping(body).get("did"))
            known[handle] = did if did.startswith("did:") else None
        return known[handle]

    return resolve


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    text = reply.text.strip()
    if problem := length_problem(text):
        raise ReplyError(problem)
    parent, root = strong_ref(reply.target), root_ref(reply.target)
    service = settings_of(reply.channel.config)["service_url"]
    record: dict[str, Any] = {
        "$type": POST,
        "text": text,
        "createdAt": now_iso(),
        "reply": {"root": root, "parent": parent},
    }
    if facets := facets_of(text, _resolver(reply.session, service)):
        record["facets"] = facets
    if reply.media:  # uploaded before the post is written: a refused image posts nothing
        record["embed"] = images_embed(
            channel=reply.channel, account=reply.account, session=reply.session, images=reply.media
        )
    did: list[str] = []

    def body(tokens: dict[str, Any]) -> dict[str, Any]:
        did[:] = [str(tokens.get("did", ""))]
        return {"repo": did[0], "collection": POST, "record": record}

    answer = _write(
        channel=reply.channel, account=reply.account, session=reply.session, nsid=CREATE, body=body, what="posted"
    )
    uri, cid = post_uri(answer.get("uri")), clean.ident(answer.get("cid"))
    if not uri or not cid:
        raise ReplyUncertain(f"Bluesky took the reply but named no post: check @{reply.account.username}'s posts.")
    author = handle_of(reply.account.username) or did_and_rkey(uri)[0]
    return SentReply(
        external_id=uri,
        permalink=f"{WEB_URL}/profile/{quote(author, safe=':.')}/post/{did_and_rkey(uri)[1]}",
        created_at=datetime.now(tz=UTC),
        raw={"uri": uri, "cid": cid, "author": {"did": did_and_rkey(uri)[0], "handle": author}, "record": record},
        media=media_listed(record.get("embed") or {}, did_and_rkey(uri)[0]),
    )


def _subject_record(
    collection: str, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget
) -> RecordRef:
    record = {"$type": collection, "subject": strong_ref(target), "createdAt": now_iso()}
    what = "liked" if collection == LIKE else "reposted"
    answer = _write(
        channel=channel,
        account=account,
        session=session,
        nsid=CREATE,
        body=lambda tokens: {"repo": str(tokens.get("did", "")), "collection": collection, "record": record},
        what=what,
    )
    uri, cid = clean.ident(answer.get("uri")), clean.ident(answer.get("cid"))
    if not OUR_RECORD.match(uri) or not cid:
        raise ReplyUncertain(f"Bluesky took it but named no record: check whether @{account.username} {what} it.")
    return RecordRef(uri, cid)


def like(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> RecordRef:
    return _subject_record(LIKE, channel=channel, account=account, session=session, target=target)


def repost(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> RecordRef:
    return _subject_record(REPOST, channel=channel, account=account, session=session, target=target)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, uri: str) -> None:
    """Delete one of the account's own records (a post, like or repost) by its AT URI."""
    match = OUR_RECORD.match(uri or "")
    if not match:
        raise ReplyError(f"Cannot delete {str(uri)[:80]!r}: not the AT URI of a post, like or repost.")
    repo, collection, rkey = match.groups()

    def body(tokens: dict[str, Any]) -> dict[str, str]:
        if str(tokens.get("did", "")) != repo:
            raise ReplyError(f"{uri} is not @{account.username}'s: the desk deletes only its own posts.")
        return {"repo": repo, "collection": collection, "rkey": rkey}

    _write(channel=channel, account=account, session=session, nsid=DELETE, body=body, what="deleted")
