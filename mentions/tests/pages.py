"""Reading the ticket page in tests: what a refused action without JavaScript leads to.

Without JavaScript a refused action answers `303 See Other` to the ticket's own address with the
control's result as its fragment (mentions/views/refused.py); the page that address shows holds the
form as posted, with its errors in the control's result slot, once. Shared by the tests of every app
whose actions sit on the ticket page (mentions, experts, the project's tests).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase
    from django.test import Client

    from mentions.models import Ticket


def refused_page(client: Client, response: HttpResponseBase, ticket: Ticket, key: str) -> str:
    """The ticket page a refused non-htmx POST sends the browser to, as the browser would get it.

    Asserts the answer is a 303 to exactly `ticket`'s page with `#result-<key>`, follows it with the
    same client (the session holds the refused form) and returns the page's HTML."""
    expected = f"{ticket.get_absolute_url()}#result-{key}"
    assert response.status_code == 303, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Location"] == expected
    page = client.get(expected.split("#", 1)[0])
    assert page.status_code == 200
    return page.content.decode()


def result_slot(html: str, key: str) -> str:
    """The content of the `result-<key>` slot (templates/mentions/_action_result.html) in `html`:
    where an action's errors are said, beside its control."""
    found = re.findall(rf'<div [^>]*data-testid="result-{re.escape(key)}"[^>]*>(.*?)</div>', html, re.S)
    assert len(found) == 1, f"expected one result-{key} slot, found {len(found)}"
    return found[0]
