"""A post's photos, videos and GIFs (issue 43), from the response's ``includes.media``.

X lists a post's attachments as ``attachments.media_keys`` and the media themselves once per response in
``includes.media`` (``expansions=attachments.media_keys``, with ``media.fields`` for the addresses and alt text:
docs.x.com, "Media object"). The parser joins them before a post is read (`with_media`), so a rejected post keeps
its media in the dead letter and is read the same way again.

A photo has ``url`` (the image on pbs.twimg.com). A video or an animated GIF has only ``preview_image_url`` with
these fields: X's v2 gives its files only as ``variants`` (several bitrates and a playlist, addresses that change
with the encoding), so the attachment links to the post on x.com, which plays it, and keeps the still as its
preview. A key whose media X did not include (withheld, deleted) is skipped. Every address is checked again by
`channels.clean.media_clean` when the mention is stored.
"""

from __future__ import annotations

from typing import Any

from channels import clean

from ..base import Media

MEDIA_KEY = "media"  # where a post carries its joined media (X's post object has no field of that name)
KEYS_MAX = 20  # X allows 4 photos, or 1 video or GIF; a longer list is not one X sent
KINDS = {"photo": "image", "video": "video", "animated_gif": "gif"}


def page_media(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The response's media by key."""
    media = clean.objects(clean.mapping(page.get("includes")).get("media"))
    return {key: m for m in media if (key := media_key(m.get("media_key")))}


def media_key(value: Any) -> str:
    return clean.line(value, max_length=60) if isinstance(value, str) else ""


def with_media(post: Any, media: dict[str, dict[str, Any]]) -> Any:
    """The post with the media its `attachments.media_keys` name under "media", in the post's order."""
    if not isinstance(post, dict) or not media:
        return post
    keys = clean.items(clean.mapping(post.get("attachments")).get("media_keys"))[:KEYS_MAX]
    found = [media[key] for key in dict.fromkeys(media_key(k) for k in keys) if key in media]
    return {**post, MEDIA_KEY: found} if found else post


def media_of(post: dict[str, Any], permalink: str) -> tuple[Media, ...]:
    """The post's joined media as the desk's attachments; a video or GIF opens the post (`permalink`)."""
    found = []
    for item in clean.objects(post.get(MEDIA_KEY))[:KEYS_MAX]:
        kind = KINDS.get(str(item.get("type")), "file")
        preview = clean.url(item.get("preview_image_url"))
        address = clean.url(item.get("url")) if kind in ("image", "file") else permalink
        address = address or (permalink if preview else "")
        if address:
            alt = clean.line(item.get("alt_text"), max_length=500)
            found.append(Media(kind=kind, url=address, preview_url=preview, alt=alt))
    return tuple(found)
