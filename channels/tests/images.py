"""Images made in the tests with Pillow (not a test module): a small PNG, a JPEG carrying GPS EXIF as a phone writes
it (the GPS IFD, tag 0x8825, with latitude and longitude), a PNG-named file that is text, and an `OutgoingImage` as
the senders take it."""

from __future__ import annotations

import hashlib
import io
import struct
from email.parser import BytesParser
from email.policy import default
from typing import Any

from PIL import Image

from channels.adapters.base import OutgoingImage

GPS_IFD = 0x8825
MAKE = 0x010F


def png_bytes(width: int = 12, height: int = 8, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 40, height: int = 20) -> bytes:
    """A JPEG whose EXIF says where it was taken (51 deg 30 min N, 0 deg 7 min W) and on what camera."""
    exif = Image.Exif()
    exif[MAKE] = "Desk Test Camera"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


TEXT_NAMED_PNG = b"this is text, not a picture\n" * 4


def _gif_frame_blocks(width: int, height: int) -> bytes:
    """The compressed pixels of one frame of one colour (LZW minimum code size, data sub-blocks, terminator), as
    Pillow's GIF encoder writes them: cut out of a one-frame GIF by the layout of the GIF89a specification."""
    one = io.BytesIO()
    frame = Image.new("P", (width, height), 1)
    frame.putpalette([0, 0, 0, 255, 255, 255])
    frame.save(one, "GIF")
    raw = one.getvalue()
    flags = raw[10]  # logical screen descriptor: a global colour table of 2**(n+1) entries when the top bit is set
    at = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while raw[at] == 0x21:  # extension blocks: introducer, label, sub-blocks up to an empty one
        at += 2
        while raw[at]:
            at += raw[at] + 1
        at += 1
    assert raw[at] == 0x2C, "an image descriptor"
    local = raw[at + 9]
    start = at + 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
    end = start + 1
    while raw[end]:
        end += raw[end] + 1
    return raw[start : end + 1]


def animated_gif(frames: int, width: int, height: int, *, opening: tuple[int, int] | None = None) -> bytes:
    """A looping GIF of `frames` whole frames of width x height, the same compressed frame repeated: small on disk
    (200 frames of 2000x2000 are 786 KB) and costly to decode, as the issue's file was. Pillow would take a
    minute to encode it; assembled here from one encoded frame in a fraction of a second. With `opening`, the
    screen and a first frame are that small size and the frames after it larger: Pillow's decoder widens its
    canvas to them as it reaches them, while the file's header and first frame say the small size."""
    screen_width, screen_height = opening or (width, height)
    screen = b"GIF89a" + struct.pack("<HHBBB", screen_width, screen_height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    control = b"\x21\xf9\x04\x04\x04\x00\x00\x00"  # 40 ms a frame, each kept under the next

    def frame(w: int, h: int) -> bytes:
        return control + b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0) + _gif_frame_blocks(w, h)

    first = frame(*opening) if opening else b""
    return screen + loop + first + frame(width, height) * frames + b"\x3b"


def outgoing(
    data: bytes | None = None, *, alt: str = "The settings page", content_type: str = "image/png"
) -> OutgoingImage:
    data = data if data is not None else png_bytes()
    return OutgoingImage(
        data=data,
        content_type=content_type,
        alt=alt,
        filename="image-1.png" if content_type == "image/png" else "image-1.jpg",
        width=12,
        height=8,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def multipart_parts(request: Any) -> dict[str, tuple[str, str, bytes]]:
    """A multipart/form-data request's parts as {name: (file name, content type, bytes)}, read with the standard
    library's MIME parser (what a platform's server reads)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    message = BytesParser(policy=default).parsebytes(head + body)
    parts: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[str(name)] = (
            part.get_filename() or "",
            part.get_content_type(),
            payload if isinstance(payload, bytes) else b"",
        )
    return parts
