"""A post's images, gallery and video (issue 43), from the fields Reddit sends with every post (t3).

- An image post: ``post_hint: "image"`` or a ``url`` on i.redd.it; the image is the post's ``url``, its preview
  ``preview.images[0].source.url`` (also the link when the post's own address is unusable).
- A gallery: ``is_gallery``, the images in ``gallery_data.items`` order, each found by ``media_id`` in
  ``media_metadata``: ``s.u`` for an image, ``s.gif`` (else ``s.mp4``) for an animated one (``e: AnimatedImage``);
  the item's ``caption`` is its description. An item still being processed (``status`` other than "valid") has no
  address yet and is skipped.
- A video: ``is_video`` with ``secure_media.reddit_video.fallback_url`` (else ``media.reddit_video``), an MP4 the
  browser plays; else the post's ``url`` (v.redd.it, which opens the post). ``is_gif`` marks a silent loop.

Reddit escapes ``&`` as ``&amp;`` in these addresses unless asked for ``raw_json=1`` (and in pages saved without it),
so every address is unescaped once. Links to other sites (``post_hint: "link"``, YouTube's ``rich:video``) are in
the post's text already and are not attachments. Every address is checked again by `channels.clean.media_clean`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels import clean

from ..base import Media

GALLERY_MAX = 20  # Reddit allows 20 images in a gallery; the desk keeps the first ten (clean.MEDIA_MAX)


def post_media(data: dict[str, Any]) -> tuple[Media, ...]:
    """What a post (t3's data) carries, in the post's order; () for a text or link post."""
    if data.get("is_gallery") is True:
        return gallery_of(data)
    if data.get("is_video") is True:
        return video_of(data)
    image = image_of(data)
    return (image,) if image else ()


def link(value: Any) -> str:
    """An address as Reddit sends it, `&amp;` unescaped once; "" if it is not one to link to."""
    return clean.url(value.replace("&amp;", "&")) if isinstance(value, str) else ""


def preview_of(data: dict[str, Any]) -> str:
    images = clean.items(clean.mapping(data.get("preview")).get("images"))
    first = clean.mapping(images[0]) if images else {}
    return link(clean.mapping(first.get("source")).get("url"))


def image_of(data: dict[str, Any]) -> Media | None:
    address, preview = link(data.get("url")), preview_of(data)
    if data.get("post_hint") != "image" and urlsplit(address).hostname != "i.redd.it":
        return None
    address = address or preview
    if not address:
        return None
    kind = "gif" if urlsplit(address).path.lower().endswith(".gif") else "image"
    return Media(kind=kind, url=address, preview_url=preview)


def video_of(data: dict[str, Any]) -> tuple[Media, ...]:
    video = clean.mapping(clean.mapping(data.get("secure_media")).get("reddit_video"))
    video = video or clean.mapping(clean.mapping(data.get("media")).get("reddit_video"))
    address = link(video.get("fallback_url")) or link(data.get("url"))
    if not address:
        return ()
    kind = "gif" if video.get("is_gif") is True else "video"
    return (Media(kind=kind, url=address, preview_url=preview_of(data)),)


def gallery_of(data: dict[str, Any]) -> tuple[Media, ...]:
    metadata = clean.mapping(data.get("media_metadata"))
    found = []
    for item in clean.objects(clean.mapping(data.get("gallery_data")).get("items"))[:GALLERY_MAX]:
        media_id = item.get("media_id")
        entry = clean.mapping(metadata.get(media_id)) if isinstance(media_id, str) else {}
        if entry.get("status") != "valid":
            continue
        source = clean.mapping(entry.get("s"))
        animated = entry.get("e") == "AnimatedImage"
        address = (link(source.get("gif")) or link(source.get("mp4"))) if animated else link(source.get("u"))
        if address:
            smallest = clean.objects(entry.get("p"))[:1]
            preview = link(smallest[0].get("u")) if smallest else ""
            caption = clean.line(item.get("caption"), max_length=500)
            found.append(Media(kind="gif" if animated else "image", url=address, preview_url=preview, alt=caption))
    return tuple(found)
