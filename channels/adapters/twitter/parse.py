"""From an X API v2 response to mentions, post by post.

A response is ``{"data": [...] or {...}, "includes": {"users": [...], "tweets": [...]}, "meta": {...},
"errors": [...]}``. A response that is not that shape is a ``PayloadError``; inside one, a post that cannot be
read is rejected on its own (kept as a dead letter with its raw payload) and the rest are handed over.

Edits. An edit is a new post with a new id whose ``edit_history_tweet_ids`` lists the original first: the
original id is the external id, so an edit is the same message (its latest text, ``edited_at`` the edit's
time). A reply names the version it answered (``referenced_tweets[replied_to].id``), often a later one; its
parent is mapped to the original through the edit histories the response carries (the post itself, or its
expansion in ``includes.tweets``) and those the cursor kept from earlier polls (``edits``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .config import USERNAME_RE
from .ids import as_id, snowflake_time
from .media import media_of, page_media, with_media

PROFILE_URL = "https://x.com/{username}"
STATUS_URL = "https://x.com/{username}/status/{id}"
WEB_STATUS_URL = "https://x.com/i/web/status/{id}"
MAX_HISTORY = 20  # X allows 5 edits (6 ids); a longer history is not one


def pages_of(payload: Any) -> list[dict[str, Any]]:
    """The responses of a payload: one response, or a list of them (a saved walk, one per page)."""
    pages = payload if isinstance(payload, list) else [payload]
    for page in pages:
        if not isinstance(page, dict):
            raise PayloadError(
                'Expected an X API v2 response: a JSON object with "data" (or a list of them), '
                f"got {clean.preview(page)}"
            )
    return pages


def page_posts(page: dict[str, Any]) -> list[Any]:
    """The posts of one response (unchecked: each is read on its own); [] when X found nothing."""
    if "data" not in page:
        if "errors" in page or "meta" in page:
            return []  # nothing new (result_count 0), or only errors for missing posts
        raise PayloadError(f'Not an X API v2 response: no "data" (keys: {clean.keys_shown(page, 8)}).')
    data = page["data"]
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise PayloadError(f'"data" must be a post object or a list of posts, got {clean.preview(data)}')
    if "deleted" in data and "text" not in data:
        raise PayloadError('This is the answer to DELETE /2/tweets/:id ({"deleted": …}), not posts to ingest.')
    if set(data) == {"id", "text"} and not page.get("includes") and "meta" not in page:
        raise PayloadError(
            "This looks like the answer to POST /2/tweets (a post we created: only id and text), not a "
            "mention. Our replies are recorded when the desk sends them."
        )
    return [data]


def page_users(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    users = clean.objects(clean.mapping(page.get("includes")).get("users"))
    return {uid: u for u in users if (uid := as_id(u.get("id")))}


def history_of(tweet: dict[str, Any]) -> list[str]:
    """The post's edit history, original first, if it is usable (every id valid, the post's own among them)."""
    ids = clean.items(tweet.get("edit_history_tweet_ids"))
    history = [as_id(i) for i in ids[:MAX_HISTORY]]
    tweet_id = as_id(tweet.get("id"))
    if not history or None in history or tweet_id not in history or len(ids) > MAX_HISTORY:
        return []
    return [h for h in history if h]


def edits_in(pages: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Every later version id -> original id that the responses' posts and expanded posts show."""
    found: dict[str, str] = {}
    for page in pages:
        posts = clean.items(page.get("data")) if isinstance(page.get("data"), list) else [page.get("data")]
        posts = [*posts, *clean.items(clean.mapping(page.get("includes")).get("tweets"))]
        for tweet in posts:
            history = history_of(tweet) if isinstance(tweet, dict) else []
            if len(history) > 1 and int(history[0]) <= min(int(h) for h in history):
                found.update(dict.fromkeys(history[1:], history[0]))
    return found


def parse_page(payload: Any, *, edits: dict[str, str] | None = None) -> Parsed:
    """Mentions and rejected posts of one response or a list of them. Retweets are skipped; an edited post
    counts once (its latest version). `edits`: versions known from earlier polls (the cursor's)."""
    pages = pages_of(payload)
    known = {**(edits or {}), **edits_in(pages)}
    parsed = Parsed()
    for page in pages:
        posts, users, media = page_posts(page), page_users(page), page_media(page)
        items = [with_media(_with_author(p, users), media) for p in posts]
        parsed.extend(parse_each(items, lambda item: build_mention(item, known), id_keys=("id",), platform="twitter"))
    parsed.mentions = dedupe(parsed.mentions)
    return parsed


def parse_item(item: Any, *, edits: dict[str, str] | None = None) -> Parsed:
    """One post as handed to the dead-letter table (the post, its author under "author", its media under "media")."""
    known = {**(edits or {}), **edits_in([{"data": [item]}])}
    return parse_each([item], lambda one: build_mention(one, known), id_keys=("id",), platform="twitter")


def _with_author(post: Any, users: dict[str, dict[str, Any]]) -> Any:
    """The post with its expanded author under "author", so a rejected post keeps who wrote it."""
    if not isinstance(post, dict):
        return post
    author = users.get(as_id(post.get("author_id")) or "")
    return {**post, "author": author} if author else post


def text_of(tweet: dict[str, Any]) -> str:
    """The post's text with each t.co link as the address it stands for. A link X lists in the entities whose
    t.co is not in the text (the text cut short before it, a link shown only as a card) is added on a line of
    its own after the text (its unwound address when X followed the redirects), so no link is lost."""
    # X sends plain text with &amp; &lt; &gt; escaped. Unescape first: expanded URLs are not escaped.
    text = html.unescape(clean.text(tweet.get("text")))
    missing: list[str] = []
    for link in clean.objects(clean.mapping(tweet.get("entities")).get("urls"))[:100]:
        short = clean.text(link.get("url"), max_length=2000)
        expanded = clean.url(link.get("expanded_url"))
        if short and expanded and short in text:
            text = text.replace(short, expanded)
            continue
        target = clean.url(link.get("unwound_url")) or expanded or clean.url(short)
        if target and target not in text and target not in missing:
            missing.append(target)
    if missing:
        text = "\n".join([text.rstrip(), *missing]) if text.strip() else "\n".join(missing)
    return clean.text(text)


def mentioned_in(tweet: dict[str, Any]) -> list[str]:
    """The usernames `entities.mentions` lists (anything that is not an X username is left out)."""
    found = []
    for entry in clean.objects(clean.mapping(tweet.get("entities")).get("mentions"))[:100]:
        name = username_of(entry)
        if name and name not in found:
            found.append(name)
    return found


def username_of(value: dict[str, Any]) -> str:
    """An X username exactly as sent (1-15 letters, digits, underscores), else "" (never a repaired one)."""
    name = value.get("username")
    name = name.strip().removeprefix("@") if isinstance(name, str) else ""
    return name if USERNAME_RE.fullmatch(name) else ""


def build_mention(tweet: Any, edits: dict[str, str]) -> IncomingMention | None:
    """One post as a mention; None for retweets (they repeat someone else's post)."""
    if not isinstance(tweet, dict):
        raise PayloadError(f"Not an X post: {clean.preview(tweet)}")
    tweet_id = as_id(tweet.get("id"))
    if tweet_id is None or not isinstance(tweet.get("text"), str):
        raise PayloadError(f"Not an X post (needs a numeric id and a text): {clean.preview(tweet)}")
    refs = clean.objects(tweet.get("referenced_tweets"))
    if any(r.get("type") == "retweeted" for r in refs) or tweet["text"].startswith("RT @"):
        return None
    history = history_of(tweet)
    original = history[0] if history and int(history[0]) <= int(tweet_id) else tweet_id
    # created_at when it is usable, else the time in the Snowflake id (the same instant, to the ms).
    created = clean.iso_time(tweet.get("created_at")) or snowflake_time(tweet_id)
    edited_at = None
    if original != tweet_id:
        # An edit: same message as the original, first asked at the original's time.
        edited_at, created = created, snowflake_time(original)

    author = clean.mapping(tweet.get("author"))
    username = username_of(author)
    name = clean.line(author.get("name"))
    followers = clean.whole(clean.mapping(author.get("public_metrics")).get("followers_count"), minimum=0)
    mentioned = mentioned_in(tweet)
    replied_to = next((i for r in refs if r.get("type") == "replied_to" and (i := as_id(r.get("id")))), "")
    parent = edits.get(replied_to, replied_to)
    conversation = as_id(tweet.get("conversation_id")) or ""
    conversation = edits.get(conversation, conversation)
    raw: dict[str, Any] = {**tweet, "mentioned_handles": mentioned}
    permalink = STATUS_URL.format(username=username, id=tweet_id) if username else WEB_STATUS_URL.format(id=tweet_id)
    return IncomingMention(
        external_id=original,
        created_at=created,
        text=text_of(tweet),
        author_handle=username,
        author_name=name or username,
        author_url=PROFILE_URL.format(username=username) if username else "",
        permalink=permalink,
        parent_id=parent if parent not in (tweet_id, original) else "",
        thread_id=conversation if conversation not in (tweet_id, original) else "",
        # The version the reply names, should it be stored under its own id after all.
        related_ids=(replied_to,) if replied_to and replied_to != parent else (),
        edited_at=edited_at,
        mentioned=tuple(mentioned),
        author_audience=followers,
        author_audience_kind="followers" if followers is not None else "",
        media=media_of(tweet, permalink),
        raw=raw,
    )


def version_of(mention: IncomingMention) -> int:
    return int(as_id(mention.raw.get("id")) or mention.external_id)


def dedupe(mentions: list[IncomingMention]) -> list[IncomingMention]:
    """One mention per external id (several sources, pages or edits of one post): the latest version,
    i.e. the highest post id, in the order first seen."""
    best: dict[str, IncomingMention] = {}
    for mention in mentions:
        kept = best.get(mention.external_id)
        if kept is None or version_of(mention) > version_of(kept):
            best[mention.external_id] = mention
    return list(best.values())
