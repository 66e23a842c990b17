"""Images made in the tests with Pillow (not a test module): a small PNG, a JPEG carrying GPS EXIF as a phone writes
it (the GPS IFD, tag 0x8825, with latitude and longitude), a PNG-named file that is text, and an `OutgoingImage` as
the senders take it."""

from __future__ import annotations

import hashlib
import io
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
