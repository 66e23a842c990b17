"""mastodon.social's REST API for the demo (channels.demo.replay_kit says what every replay shares): the week's Mastodon
threads as statuses of that instance, after the recorded responses in ``tests/fixtures`` (SOURCES.md):

- ``GET /api/v1/notifications?types[]=mention``: a mention (``notifications_mentions.json``) of each post by
  someone else naming ``@<our account>``; ``GET /api/v1/timelines/tag/:hashtag`` (``tag_timeline_hoot.json``);
  ``GET /api/v1/accounts/:id/statuses`` (``account_statuses_page.json``); ``GET /api/v2/search?type=statuses``
  (``search_statuses_empty.json``'s keys); ``GET /api/v1/statuses/:id/context`` (``context_empty.json``'s keys; of
  a direct status of ours, the answer of the person it names: replay_dm.py);
  ``GET /api/v1/accounts/verify_credentials``; ``GET /api/v2/instance``.
- Writes (docs.joinmastodon.org methods/statuses, methods/media): ``POST /api/v1/statuses`` (a reply or a direct
  message), ``POST /api/v1/statuses/:id/favourite`` and ``/reblog``, ``DELETE`` and ``GET /api/v1/statuses/:id``,
  ``POST /api/v2/media`` (``docs_media_image.json``).

Lists are paged by ``min_id``, ``max_id``, ``since_id`` and ``limit`` (20 for statuses, 40 for notifications; at
most 40 and 80) with Mastodon's ``Link`` header; every answer carries ``X-RateLimit-*``. Without the channel's token:
401 ``{"error": "The access token is invalid"}``; unknown: 404 ``{"error": "Not Found"}``. Ids are a millisecond
time shifted 16 bits plus the post's place; content is Mastodon's HTML (mentions, hashtags and links as anchors).
"""

from __future__ import annotations

import html
import re
import zlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import requests

from channels.adapters.base import IncomingMention, Media
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, fixed, id_page, limit_of, link_header, whole, zulu

from .replay_dm import answers, dm_sent

INSTANCE = "mastodon.social"
HOSTS = (INSTANCE,)
WEB = f"https://{INSTANCE}"
DEMO_CHANNEL: dict[str, Any] = DEMO_CHANNELS["mastodon"]
TEAM = DEMO_CHANNEL["our_accounts"][0].partition("@")[0]  # the team's account, local to the demo instance
TOKEN: str = DEMO_CHANNEL["credentials"]["access_token"]
_ROUTES = re.compile(
    r"/api/v1/(?:(?P<notifications>notifications)|timelines/tag/(?P<tag>[^/]+)|accounts/(?P<account>\d+)/statuses"
    r"|statuses/(?P<context>\d+)/context|accounts/(?P<me>verify_credentials)"
    r"|(?P<statuses>statuses)(?:/(?P<status>\d+)(?P<act>/favourite|/reblog)?)?)|/api/v2/(?P<v2>search|instance|media)"
)
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]+(?:@[\w.-]+\w)?)")
_TAG = re.compile(r"(?<![\w#])#(\w+)")
_LINK = re.compile(r"https?://[^\s<]+[^\s<.,;:!?)]")
MADE = 0xFFFF  # the place in the id of a status posted on the demo instance (the week's are numbered from 0)
_INVALID = {"error": "The access token is invalid"}
_NOT_FOUND = {"error": "Not Found"}

Answer = tuple[int, Any, dict[str, str]]


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    asked = Asked(request)
    query, path = asked.query, asked.path
    route = _ROUTES.fullmatch(path.rstrip("/"))
    parts = route.groupdict() if route else {}
    headers = limits(posts.now)
    if parts.get("v2") == "instance":
        return 200, instance(), headers
    if asked.header("Authorization") != f"Bearer {TOKEN}":
        return 401, _INVALID, headers
    if parts.get("v2") == "media" and asked.method == "POST":
        return 200, uploaded(asked, posts.now), headers
    if route is not None and parts["statuses"]:
        return write(asked, parts, posts, headers)
    if asked.method != "GET" or route is None:
        return 404, _NOT_FOUND, headers
    everything = statuses(posts)
    ours = account(TEAM)
    if parts["me"]:
        return 200, ours, headers
    if parts["context"]:
        return thread(everything, parts["context"], posts.now, headers)
    if parts["v2"] == "search":
        words = query.get("q", "").casefold().split()
        found = [s for s in everything if words and all(w in _text(s).casefold() for w in words)]
        page = _page(found, query, 20, 40) if query.get("type", "statuses") == "statuses" else []
        return 200, {"accounts": [], "statuses": page, "hashtags": [], "collections": []}, headers
    if parts["tag"]:
        tag = unquote(parts["tag"]).casefold()
        found = [s for s in everything if tag in (t["name"].casefold() for t in s["tags"])]
        return _listed(path, query, found, (20, 40), headers)
    if parts["account"]:
        found = [s for s in everything if s["account"]["id"] == parts["account"]]
        return _listed(path, query, found, (20, 40), headers)
    if query.get("types[]", "mention") != "mention":
        return 200, [], headers
    named = [
        s
        for s in everything
        if s["account"]["acct"] != ours["acct"] and ours["acct"] in (m["acct"] for m in s["mentions"])
    ]
    return _listed(path, query, [mention(s) for s in named], (40, 80), headers)


def write(asked: Asked, parts: dict[str, Any], posts: DemoPosts, headers: dict[str, str]) -> Answer:
    """Our account's post, favourite, boost or deletion, answered as done."""
    now, sent = posts.now, asked.form
    if parts["status"] is None:  # a new status: a reply, or a direct message
        if asked.method != "POST":
            return 404, _NOT_FOUND, headers
        if not sent.get("status", "").strip():
            return 422, {"error": "Validation failed: Text can't be blank"}, headers
        new_id = str((int(now.timestamp() * 1000) << 16) + MADE)
        post = IncomingMention(external_id=new_id, author_handle=TEAM, text=sent["status"], created_at=now)
        made = status(post, new_id, sent.get("in_reply_to_id"))
        images = [_UPLOADS[i] for i in asked.form_lists.get("media_ids[]", []) if i in _UPLOADS]
        if sent.get("visibility") == "direct":  # its reader answers it at the next read (replay_dm.py)
            dm_sent(made, sent["status"], [m["acct"] for m in made["mentions"]], now)
        return 200, {**made, "visibility": sent.get("visibility", "public"), "media_attachments": images}, headers
    found = next((s for s in statuses(posts) if s["id"] == parts["status"]), None)
    ours = int(parts["status"]) & 0xFFFF == MADE  # a status the desk posted here: nothing is kept
    if found is None and (ours or (asked.method == "POST" and parts["act"])):
        # Or someone's status the week does not hold (a release-day story's, seed_demo_stories): the instance would
        # favourite or boost it, so the replay does too. Either as posted when its id says (its millisecond << 16).
        made_at = datetime.fromtimestamp((int(parts["status"]) >> 16) / 1000, tz=now.tzinfo)
        post = IncomingMention(external_id="", author_handle=TEAM if ours else "someone", text="", created_at=made_at)
        found = status(post, parts["status"], None)
    if found is None:
        return 404, _NOT_FOUND, headers
    if asked.method == "GET" or (asked.method == "DELETE" and not parts["act"]):
        return 200, found, headers
    if asked.method != "POST" or not parts["act"]:
        return 404, _NOT_FOUND, headers
    if parts["act"] == "/favourite":
        return 200, {**found, "favourited": True, "favourites_count": found["favourites_count"] + 1}, headers
    boosted = {**found, "reblogged": True, "reblogs_count": found["reblogs_count"] + 1}
    boost_id = str((int(now.timestamp() * 1000) << 16) + 0xFFFE)
    made = status(IncomingMention(external_id=boost_id, author_handle=TEAM, text="", created_at=now), boost_id, None)
    return 200, {**made, "content": "", "reblog": boosted, "reblogged": True}, headers


def limits(now: datetime) -> dict[str, str]:
    """The rate-limit headers of every answer: a 5-minute window, never spent (the demo has room)."""
    reset = now.replace(second=0, microsecond=0) + timedelta(minutes=5 - now.minute % 5)
    return {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "299",
        "X-RateLimit-Reset": zulu(reset, "microseconds"),
    }


def statuses(posts: DemoPosts) -> list[dict[str, Any]]:
    """Every post served by now as a status, newest first."""
    found = []
    ids: dict[str, str] = {}
    for place, post in enumerate(sorted(posts.mentions, key=lambda m: (m.created_at, m.external_id))):
        status_id = str((int(post.created_at.timestamp() * 1000) << 16) + place)
        ids[post.external_id] = status_id
        found.append(status(post, status_id, ids.get(post.parent_id)))
    return sorted(found, key=lambda s: int(s["id"]), reverse=True)


def account(handle: str) -> dict[str, Any]:
    """An account as the recorded ones (``acct``: the name, with its server when it is not this instance)."""
    name, _, server = handle.partition("@")
    if server == INSTANCE:  # an account of this instance: its acct has no domain
        handle, server = name, ""
    home = f"https://{server}" if server else WEB
    spread = zlib.crc32(handle.casefold().encode())
    return {
        "id": str(109_000_000_000_000_000 + spread),
        "username": name,
        "acct": handle,
        "display_name": name.replace("_", " ").title(),
        **fixed("locked bot", False),
        "created_at": "2022-11-01T00:00:00.000Z",
        "note": "",
        "url": f"{home}/@{name}",
        "uri": f"{home}/users/{name}",
        "followers_count": spread % 5_000,
        "following_count": spread % 700,
        "statuses_count": spread % 9_000,
        **fixed("emojis fields", []),
    }


def status(post: IncomingMention, status_id: str, parent: str | None) -> dict[str, Any]:
    author = account(post.author_handle)
    named = [account(h) for h in dict.fromkeys(_HANDLE.findall(post.text))]
    tags = list(dict.fromkeys(_TAG.findall(post.text)))
    return {
        "id": status_id,
        "created_at": zulu(post.created_at),
        "in_reply_to_id": parent,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"{author['uri']}/statuses/{status_id}",
        "url": f"{author['url']}/{status_id}",
        **fixed("replies_count reblogs_count favourites_count", 0),
        **fixed("in_reply_to_account_id edited_at reblog card poll"),
        "content": content(post.text),
        "account": author,
        "media_attachments": [attachment(item, f"{status_id}{place}") for place, item in enumerate(post.media)],
        "mentions": [{k: a[k] for k in ("id", "username", "url", "acct")} for a in named],
        "tags": [{"name": t, "url": f"{WEB}/tags/{t}"} for t in tags],
        "emojis": [],
    }


# The images uploaded for a reply, by media id, until the status naming them is posted (the same sender call, so the
# same process); the oldest are forgotten past a few.
_UPLOADS: dict[str, dict[str, Any]] = {}


def uploaded(request: Asked, now: datetime) -> dict[str, Any]:
    """``POST /api/v2/media``: the attachment as the instance answers once processed (``url`` set), its description
    read from the multipart form (docs_media_image.json's shape)."""
    described = request.parts.get("description")
    alt = (described.data.decode() if described is not None else "").strip()
    media_id = str((int(now.timestamp() * 1000) << 16) + MADE + len(_UPLOADS) % 1000)
    where = f"https://files.mastodon.social/media_attachments/files/{media_id}"
    picture = Media(kind="image", url=f"{where}/original/reply.png", preview_url=f"{where}/small/reply.png", alt=alt)
    _UPLOADS[media_id] = attachment(picture, media_id)
    while len(_UPLOADS) > 32:
        _UPLOADS.pop(next(iter(_UPLOADS)))
    return _UPLOADS[media_id]


def attachment(media: Media, media_id: str) -> dict[str, Any]:
    """An image as a status's ``media_attachments`` entry: the original at `url`, the small copy at `preview_url`."""
    return {
        "id": media_id,
        "type": media.kind if media.kind in ("image", "video", "audio") else "unknown",
        "url": media.url,
        "preview_url": media.preview_url or media.url,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": {"width": 1600, "height": 900, "size": "1600x900", "aspect": 1.7777777777777777},
            "small": {"width": 640, "height": 360, "size": "640x360", "aspect": 1.7777777777777777},
        },
        "description": media.alt or None,
        "blurhash": "UFRysg~qxu-;_3ofRjay_3ayRjWB%MWBj[of",
    }


def content(text: str) -> str:
    """`text` as Mastodon's HTML: paragraphs, mentions and hashtags as links, links as anchors."""

    def linked(match: re.Match[str]) -> str:
        found = match.group(0)
        if found.startswith("@"):
            person = account(found[1:])
            link = f'<a href="{person["url"]}" class="u-url mention">@<span>{person["username"]}</span></a>'
            return f'<span class="h-card" translate="no">{link}</span>'
        if found.startswith("#"):
            tag = found[1:]
            return f'<a href="{WEB}/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
        return f'<a href="{found}" target="_blank" rel="nofollow noopener">{found}</a>'

    pattern = re.compile(f"{_LINK.pattern}|{_HANDLE.pattern}|{_TAG.pattern}")
    paragraphs = [pattern.sub(linked, html.escape(part, quote=False)) for part in text.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def mention(found: dict[str, Any]) -> dict[str, Any]:
    """A mention notification for the status, as the recorded one (its id: the status's)."""
    return {
        "id": found["id"],
        "type": "mention",
        "created_at": found["created_at"],
        "group_key": f"ungrouped-{found['id']}",
        "account": found["account"],
        "status": found,
    }


def _text(found: dict[str, Any]) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", found["content"]))


def _listed(
    path: str, query: dict[str, str], items: list[dict[str, Any]], sizes: tuple[int, int], headers: dict[str, str]
) -> Answer:
    """A page of `items` with Mastodon's `Link` header (`sizes`: the endpoint's default and largest limit)."""
    page = _page(items, query, *sizes)
    if page:
        kept = {k: v for k, v in query.items() if k not in ("min_id", "max_id", "since_id")}
        rels = [("next", {"max_id": page[-1]["id"]}), ("prev", {"min_id": page[0]["id"]})]
        headers["Link"] = link_header(f"{WEB}{path}", kept, rels)
    return 200, page, headers


def _page(items: list[dict[str, Any]], query: dict[str, str], default: int, most: int) -> list[dict[str, Any]]:
    """The page `query` asks for of `items` (newest first): ``min_id`` the page just above it, ``max_id`` below."""
    minimum, since = whole(query.get("min_id")), whole(query.get("since_id"))
    above, size = minimum if minimum is not None else since, limit_of(query.get("limit"), default, most)
    return id_page(items, _id, size, below=whole(query.get("max_id")), above=above, nearest_above=minimum is not None)


def _id(status: dict[str, Any]) -> int:
    return int(status["id"])


def thread(everything: list[dict[str, Any]], status_id: str, now: datetime, headers: dict[str, str]) -> Answer:
    """A post's context: the posts above it, oldest first, and every reply below it."""
    by_id = {s["id"]: s for s in everything}
    if status_id not in by_id and int(status_id) & 0xFFFF == MADE:
        # A status the desk posted here: below it, the answers to it if it was a direct message (replay_dm.py).
        return 200, {"ancestors": [], "descendants": answers(status_id, now)}, headers
    if status_id not in by_id:
        return 404, _NOT_FOUND, headers
    ancestors: list[dict[str, Any]] = []
    parent = by_id[status_id]["in_reply_to_id"]
    while parent in by_id:
        ancestors.insert(0, by_id[parent])
        parent = by_id[parent]["in_reply_to_id"]
    below, descendants = {status_id}, []
    for found in sorted(everything, key=lambda s: int(s["id"])):
        if found["in_reply_to_id"] in below:
            below.add(found["id"])
            descendants.append(found)
    return 200, {"ancestors": ancestors, "descendants": descendants}, headers


def instance() -> dict[str, Any]:
    """The instance, as the recorded ``GET /api/v2/instance`` (its keys the adapter reads)."""
    return {
        "domain": INSTANCE,
        "title": "Mastodon",
        "version": "4.5.0",
        "source_url": "https://github.com/mastodon/mastodon",
        "configuration": {
            "statuses": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23}
        },
    }
