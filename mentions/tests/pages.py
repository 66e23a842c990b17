"""Reading the ticket page in tests: what a refused action without JavaScript leads to, and what a page costs in
queries once the session's caches are warm.

Without JavaScript a refused action answers `303 See Other` to the ticket's own address with the
control's result as its fragment (mentions/views/refused.py); the page that address shows holds the
form as posted, with its errors in the control's result slot, once. Shared by the tests of every app
whose actions sit on the ticket page (mentions, experts, the project's tests).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from django.db import connection
from django.test.utils import CaptureQueriesContext

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


FOLD_SLOT = re.compile(r'<div class="fold-slot" hx-get="([^"]+)"[^>]*>.*?</div>', re.S)


def folds_opened(client: Client, html: str) -> str:
    """The ticket page as it reads once every fold is opened (mentions.ticket_page.folds): each slot replaced by what
    its request answers, as htmx does when the fold's <details> opens."""

    def opened(match: re.Match) -> str:
        answer = client.get(unescape(match.group(1)))
        assert answer.status_code == 200, (match.group(1), answer.status_code)
        return answer.content.decode()

    return FOLD_SLOT.sub(opened, html)


def result_slot(html: str, key: str) -> str:
    """The content of the `result-<key>` slot (templates/mentions/_action_result.html) in `html`:
    where an action's errors are said, beside its control."""
    found = re.findall(rf'<div [^>]*data-testid="result-{re.escape(key)}"[^>]*>(.*?)</div>', html, re.S)
    assert len(found) == 1, f"expected one result-{key} slot, found {len(found)}"
    return found[0]


class _Controls(HTMLParser):
    """Every form control in a page with its form owner, as a browser decides it: the form named by its
    `form` attribute, else the form it sits in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.actions: dict[str, str] = {}
        self._in_form: str | None = None
        self._anonymous = 0
        self._text: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag == "form":
            self._anonymous += 1
            self._in_form = attrs.get("id") or f"form-{self._anonymous}"
            self.actions[self._in_form] = attrs.get("action", "")
            return
        if tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs, "disabled" in attrs))
            return
        if tag not in ("input", "textarea", "select", "button"):
            return
        control: dict = {
            "tag": tag,
            "attrs": attrs,
            "form": attrs.get("form") or self._in_form,
            "value": "",
            "options": [],
        }
        if tag == "textarea":
            self._text = control
        elif tag == "select":
            self._select = control
        self.controls.append(control)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = None
        elif tag == "textarea":
            if self._text is not None:  # the browser drops one newline right after <textarea>
                self._text["value"] = self._text["value"].removeprefix("\n")
            self._text = None
        elif tag == "select":
            self._select = None


def browser_post(html: str, button_testid: str, typed: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """What a browser without JavaScript posts when the button with `data-testid=button_testid` is pressed:
    (the address: the button's `formaction`, else its form's `action`; the successful controls of the button's
    form owner by name, with `typed` filled in first, the button's own name and value included)."""
    parser = _Controls()
    parser.feed(html)
    [button] = [c for c in parser.controls if c["attrs"].get("data-testid") == button_testid]
    owner = button["form"]
    assert owner is not None, f"{button_testid} belongs to no form: a browser without JavaScript posts nothing"
    action = button["attrs"].get("formaction") or parser.actions.get(owner, "")
    assert action, f"{button_testid} posts nowhere"
    data: dict[str, str] = {}
    for control in parser.controls:
        attrs, name = control["attrs"], control["attrs"].get("name")
        if control["form"] != owner or not name or "disabled" in attrs or control["tag"] == "button":
            continue
        if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
            continue
        if control["tag"] == "select":
            chosen = [v for v, selected, _ in control["options"] if selected] or [control["options"][0][0]]
            data[name] = chosen[-1]
        else:
            data[name] = control["value"] if control["tag"] == "textarea" else attrs.get("value", "")
    for name, value in (typed or {}).items():
        assert name in data, f"no control named {name!r} is posted with {button_testid}"
        data[name] = value
    if button["attrs"].get("name"):
        data[button["attrs"]["name"]] = button["attrs"].get("value", "")
    return action, data


def changed_underneath(ticket: Ticket) -> int:
    """Bo, another advocate, sets `ticket` pending from his own page (the status form, with the version his page
    showed): every form opened before is stale now. Returns the ticket's history events then (a refused write
    adds none)."""
    from django.test import Client

    from mentions.models import TicketEvent
    from mentions.tests.factories import AdvocateFactory, seen

    bo = Client()
    bo.force_login(AdvocateFactory(username="bo"))
    changed = bo.post(f"{ticket.get_absolute_url()}status/", {"seen": seen(ticket), "status": "pending"})
    assert changed.status_code == 302, changed.status_code
    return TicketEvent.objects.filter(ticket=ticket).count()


def page_queries(client: Client, url: str) -> tuple[int, str]:
    """The queries one read of `url` makes once warm, and the page: the session's first requests fill the
    per-process caches (tests/test_ticket_page_load.py), so two reads go first."""
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return len(ctx.captured_queries), response.content.decode()
