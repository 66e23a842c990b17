"""Reading a request body no larger than a cap, whatever the client says of its length."""

from __future__ import annotations

from typing import BinaryIO


def read_terminated(stream: BinaryIO, limit: int) -> bytes:
    """Up to `limit` bytes of a stream that ends by itself: a body the server de-chunked and marked as
    ending (gunicorn's wsgi.input_terminated), which Django would otherwise read as empty."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = stream.read(min(64 * 1024, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)
