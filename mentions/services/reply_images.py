"""The images a reply carries (issue 43), checked before anything is sent and kept with the send until the platform
has them.

An image is taken only when its bytes are one: Pillow reads the format from the bytes (never the file's name or
the type the browser claimed), `verify()` refuses a truncated or corrupt file, and the format must be one the
platform declares (its reply rule's `media`: `Platform.reply_rule`). Its metadata is then dropped by writing the
picture out again without it: EXIF (a phone's GPS position, the camera, the time), XMP and comments never leave
the desk. A JPEG turned by its EXIF orientation is turned for real first, so it shows the same way up without the
tag; one that is not is written with its own quantisation (`quality="keep"`: no second loss). The stripped image
must still fit the platform's limit.

Pillow's decompression-bomb limit is per frame: an animated GIF of 200 frames of 2000x2000 (786 KB) passed it and
held a web worker for 121 s before failing. So before any frame is decoded, the frames and the canvas they are
decoded on are held to a budget of frames x width x height (`MAX_TOTAL_PIXELS`) and of frames (`MAX_FRAMES`):
for WebP and APNG from the header (`n_frames`), for GIF by walking its blocks without decoding them
(`gif_extent`); what passes decodes and is written out again in about two seconds on one core at worst.

Every refusal is a ValidationError on the field it is about (`image` or `image_alt`), so the form
shows it beside the file input and keeps the draft.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from channels import clean
from channels.adapters.base import Media, OutgoingImage
from channels.adapters.reply_rule import MiB, ReplyMedia
from mentions.models import ReplyImage, ReplySend

# Beyond the largest limit any platform declares, a file is not even read (ReplyImage keeps it in the database).
DESK_MAX_BYTES = 16 * MiB
ALT_MAX = 1500  # Mastodon's and Bluesky's description limit; X takes 1,000 and is told so by its sender
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
ORIENTATION = 0x0112
UNREADABLE = "This file is not an image the desk can read (or it is cut short)."
# What one image may cost to decode and write out again, all frames together. Stripping costs Pillow some 40-65 ns
# a pixel (GIF, this machine): 25 million pixels is at most about 1.5 s of a web worker, and still a 480x270
# reaction GIF of 190 frames or a 4K screenshot (8.3 million).
MAX_TOTAL_PIXELS = 25_000_000
# Each frame costs its own work whatever its size (a GIF of 700,000 frames of one pixel is 16 MiB); no platform
# shows more frames in a reply than this.
MAX_FRAMES = 500


@dataclass(frozen=True)
class ImageGiven:
    """An image as the form or the API handed it over: its bytes and the advocate's description."""

    data: bytes
    alt: str


def _size_words(size: int) -> str:
    return f"{size / MiB:.1f} MiB" if size >= MiB else f"{size:,} bytes"


def _format_of(data: bytes) -> str:
    """The format the bytes are, or ValidationError: not an image, truncated, a decompression bomb, or more frames
    or pixels in all than the desk decodes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = str(probe.format or "")
                if fmt == "GIF":
                    _budget_check(*gif_extent(data, most_frames=MAX_FRAMES))
                else:  # WebP and APNG: the count is in the header, and no frame may leave the canvas
                    _budget_check(int(getattr(probe, "n_frames", 1)), probe.width, probe.height)
                probe.verify()  # the whole file read: a truncated or corrupt one raises here
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationError({"image": UNREADABLE}) from exc
        except Image.DecompressionBombWarning as exc:
            raise ValidationError({"image": "This image has too many pixels to send."}) from exc
    return fmt


def gif_extent(data: bytes, *, most_frames: int) -> tuple[int, int, int]:
    """(frames, width, height) that decoding the GIF `data` costs, its blocks walked as Pillow's GIF reader walks
    them (GifImageFile._seek: an unknown byte skipped, an extension's sub-blocks skipped) without decoding any.
    The count stops past `most_frames`. Pillow's own numbers do not do: its size is the first frame's, and a
    later frame larger than the screen widens the canvas while decoding (a 1x1 first frame, then 2000x2000
    ones, passed as 1x1); its n_frames walks every frame, some 3 s for 16 MiB of one-pixel frames."""
    if len(data) < 13:
        return 0, 0, 0
    width, height, flags = data[6] | data[7] << 8, data[8] | data[9] << 8, data[10]
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)  # after the global colour table
    frames, end = 0, len(data)
    while at < end and frames <= most_frames:
        tag, at = data[at], at + 1
        if tag == 0x3B:  # the trailer
            break
        if tag == 0x21:  # an extension: its label, then its sub-blocks
            at = _sub_blocks_skipped(data, at + 1)
        elif tag == 0x2C:  # an image: its descriptor, local colour table, LZW code size, then its sub-blocks
            if at + 9 > end:
                break
            left, top, w, h = (data[at + i] | data[at + i + 1] << 8 for i in (0, 2, 4, 6))
            local = data[at + 8]
            at += 9 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            at = _sub_blocks_skipped(data, at)
            frames += 1
            width, height = max(width, left + w), max(height, top + h)
    return frames, width, height


def _sub_blocks_skipped(data: bytes, at: int) -> int:
    """Where the data after the sub-blocks starting at `at` begins (each a length byte, then that many bytes; an
    empty one ends them)."""
    while at < len(data) and data[at]:
        at += data[at] + 1
    return at + 1


def _budget_check(frames: int, width: int, height: int) -> None:
    """ValidationError when decoding the image would cost more than the desk gives one (the header's numbers)."""
    pixels = frames * width * height
    if frames > MAX_FRAMES:
        raise ValidationError(
            {"image": f"This animation has more than {MAX_FRAMES:,} frames; the desk sends {MAX_FRAMES:,} at most."}
        )
    if pixels > MAX_TOTAL_PIXELS:
        size = f"{width:,} by {height:,} pixels"
        what = f"This animation is {frames:,} frames of {size}" if frames > 1 else f"This image is {size}"
        limit = MAX_TOTAL_PIXELS // 1_000_000
        raise ValidationError(
            {
                "image": f"{what}: {pixels / 1e6:,.0f} million pixels in all, and the desk sends {limit} million at "
                f"most. Make it smaller{' or shorter' if frames > 1 else ''}."
            }
        )


def _stripped(data: bytes, fmt: str) -> tuple[bytes, int, int]:
    """The picture written out again without its metadata: (bytes, width, height)."""
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        icc = image.info.get("icc_profile")  # colours, not metadata: kept so the picture looks the same
        # An empty comment: JPEG and GIF otherwise write the one they read again.
        extra: dict = {"icc_profile": icc} if icc else {}
        if fmt in ("JPEG", "GIF"):
            extra["comment"] = b""
        if fmt == "JPEG":
            if image.getexif().get(ORIENTATION, 1) != 1:
                upright = ImageOps.exif_transpose(image)
                upright.save(out, "JPEG", quality=95, **extra)
                return out.getvalue(), upright.width, upright.height
            image.save(out, "JPEG", quality="keep", subsampling="keep", **extra)
        elif fmt == "PNG":
            image.save(out, "PNG", **extra)
        else:  # GIF, WebP: every frame of an animation
            frames = getattr(image, "n_frames", 1)
            image.save(out, fmt, save_all=frames > 1, **({"lossless": True} if fmt == "WEBP" else {}), **extra)
        return out.getvalue(), image.width, image.height


def image_checked(given: ImageGiven, allowed: ReplyMedia, *, number: int = 1) -> OutgoingImage:
    """`given` as the platform will get it, or ValidationError on `image` / `image_alt` in words."""
    alt = " ".join((given.alt or "").split())
    if not alt:
        raise ValidationError({"image_alt": "Describe the image (alt text): people using screen readers hear it."})
    if len(alt) > ALT_MAX:
        raise ValidationError({"image_alt": f"The description is {len(alt)} characters; {ALT_MAX} at most."})
    limit = min(allowed.max_bytes, DESK_MAX_BYTES)
    if not given.data:
        raise ValidationError({"image": "The image is empty."})
    if len(given.data) > DESK_MAX_BYTES:
        raise ValidationError({"image": f"The image is {_size_words(len(given.data))}; {_size_words(limit)} here."})
    content_type = FORMATS.get(_format_of(given.data), "")
    if content_type not in allowed.types:
        raise ValidationError({"image": f"This is not an image {allowed.type_words} here: send one of those."})
    data, width, height = _stripped(given.data, {v: k for k, v in FORMATS.items()}[content_type])
    if len(data) > limit:
        raise ValidationError({"image": f"The image is {_size_words(len(data))}; {_size_words(limit)} at most here."})
    return OutgoingImage(
        data=data,
        content_type=content_type,
        alt=alt,
        filename=f"image-{number}.{EXTENSIONS[content_type]}",
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def images_checked(given: Sequence[ImageGiven], allowed: ReplyMedia | None, *, where: str) -> list[OutgoingImage]:
    """Every image of a reply checked (`where`: the platform's name, for the refusal of any image at all)."""
    if not given:
        return []
    if allowed is None:  # the channel's state, not the file's fault (the API's 409; the page offers no input)
        raise ValidationError(f"A reply on {where} cannot carry an image from the desk.")
    if len(given) > allowed.count:
        raise ValidationError({"image": f"{where} takes {allowed.count} image(s) at most in a reply."})
    return [image_checked(g, allowed, number=n) for n, g in enumerate(given, start=1)]


def images_keep(send: ReplySend, images: Sequence[OutgoingImage]) -> None:
    """Keep the send's images with it (in the transaction that opens the send)."""
    ReplyImage.objects.bulk_create(
        ReplyImage(
            send=send,
            position=n,
            data=i.data,
            content_type=i.content_type,
            alt=i.alt,
            size=len(i.data),
            sha256=i.sha256,
            width=i.width,
            height=i.height,
        )
        for n, i in enumerate(images)
    )


def images_of(send: ReplySend) -> list[OutgoingImage]:
    """The send's images as its sender takes them, read back from the database (on any worker)."""
    return [
        OutgoingImage(
            data=bytes(row.data),
            content_type=row.content_type,
            alt=row.alt,
            filename=f"image-{row.position + 1}.{EXTENSIONS.get(row.content_type, 'bin')}",
            width=row.width,
            height=row.height,
            sha256=row.sha256,
        )
        for row in ReplyImage.objects.filter(send=send).order_by("position")
    ]


def images_release(send_id: int) -> None:
    """The bytes of a finished send's images dropped (the platform has them, or the send is used up); what they
    were stays."""
    ReplyImage.objects.filter(send_id=send_id).update(data=b"")


def media_listed(sent: Sequence[Media], images: Sequence[OutgoingImage]) -> list[Media]:
    """What our reply's message lists: the platform's own addresses where it answered with them (http(s) links
    only, as an item's attachments are kept: channels.clean.media_clean), else each image with its description
    alone (no link to give)."""
    kept = clean.media_clean(tuple(sent))
    if kept:
        return list(kept)
    return [Media(kind="image", url="", alt=i.alt) for i in images]
