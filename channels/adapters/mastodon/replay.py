"""mastodon.social's REST API for the demo desk (channels.demo.replay): the demo week's Mastodon threads
(channels.demo.threads.open_social) answered as statuses of that instance, so a demo channel is polled
through the real adapter (its streams, marks, ``min_id`` paging and ``Link`` headers, the parser, intake).

Endpoints, in the recorded shapes of ``tests/fixtures`` (SOURCES.md):

- ``GET /api/v1/notifications?types[]=mention``: a mention notification (``notifications_mentions.json``) for each
  post that names ``@<our account>``, not written by it;
- ``GET /api/v1/timelines/tag/:hashtag``: the posts carrying ``#hashtag`` (``tag_timeline_hoot.json``);
- ``GET /api/v1/accounts/:id/statuses``: our account's posts (``account_statuses_page.json``);
- ``GET /api/v2/search?type=statuses&q=...``: the posts holding every word of ``q``, in the recorded search answer
  (``search_statuses_empty.json``'s keys);
- ``GET /api/v1/statuses/:id/context``: ``ancestors`` and ``descendants`` of a post (``context_empty.json``'s keys);
- ``GET /api/v1/accounts/verify_credentials``: our account; ``GET /api/v2/instance``: the instance and its limits.
- Writes by our account (docs.joinmastodon.org methods/statuses), answered as done and kept nowhere: ``POST
  /api/v1/statuses`` (a reply, or a direct message: the new status as the instance returns it), ``POST
  /api/v1/statuses/:id/favourite`` and ``/reblog`` (the status favourited; the boost carrying it in ``reblog``),
  ``DELETE /api/v1/statuses/:id`` (the deleted status), and ``GET /api/v1/statuses/:id``.

Lists are newest first, paged by ``min_id`` (the page immediately newer), ``max_id`` and ``limit`` (default 20 for
statuses and 40 for notifications, at most 40 and 80), with a ``Link`` header (rel "next" ``max_id``, rel "prev"
``min_id``) as Mastodon sends it. Every answer carries ``X-RateLimit-Limit``/``Remaining``/``Reset``. Without the
demo channel's token: 401 ``{"error": "The access token is invalid"}``; an unknown route or post: 404
``{"error": "Not Found"}`` (the recorded error bodies).

Ids are Mastodon's kind (a millisecond time shifted 16 bits, plus the post's place), so they grow with time and are
the same at every poll. Content is HTML as Mastodon renders it: mentions and hashtags are links
(``u-url mention``, ``mention hashtag``) and links are anchors. A post's image (the thread's `media`) is a
``media_attachments`` entry in the documented attachment's shape (``docs_media_image.json``).
"""

from __future__ import annotations

import html
import re
import zlib
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import default
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import requests

from channels.adapters.base import IncomingMention, Media
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts

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
    url = urlsplit(request.url or "")
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    route = _ROUTES.fullmatch(url.path.rstrip("/"))
    asked = route.groupdict() if route else {}
    headers = limits(posts.now)
    if asked.get("v2") == "instance":
        return 200, instance(), headers
    if (request.headers.get("Authorization") or "") != f"Bearer {TOKEN}":
        return 401, _INVALID, headers
    if asked.get("v2") == "media" and request.method == "POST":
        return 200, uploaded(request, posts.now), headers
    if route is not None and asked["statuses"]:
        return write(request, asked, posts, headers)
    if request.method != "GET" or route is None:
        return 404, _NOT_FOUND, headers
    everything = statuses(posts)
    ours = account(TEAM)
    if asked["me"]:
        return 200, ours, headers
    if asked["context"]:
        return thread(everything, asked["context"], headers)
    if asked["v2"] == "search":
        words = query.get("q", "").casefold().split()
        found = [s for s in everything if words and all(w in _text(s).casefold() for w in words)]
        page = _page(found, query, 20, 40) if query.get("type", "statuses") == "statuses" else []
        return 200, {"accounts": [], "statuses": page, "hashtags": [], "collections": []}, headers
    if asked["tag"]:
        tag = unquote(asked["tag"]).casefold()
        found = [s for s in everything if tag in (t["name"].casefold() for t in s["tags"])]
        return _listed(url.path, query, found, (20, 40), headers)
    if asked["account"]:
        found = [s for s in everything if s["account"]["id"] == asked["account"]]
        return _listed(url.path, query, found, (20, 40), headers)
    if query.get("types[]", "mention") != "mention":
        return 200, [], headers
    named = [s for s in everything if s["account"]["acct"] != ours["acct"] and ours["acct"] in _named(s)]
    return _listed(url.path, query, [mention(s) for s in named], (40, 80), headers)


def write(
    request: requests.PreparedRequest, asked: dict[str, Any], posts: DemoPosts, headers: dict[str, str]
) -> Answer:
    """Our account's post, favourite, boost or deletion, answered as done (the week is not changed by it)."""
    now = posts.now
    if asked["status"] is None:  # a new status: a reply, or a direct message
        if request.method != "POST":
            return 404, _NOT_FOUND, headers
        body = request.body or ""
        sent = {k: v[-1] for k, v in parse_qs(body.decode() if isinstance(body, bytes) else body).items()}
        if not sent.get("status", "").strip():
            return 422, {"error": "Validation failed: Text can't be blank"}, headers
        new_id = str((int(now.timestamp() * 1000) << 16) + MADE)
        post = IncomingMention(external_id=new_id, author_handle=TEAM, text=sent["status"], created_at=now)
        made = status(post, new_id, sent.get("in_reply_to_id"))
        images = [
            _UPLOADS[i]
            for i in parse_qs(body.decode() if isinstance(body, bytes) else body).get("media_ids[]", [])
            if i in _UPLOADS
        ]
        return 200, {**made, "visibility": sent.get("visibility", "public"), "media_attachments": images}, headers
    found = next((s for s in statuses(posts) if s["id"] == asked["status"]), None)
    if found is None and int(asked["status"]) & 0xFFFF == MADE:  # a status the desk posted here: nothing is kept
        made_at = datetime.fromtimestamp((int(asked["status"]) >> 16) / 1000, tz=now.tzinfo)
        found = status(
            IncomingMention(external_id="", author_handle=TEAM, text="", created_at=made_at), asked["status"], None
        )
    if found is None and request.method == "POST" and asked["act"]:
        # Someone's status the week does not hold (a release-day story's, seed_demo_stories): the instance would
        # favourite or boost it, so the replay does too, as posted when its id says (ids are its millisecond << 16).
        made_at = datetime.fromtimestamp((int(asked["status"]) >> 16) / 1000, tz=now.tzinfo)
        found = status(
            IncomingMention(external_id="", author_handle="someone", text="", created_at=made_at), asked["status"], None
        )
    if found is None:
        return 404, _NOT_FOUND, headers
    if request.method == "GET" or (request.method == "DELETE" and not asked["act"]):
        return 200, found, headers
    if request.method != "POST" or not asked["act"]:
        return 404, _NOT_FOUND, headers
    if asked["act"] == "/favourite":
        return 200, {**found, "favourited": True, "favourites_count": found["favourites_count"] + 1}, headers
    boosted = {**found, "reblogged": True, "reblogs_count": found["reblogs_count"] + 1}
    boost_id = str((int(now.timestamp() * 1000) << 16) + 0xFFFE)
    made = status(IncomingMention(external_id=boost_id, author_handle=TEAM, text="", created_at=now), boost_id, None)
    return 200, {**made, "content": "", "reblog": boosted, "reblogged": True}, headers


def _named(found: dict[str, Any]) -> list[str]:
    return [m["acct"] for m in found["mentions"]]


def limits(now: datetime) -> dict[str, str]:
    """The rate-limit headers of every answer: a 5-minute window, never spent (the demo has room)."""
    reset = now.replace(second=0, microsecond=0) + timedelta(minutes=5 - now.minute % 5)
    stamp = reset.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": stamp}


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
        "locked": False,
        "bot": False,
        "created_at": "2022-11-01T00:00:00.000Z",
        "note": "",
        "url": f"{home}/@{name}",
        "uri": f"{home}/users/{name}",
        "followers_count": spread % 5_000,
        "following_count": spread % 700,
        "statuses_count": spread % 9_000,
        "emojis": [],
        "fields": [],
    }


def status(post: IncomingMention, status_id: str, parent: str | None) -> dict[str, Any]:
    author = account(post.author_handle)
    named = [account(h) for h in dict.fromkeys(_HANDLE.findall(post.text))]
    tags = list(dict.fromkeys(_TAG.findall(post.text)))
    return {
        "id": status_id,
        "created_at": post.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "in_reply_to_id": parent,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"{author['uri']}/statuses/{status_id}",
        "url": f"{author['url']}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": content(post.text),
        "reblog": None,
        "account": author,
        "media_attachments": [attachment(item, f"{status_id}{place}") for place, item in enumerate(post.media)],
        "mentions": [{k: a[k] for k in ("id", "username", "url", "acct")} for a in named],
        "tags": [{"name": t, "url": f"{WEB}/tags/{t}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }


# The images uploaded for a reply, by media id, until the status naming them is posted (the same sender call, so the
# same process); the oldest are forgotten past a few.
_UPLOADS: dict[str, dict[str, Any]] = {}


def uploaded(request: requests.PreparedRequest, now: datetime) -> dict[str, Any]:
    """``POST /api/v2/media``: the attachment as the instance answers once processed (``url`` set), its description
    read from the multipart form (docs_media_image.json's shape)."""
    kind = request.headers.get("Content-Type") or ""
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    form = BytesParser(policy=default).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
    fields = (
        {p.get_param("name", header="content-disposition"): p for p in form.iter_parts()} if form.is_multipart() else {}
    )
    described = fields.get("description")
    alt = (described.get_content() if described is not None else "").strip()
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


def _page(items: list[dict[str, Any]], query: dict[str, str], default: int, most: int) -> list[dict[str, Any]]:
    """The page `query` asks for of `items` (newest first): ``min_id`` the page just above it, ``max_id`` below."""
    limit = query.get("limit", "")
    size = min(max(int(limit), 1), most) if limit.isdigit() else default
    if query.get("max_id", "").isdigit():
        items = [i for i in items if int(i["id"]) < int(query["max_id"])]
    if query.get("min_id", "").isdigit():
        return [i for i in items if int(i["id"]) > int(query["min_id"])][-size:]
    if query.get("since_id", "").isdigit():
        items = [i for i in items if int(i["id"]) > int(query["since_id"])]
    return items[:size]


def _listed(
    path: str, query: dict[str, str], items: list[dict[str, Any]], sizes: tuple[int, int], headers: dict[str, str]
) -> Answer:
    """A page of `items` with Mastodon's `Link` header (`sizes`: the endpoint's default and largest limit)."""
    page = _page(items, query, *sizes)
    if page:
        kept = {k: v for k, v in query.items() if k not in ("min_id", "max_id", "since_id")}
        older = f"{WEB}{path}?{urlencode({**kept, 'max_id': page[-1]['id']})}"
        newer = f"{WEB}{path}?{urlencode({**kept, 'min_id': page[0]['id']})}"
        headers["Link"] = f'<{older}>; rel="next", <{newer}>; rel="prev"'
    return 200, page, headers


def thread(everything: list[dict[str, Any]], status_id: str, headers: dict[str, str]) -> Answer:
    """A post's context: the posts above it, oldest first, and every reply below it."""
    by_id = {s["id"]: s for s in everything}
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
