"""The writes of our connected account to the demo's forum.gitlab.com (replay.py), answered as done
(channels.demo.replay_kit), in the shapes of docs.discourse.org and the recorded posts (fixtures/SOURCES.md):

- ``POST /posts.json``, a reply (``topic_id``, ``raw``, ``reply_to_post_number``) or a personal message (``title``,
  ``raw``, ``archetype`` ``private_message``, ``target_recipients``): the new post ("Creates a new topic, a new post,
  or a private message") with the fields of ``posts_latest_real.json``, ``yours`` true; a body under
  ``min_post_length`` 20 (``min_personal_message_post_length`` 10) is Discourse's 422.
- ``POST /post_actions.json`` (``id``, ``post_action_type_id`` 2, "Like a post"): the post liked; our own is 403.
- ``DELETE /posts/{id}.json`` ("Delete a single post"): 200, an empty body.
- ``POST /uploads.json`` (multipart ``file``; "Creates an upload"): the upload with ``url``, ``short_url``
  ``upload://<base62 sha1>.<ext>`` and its size in pixels, as test_discourse_reply_images.py has it; a file that is
  not an image Discourse takes is its 422.

Without our account's ``User-Api-Key`` a write is 403 with the words Discourse gives a refused key (the adapter
reads them as "reconnect"). What is made has an id from ``MADE_FROM`` up, so its like or deletion is recognised.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay_kit import BASE62, Asked, base36, stamp

from .replay import _NOT_FOUND, _Forum, _Post, _Topic, slugify

if TYPE_CHECKING:
    from channels.demo.replay import DemoPosts

KEY: str = DEMO_CHANNELS["discourse"]["account_tokens"]["access_token"]
MADE_FROM = 10**12  # ids of what the desk made here: the millisecond it was made, above every week id
MIN_POST, MIN_MESSAGE = 20, 10  # Discourse's min_post_length and min_personal_message_post_length
LIKE = 2
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "heic", "heif", "webp", "avif", "svg")
_KEY_REFUSED = {
    "errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
    "error_type": "invalid_access",
}
_NOT_ALLOWED = {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}


def write(asked: Asked, forum: _Forum, posts: DemoPosts) -> tuple[int, Any]:
    if asked.header("User-Api-Key") != KEY:
        return 403, _KEY_REFUSED
    made, post = stamp(posts.now), asked.method == "POST"
    if post and asked.path == "/posts.json":
        return created(forum, asked.json, posts, made)
    if post and asked.path == "/post_actions.json":
        return liked(forum, asked.json, posts)
    if post and asked.path == "/uploads.json":
        return uploaded(asked, made)
    deleted = re.fullmatch(r"/posts/(\d+)\.json", asked.path)
    if asked.method == "DELETE" and deleted and _post_of(forum, int(deleted.group(1))):
        return 200, b""
    return 404, _NOT_FOUND


def created(forum: _Forum, sent: dict[str, Any], posts: DemoPosts, stamp: int) -> tuple[int, Any]:
    raw = str(sent.get("raw") or "")
    message = sent.get("archetype") == "private_message"
    shortest = MIN_MESSAGE if message else MIN_POST
    errors = [f"Body is too short (minimum is {shortest} characters)"] if len(raw.strip()) < shortest else []
    topic_id = sent.get("topic_id")
    if message:
        if len(str(sent.get("title") or "").strip()) < 2:
            errors.append("Title is too short (minimum is 2 characters)")
        if not str(sent.get("target_recipients") or "").strip():
            errors.append("You must choose a valid user.")
        topic = _Topic(stamp, str(sent.get("title") or ""), slugify(str(sent.get("title") or "")), ())
    elif isinstance(topic_id, int) and not isinstance(topic_id, bool) and topic_id > 0:
        topic = forum.topics.get(topic_id) or _Topic(topic_id, "Topic", "topic", ())
    else:
        errors.append("Title can't be blank")
        topic = _Topic(stamp, "", "topic", ())
    if errors:
        return 422, {"action": "create_post", "errors": errors}
    post = _Post(stamp, topic.topic_id, len(topic.posts) + 1, posts.ours(raw))
    forum.topics[topic.topic_id] = _Topic(topic.topic_id, topic.title, topic.slug, (*topic.posts, post))
    answered = sent.get("reply_to_post_number")
    return 200, {
        **forum.post_json(post),
        "reply_to_post_number": answered if isinstance(answered, int) else None,
        "yours": True,
        "can_edit": True,
        "can_delete": True,
        "draft_sequence": 1,
        "mentioned_users": [],
        **({"category_id": None} if message else {}),  # a personal message is in no category
    }


def liked(forum: _Forum, sent: dict[str, Any], posts: DemoPosts) -> tuple[int, Any]:
    post_id = sent.get("id")
    found = _post_of(forum, post_id) if isinstance(post_id, int) else None
    if found is None:
        return 404, _NOT_FOUND
    if found.mention.author_handle.casefold() == posts.our_account.casefold():
        return 403, _NOT_ALLOWED  # our own post (one made here, or the week's)
    acted = {"id": sent.get("post_action_type_id") or LIKE, "count": 1, "acted": True, "can_undo": True}
    return 200, {**forum.post_json(found), "actions_summary": [acted]}


def uploaded(asked: Asked, stamp: int) -> tuple[int, Any]:
    from PIL import Image, UnidentifiedImageError

    file = asked.parts.get("file")
    extension = (file.filename.rpartition(".")[2].lower() if file and "." in file.filename else "") or "?"
    try:
        with Image.open(io.BytesIO(file.data if file else b"")) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        width = height = 0
    if file is None or extension not in IMAGE_EXTENSIONS or not width:
        allowed = ", ".join(IMAGE_EXTENSIONS)
        words = f"Sorry, the file you are trying to upload is not authorized (authorized extensions: {allowed})."
        return 422, {"errors": [words]}
    sha1 = hashlib.sha1(file.data, usedforsecurity=False).hexdigest()
    short = f"{base36(int(sha1, 16), BASE62)}.{extension}"
    return 200, {
        "id": stamp % 10_000_000,
        "url": f"/uploads/default/original/3X/{sha1[0]}/{sha1[1]}/{sha1}.{extension}",
        "original_filename": file.filename,
        "filesize": len(file.data),
        "width": width,
        "height": height,
        "thumbnail_width": width,
        "thumbnail_height": height,
        "extension": extension,
        "short_url": f"upload://{short}",
        "short_path": f"/uploads/short-url/{short}",
        "retain_hours": None,
        "human_filesize": f"{len(file.data)} Bytes" if len(file.data) < 1024 else f"{len(file.data) // 1024} KB",
    }


def _post_of(forum: _Forum, post_id: int) -> _Post | None:
    """A post of the week served by now, or one the desk made here (kept nowhere: any id of that range, its topic
    added to this request's forum)."""
    if post_id < MADE_FROM:
        return next((p for p in forum.posts if p.post_id == post_id), None)
    at = datetime.fromtimestamp(post_id / 1000, tz=UTC)
    made = _Post(
        post_id, post_id, 1, IncomingMention(external_id="", author_handle=forum.our_account, text="", created_at=at)
    )
    forum.topics.setdefault(post_id, _Topic(post_id, "Topic", "topic", (made,)))
    return made
