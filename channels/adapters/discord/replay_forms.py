"""What the demo's Discord reads of a Create Message the desk sends (channels/adapters/discord/replay.py): its JSON, or
the multipart form of a reply with files (`payload_json` and `files[n]`, discord.com/developers/docs/reference,
"Uploading Files"), and the attachments Discord answers for those files."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import default
from typing import Any

import requests

from channels.demo.router import sent_json


def sent_form(request: requests.PreparedRequest) -> tuple[dict[str, Any], list[tuple[str, str, int, str]]]:
    """A Create Message's JSON, or its multipart form (a reply with files): `payload_json` and each `files[n]` part's
    (filename, content type, size, description), as Discord reads them."""
    kind = request.headers.get("Content-Type") or ""
    if not kind.startswith("multipart/form-data"):
        return sent_json(request.body), []
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    form = BytesParser(policy=default).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
    sent: dict[str, Any] = {}
    files: list[tuple[str, str, int]] = []
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            sent = sent_json(data)
        elif isinstance(name, str) and name.startswith("files["):
            files.append((part.get_filename() or "file", part.get_content_type(), len(data)))
    # Each file's description (its alt text) is the payload's `attachments[n]`, matched by its `id` n.
    described = {
        str(a.get("id")): str(a.get("description") or "") for a in sent.get("attachments") or [] if isinstance(a, dict)
    }
    return sent, [(*file, described.get(str(n), "")) for n, file in enumerate(files)]


def uploaded_attachment(
    channel_id: str, number: int, filename: str, content_type: str, size: int, description: str = ""
) -> dict[str, Any]:
    where = f"attachments/{channel_id}/{number}/{filename}"
    return {
        "id": str(number),
        "filename": filename,
        "size": size,
        "url": f"https://cdn.discordapp.com/{where}",
        "proxy_url": f"https://media.discordapp.net/{where}",
        "content_type": content_type,
        **({"description": description} if description else {}),
    }
