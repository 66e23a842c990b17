"""www.googleapis.com's YouTube Data API answered from the demo week (channels.demo.replay), in the shapes of the
recorded answers in tests/fixtures (SOURCES.md: sns-sdks/python-youtube's recorded Data API answers):

- ``GET /youtube/v3/commentThreads`` (``allThreadsRelatedToChannelId`` the demo team's channel, or ``videoId``):
  ``threads_by_video.json``'s shape, the week's threads newest first, one page, each carrying its first five
  replies and counting them all (``totalReplyCount``);
- ``GET /youtube/v3/comments?parentId=``: ``comments_by_parent.json``'s shape, the thread's replies;
- ``GET /youtube/v3/search``: ``search_by_keywords.json``'s shape, with no video (the demo's channel searches none);
- ``POST /youtube/v3/comments`` as our connected account: ``comment_insert.json``'s shape, the reply as posted by the
  team's channel (kept nowhere); ``DELETE /youtube/v3/comments?id=`` (comments.delete): ``204 No Content`` for a
  reply of a thread of the week (the desk's own, kept nowhere, are such), Google's 404 ``commentNotFound`` for
  another id; ``GET /youtube/v3/channels?mine=true``: the team's channel;
- without the demo's key (or token), Google's 400 ``keyInvalid`` (401 ``authError``); anything else Google's 404.

The week as YouTube: each thread of the week (this package's `demo.THREADS`) is a top-level comment on a video of
the team's channel (a video per thread, its id made from the thread's title); its follow-ups are its replies, ours
by the team's channel. Comment ids take YouTube's shapes (a top-level ``Ugx…AaABAg``, a reply ``<top>.<own>``), made
from the post's place in the week, so a demo desk seeded before keeps the same ids.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

import requests
from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import BASE62, Asked, base36, place, stamp, zulu

from .demo import DEMO, TEAM_CHANNEL

HOSTS = ("www.googleapis.com",)
PATH = "/youtube/v3/"
KEY: str = DEMO["credentials"]["api_key"]
TOKEN: str = DEMO["account_tokens"]["access_token"]
OUR_NAME: str = DEMO["our_accounts"][0]
INCLUDED = 5  # replies a thread carries; the rest are read with comments.list, as YouTube answers

Item = dict[str, Any]


def _code(seed: str, length: int) -> str:
    return base36(zlib.crc32(seed.encode()), BASE62).rjust(length, "x")[:length]


def video_id(opening: IncomingMention) -> str:
    return _code(f"video:{opening.title}", 11)


def comment_id(post: IncomingMention) -> str:
    index, number = place(post.external_id)
    top = f"Ugx{_code(f'thread:{index}', 19)}AaABAg"
    return top if number == 0 else f"{top}.9{_code(f'reply:{index}:{number}', 21)}"


def _author(post: IncomingMention, posts: DemoPosts) -> Item:
    ours = post.author_handle == posts.our_account
    channel = TEAM_CHANNEL if ours else f"UC{_code(f'user:{post.author_handle}', 22)}"
    return {
        "authorDisplayName": f"@{post.author_handle}",
        "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/demo=s48-c-k-c0x00ffffff-no-rj",
        "authorChannelUrl": f"http://www.youtube.com/@{post.author_handle}",
        "authorChannelId": {"value": channel},
    }


def comment(post: IncomingMention, posts: DemoPosts, video: str, parent: str = "") -> Item:
    snippet: Item = {
        **_author(post, posts),
        "channelId": TEAM_CHANNEL,
        "videoId": video,
        "textDisplay": post.text,
        "textOriginal": post.text,
        **({"parentId": parent} if parent else {}),
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": zulu(post.created_at, "seconds"),
        "updatedAt": zulu(post.created_at, "seconds"),
    }
    ident = comment_id(post)
    return {"kind": "youtube#comment", "etag": _code(f"etag:{ident}", 27), "id": ident, "snippet": snippet}


def thread(posts_of_thread: list[IncomingMention], posts: DemoPosts) -> Item:
    opening, *replies = posts_of_thread
    video = video_id(opening)
    top = comment(opening, posts, video)
    item: Item = {
        "kind": "youtube#commentThread",
        "etag": _code(f"etag-thread:{top['id']}", 27),
        "id": top["id"],
        "snippet": {
            "channelId": TEAM_CHANNEL,
            "videoId": video,
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        },
    }
    if replies:
        item["replies"] = {"comments": [comment(r, posts, video, top["id"]) for r in replies[:INCLUDED]]}
    return item


def _listing(kind: str, items: list[Item]) -> Item:
    return {
        "kind": kind,
        "etag": _code(f"etag:{len(items)}", 27),
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 100},
        "items": items,
    }


def _error(status: int, reason: str, message: str) -> tuple[int, Item]:
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.CoreErrorDomain", "reason": reason}],
        }
    }


def threads(asked: Asked, posts: DemoPosts) -> tuple[int, Item]:
    week = [t for t in posts.threads() if asked.query.get("allThreadsRelatedToChannelId") == TEAM_CHANNEL
            or asked.query.get("videoId") == video_id(t[0])]  # fmt: skip
    week.sort(key=lambda t: t[0].created_at, reverse=True)
    return 200, _listing("youtube#commentThreadListResponse", [thread(t, posts) for t in week])


def replies(asked: Asked, posts: DemoPosts) -> tuple[int, Item]:
    for posts_of_thread in posts.threads():
        opening = posts_of_thread[0]
        top = comment_id(opening)
        if asked.query.get("parentId") == top:
            video = video_id(opening)
            found = [comment(r, posts, video, top) for r in posts_of_thread[1:]]
            return 200, _listing("youtube#commentListResponse", found)
    return _error(404, "commentNotFound", "The comment identified by the parentId parameter could not be found.")


def inserted(asked: Asked, posts: DemoPosts, now: datetime) -> tuple[int, Item]:
    parent = str((asked.json.get("snippet") or {}).get("parentId") or "")
    text = str((asked.json.get("snippet") or {}).get("textOriginal") or "")
    found = [t for t in posts.threads() if comment_id(t[0]) == parent]
    if not found or not text.strip():
        return _error(404, "parentCommentNotFound", "The parent comment could not be found.")
    ours = IncomingMention(
        external_id=f"{found[0][0].external_id}-{stamp(now)}", created_at=now, text=text, author_handle=OUR_NAME
    )
    made = comment(ours, posts, video_id(found[0][0]), parent)
    made["id"] = f"{parent}.9{base36(stamp(now), BASE62)}"
    made["snippet"].pop("videoId")  # comments.insert answers without it (comment_insert.json)
    return 200, made


def deleted(asked: Asked, posts: DemoPosts) -> tuple[int, Any]:
    """comments.delete: done (204, no body) for a reply under a thread of the week, as every comment the desk posts
    there is; nothing is kept, so the thread reads the same after."""
    top, dot, _own = str(asked.query.get("id") or "").partition(".")
    if dot and any(comment_id(t[0]) == top for t in posts.threads()):
        return 204, b""
    return _error(404, "commentNotFound", "The comment identified by the id parameter could not be found.")


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    route = asked.path.removeprefix(PATH)
    if asked.method in ("POST", "DELETE") or route == "channels":
        if asked.bearer != TOKEN:
            return _error(401, "authError", "Request had invalid authentication credentials.")
        if route == "channels":
            snippet = {"title": OUR_NAME, "customUrl": f"@{OUR_NAME.lower()}"}
            return 200, _listing(
                "youtube#channelListResponse", [{"kind": "youtube#channel", "id": TEAM_CHANNEL, "snippet": snippet}]
            )
        if route == "comments" and asked.method == "DELETE":
            return deleted(asked, posts)
        if route == "comments":
            return inserted(asked, posts, timezone.now())
        return _error(404, "notFound", "Not Found")
    if asked.header("X-Goog-Api-Key") != KEY:
        return _error(400, "keyInvalid", "API key not valid. Please pass a valid API key.")
    if route == "commentThreads":
        return threads(asked, posts)
    if route == "comments" and asked.query.get("parentId"):
        return replies(asked, posts)
    if route == "search":
        return 200, {**_listing("youtube#searchListResponse", []), "regionCode": "US"}
    return _error(404, "notFound", "Not Found")
