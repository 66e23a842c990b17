"""The replays' kit: the chores every platform's replay (``channels/adapters/<kind>/replay.py``) shares, said once.

A replay answers the desk's requests to one platform's API from the demo week (channels.demo.replay), in the shapes
of that platform's recorded responses (``tests/fixtures/SOURCES.md`` of its adapter) or, where nothing was recorded,
of its API documentation; each replay's docstring names, per endpoint, which fixture or page its shape follows.
What they have in common, and which their docstrings do not repeat:

- `Asked` reads a request: method, host, path, query (the last value of each name; `lists` every value), a JSON,
  form or multipart body, a header, the bearer token.
- Ids are made from a post's place in the week (`place`: the thread's index and the follow-up's number), so the
  same post has the same id at every poll; lists are newest first and paged as the platform pages them
  (`numbered_page`, `id_page`, `link_header`).
- Our connected account's writes are answered as the platform answers them when they are done, and kept nowhere:
  the next poll serves the week as before. What is made gets an id from the clock (`stamp`) above every id of
  the week, so a later poll never takes a week post for our reply. Two writes are kept, because the platform answers
  them later (channels.demo.kept): a direct message, which the person answers at the next read, and an issue filed
  on a demo tracker, which moves along at each read.
- Without the demo's token a request gets the platform's own 401 (or 403) body; an unknown route its own 404.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]
T = TypeVar("T")
_PLACE = re.compile(r"-(\d+)(?:-(\d+))?$")
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE62 = BASE36 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base36(number: int, alphabet: str = BASE36) -> str:
    """`number` in base 36 as Reddit writes its ids (and the X replay its page tokens); in base 62 with
    `alphabet=BASE62` (Discourse's upload short URLs)."""
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return digits or "0"


def sent_json(body: Any) -> dict[str, Any]:
    """A request body the desk sent as a JSON object, or {} for anything else (a replay answers a bad body with
    the platform's own error, never a traceback)."""
    try:
        value = json.loads(body.decode() if isinstance(body, bytes) else body or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class Asked:
    """A request the desk sent, as a replay reads it."""

    def __init__(self, request: requests.PreparedRequest) -> None:
        url = urlsplit(request.url or "")
        self.request = request
        self.method = request.method or "GET"
        self.host = (url.hostname or "").lower()
        self.path = url.path
        self.lists = parse_qs(url.query, keep_blank_values=True)
        self.query = {key: values[-1] for key, values in self.lists.items()}

    def header(self, name: str) -> str:
        return self.request.headers.get(name) or ""

    @property
    def bearer(self) -> str:
        """The token of ``Authorization: Bearer <token>`` (the scheme in any case), or ""."""
        scheme, _, token = self.header("Authorization").partition(" ")
        return token if scheme.casefold() == "bearer" else ""

    @property
    def body(self) -> bytes:
        body = self.request.body
        return body if isinstance(body, bytes) else (body or "").encode()

    @cached_property
    def json(self) -> dict[str, Any]:
        return sent_json(self.request.body)

    @cached_property
    def form_lists(self) -> dict[str, list[str]]:
        """An ``application/x-www-form-urlencoded`` body, every value of each name."""
        return parse_qs(self.body.decode(errors="replace"), keep_blank_values=True)

    @cached_property
    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in self.form_lists.items()}

    @cached_property
    def parts(self) -> dict[str, FormPart]:
        """The parts of a ``multipart/form-data`` body by field name (an upload's ``file`` and its fields), as the
        platform reads the form; {} for any other body."""
        kind = self.header("Content-Type")
        if not kind.startswith("multipart/form-data"):
            return {}
        form = BytesParser(policy=default).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + self.body)
        parts: dict[str, FormPart] = {}
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                data = part.get_payload(decode=True)  # a part's bytes (a nested multipart would be a Message: none)
                parts[name] = FormPart(
                    part.get_filename() or "", part.get_content_type(), data if isinstance(data, bytes) else b""
                )
        return parts


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart form the desk sent: its file name (empty for a plain field), type and bytes."""

    filename: str
    content_type: str
    data: bytes


def fixed(names: str, value: Any = None) -> dict[str, Any]:
    """The fields `names` (space-separated) of a platform's shape that the demo never varies, each `value` (a fresh
    copy for each field and call, so no two answers share a list)."""
    return {name: copy.copy(value) for name in names.split()}


def slug(text: str, sep: str = "-", words: int | None = None) -> str:
    """`text`'s runs of lower-case letters and digits (the first `words` of them) joined by `sep`, as a URL's slug."""
    return sep.join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def paragraphs(text: str, end: str = "") -> str:
    """`text` as HTML paragraphs, one per blank-line-separated part, each followed by `end`."""
    return "".join(f"<p>{html.escape(part, quote=False)}</p>{end}" for part in text.split("\n\n"))


def place(external_id: str) -> tuple[int, int]:
    """(thread index, follow-up number) of a demo post's id ("demo-github-40-1" -> (40, 1); an opening post's 0)."""
    match = _PLACE.search(external_id)
    if match is None:
        raise ValueError(f"not a demo post id: {external_id!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def stamp(now: datetime) -> int:
    """The millisecond `now`: the id of something made on the demo, above every id of the week."""
    return int(now.timestamp() * 1000)


def zulu(moment: datetime, timespec: str = "milliseconds") -> str:
    """`moment` in UTC, ISO 8601 with a ``Z``, as most platforms write times."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def moment_of(text: str | None) -> datetime | None:
    """An ISO time a request gave (UTC when it names no zone), or None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def whole(text: str | None) -> int | None:
    """A non-negative whole number a request gave, or None."""
    return int(text) if text and text.strip().isascii() and text.strip().isdigit() else None


def limit_of(text: str | None, default: int, most: int) -> int:
    """A page size a request asked for, within 1..`most`; `default` when it asked for none."""
    number = whole(text)
    return default if number is None else min(max(number, 1), most)


def numbered_page(items: list[T], page: int | None, size: int) -> tuple[list[T], int, int]:
    """Page `page` (from 1) of `items`, `size` a page: (its items, the page, the number of pages, at least 1)."""
    pages = max(-(-len(items) // size), 1)
    page = max(page or 1, 1)
    return items[(page - 1) * size : page * size], page, pages


def link_header(url: str, query: Mapping[str, Any], rels: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """A ``Link`` header: for each (rel, parameters), `url` with `query` and those parameters."""
    return ", ".join(f'<{url}?{urlencode({**query, **changed})}>; rel="{rel}"' for rel, changed in rels)


def id_page(
    items: list[T],
    id_of: Callable[[T], int],
    size: int,
    *,
    below: int | None = None,
    above: int | None = None,
    nearest_above: bool = False,
) -> list[T]:
    """A page of `items` (newest first) with ids below `below` and above `above`: the newest `size` of them, or
    with `nearest_above` the `size` just above `above` (Mastodon's ``min_id``, Discord's ``after``)."""
    kept = [i for i in items if (below is None or id_of(i) < below) and (above is None or id_of(i) > above)]
    return kept[-size:] if nearest_above else kept[:size]
