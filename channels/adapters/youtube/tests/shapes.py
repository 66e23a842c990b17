"""The YouTube tests' shapes: the recorded answers in fixtures/ (SOURCES.md: sns-sdks/python-youtube's recorded Data
API answers), and threads, replies and search results copied from them with only their ids, times, authors, texts,
videos or reply counts changed; the channels the tests poll; the routes `responses` answers."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import responses

from channels.adapters.youtube.client import COMMENTS_URL, SEARCH_URL, THREADS_URL
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.personas import ADVOCATE, BYSTANDER, MEMBER

FIXTURES = Path(__file__).parent / "fixtures"
# YouTube's @handles take X's shape; personas.py has no YouTube column of its own.
OURS, ASKER, OTHER = ADVOCATE.on("twitter"), MEMBER.on("twitter"), BYSTANDER.on("twitter")
TEAM = "UCnMGQ8QHMAnVIsI3xJrihhg"  # the team's channel id in these tests
VIDEO = "F1UP7wRCPH8"  # the recorded video
KEY = "AIzaSyD-test-key-0123456789abcdefghijk"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


THREAD = load("threads_by_video.json")["items"][0]
REPLY = load("comments_by_parent.json")["items"][0]
SEARCH_RESULT = load("search_by_keywords.json")["items"][0]


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def channel_of(author: str) -> str:
    """A channel id for a test author: the team's for ours, a made-up one (the right shape) for anyone else."""
    return TEAM if author == OURS else ("UC" + (author * 22))[:24]


def _authored(snippet: dict[str, Any], author: str, t: float, text: str) -> None:
    snippet.update(
        authorDisplayName=f"@{author}",
        authorChannelUrl=f"http://www.youtube.com/@{author}",
        authorChannelId={"value": channel_of(author)},
        textOriginal=text,
        textDisplay=text,
        publishedAt=iso(t),
        updatedAt=iso(t),
    )


def reply(ident: str, parent: str, t: float, *, author: str = OTHER, text: str = "a reply") -> dict[str, Any]:
    """The recorded reply with its id, parent, time, author and text changed (a reply's id is "<parent>.<own>")."""
    item = copy.deepcopy(REPLY)
    item["id"] = f"{parent}.{ident}"
    item["snippet"]["parentId"] = parent
    _authored(item["snippet"], author, t, text)
    return item


def thread(
    ident: str,
    t: float,
    *,
    author: str = ASKER,
    text: str = "How do I cache node_modules between pipeline jobs?",
    video: str = VIDEO,
    replies: list[dict[str, Any]] | None = None,
    total: int | None = None,
) -> dict[str, Any]:
    """The recorded thread with its id, time, author, text and video changed, carrying `replies` (and counting
    `total` of them: more than it carries means the rest must be asked for)."""
    item = copy.deepcopy(THREAD)
    item["id"] = ident
    item["snippet"]["videoId"] = video
    top = item["snippet"]["topLevelComment"]
    top["id"] = ident
    top["snippet"]["videoId"] = video
    _authored(top["snippet"], author, t, text)
    item["snippet"]["totalReplyCount"] = len(replies or []) if total is None else total
    if replies:
        item["replies"] = {"comments": replies}
    return item


def page(items: list[Any], *, next_token: str = "") -> dict[str, Any]:
    answer = {**load("threads_by_video.json"), "items": items}
    answer["pageInfo"] = {"totalResults": len(items), "resultsPerPage": 100}
    if next_token:
        answer["nextPageToken"] = next_token
    return answer


def found(*videos: tuple[str, str]) -> dict[str, Any]:
    """A search answer listing (video id, its channel id) pairs, each the recorded result with those changed."""
    items = []
    for video, owner in videos:
        item = copy.deepcopy(SEARCH_RESULT)
        item["id"]["videoId"] = video
        item["snippet"]["channelId"] = owner
        items.append(item)
    return {**load("search_by_keywords.json"), "items": items}


def add_threads(answer: Any, *, channel_id: str = "", video_id: str = "", token: str = "", status: int = 200) -> None:
    query = {"allThreadsRelatedToChannelId": channel_id} if channel_id else {"videoId": video_id}
    if token:
        query["pageToken"] = token
    responses.get(
        THREADS_URL, json=answer, status=status,
        match=[responses.matchers.query_param_matcher(query, strict_match=False)],
    )  # fmt: skip


def add_replies(parent: str, items: list[Any]) -> None:
    responses.get(
        COMMENTS_URL, json={**load("comments_by_parent.json"), "items": items, "nextPageToken": None},
        match=[responses.matchers.query_param_matcher({"parentId": parent}, strict_match=False)],
    )  # fmt: skip


def add_search(answer: Any, keyword: str) -> None:
    responses.get(
        SEARCH_URL, json=answer, match=[responses.matchers.query_param_matcher({"q": keyword}, strict_match=False)]
    )


def google_error(status: int, reason: str, message: str) -> dict[str, Any]:
    """Google's error body, as the recorded 403 (error_permission.json) has it, with the reason and message given."""
    body = load("error_permission.json")
    body["error"].update(code=status, message=message)
    body["error"]["errors"] = [{**body["error"]["errors"][0], "reason": reason, "message": message}]
    return body


_names = itertools.count(1)


def youtube_channel(
    *, config: dict[str, Any] | None = None, our_accounts: list[str] | None = None, **kw: Any
) -> Channel:
    n = next(_names)
    made = ChannelFactory(
        kind="youtube",
        name=f"YouTube {n}",
        slug=f"youtube-{n}",
        config=config if config is not None else {"channel_ids": [TEAM]},
        our_accounts=[OURS] if our_accounts is None else our_accounts,
        **kw,
    )
    made.credentials = {"api_key": KEY, "oauth_client_id": "client-1.apps.googleusercontent.com"}
    made.save()
    return made


def unsaved(config: dict[str, Any], cursor: dict[str, Any] | None = None) -> Channel:
    channel = Channel(slug="youtube", name="YouTube", kind="youtube", config=config, cursor=cursor or {})
    channel.credentials = {"api_key": KEY}
    return channel
