"""What a test's mocked HTTP was sent, read from the requests `responses` recorded (`responses.calls`).

requests' stubs type a prepared request's `url` as `str | None` (None only before it is prepared; one that was
sent has it), and do not know `params`, the parsed query string `responses` sets on each request it records
(a value per name, or a list of values for a repeated name). A form body is sent as text.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from requests import PreparedRequest


def request_url(request: PreparedRequest) -> str:
    """The request's full URL, query string included."""
    assert request.url is not None, "a recorded request was prepared, so it has its URL"
    return request.url


def request_params(request: PreparedRequest) -> dict[str, Any]:
    """The query string as `responses` parsed it when it recorded the request."""
    recorded: dict[str, Any] = vars(request)["params"]  # set on the instance by responses; not in the stubs
    return recorded


def request_form(request: PreparedRequest) -> dict[str, list[str]]:
    """A form body (`data=`), which requests sends as text, parsed as `parse_qs` does."""
    assert isinstance(request.body, str), "a form body is sent as text"
    return parse_qs(request.body)


def request_json(request: PreparedRequest) -> Any:
    """A JSON body (`json=`), which requests sends as bytes, parsed."""
    assert isinstance(request.body, bytes | str), "a JSON body was sent"
    return json.loads(request.body)


def request_bytes(request: PreparedRequest) -> bytes:
    """A body sent as bytes (an upload's raw bytes, a multipart body)."""
    assert isinstance(request.body, bytes), "the body was sent as bytes"
    return request.body
