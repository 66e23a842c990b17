"""Issue 45: two web replicas behind one proxy share sessions and live pages through PostgreSQL and Redis only.

Each Django test client is its own WSGI handler, like a gunicorn worker on another machine: what one writes the
other can see only through the database and the cache (Redis). A browser signs in through one and is signed in
on the other (sessions: cached_db, on Redis with the database behind it); a live page's ETag, made from the
database's change sequence, is the same on both, so a refresh answered by either is 304 until something changes.
"""

from __future__ import annotations

import pytest
from django.test import Client

from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory

pytestmark = pytest.mark.django_db(transaction=True)  # committed: the change stamp moves at commit

HX = {"HX-Request": "true", "X-Desk-Background": "1"}  # a live page's refresh (static/live.js)


def _replicas() -> tuple[Client, Client]:
    return Client(), Client()


def _same_browser(source: Client, target: Client) -> None:
    """The proxy sends the browser's next request to the other replica: same cookies, nothing else."""
    target.cookies = source.cookies


def test_signed_in_on_one_replica_is_signed_in_on_the_other_and_signed_out_on_both(monkeypatch):
    from mentions import live

    now = live._now()
    monkeypatch.setattr(live, "_now", lambda: now)  # the queue's ETag also carries the minute
    ViewFactory(name="Everything", slug="everything")
    TicketFactory(subject="Runner stuck on arm64")
    ada = AdvocateFactory()
    one, two = _replicas()

    signed_in = one.post("/accounts/login/", {"login": ada.username, "password": "pw"})
    assert signed_in.status_code == 302
    _same_browser(one, two)
    page = two.get("/")
    assert page.status_code == 200 and page.context["user"] == ada
    etag = page.context["live_etag"]

    # The live page: one ETag on both replicas, 304 on either while nothing changed, the change seen on both.
    assert one.get("/", headers={**HX, "If-None-Match": etag}).status_code == 304
    TicketFactory(subject="Registry returns 500 on push")
    changed = two.get("/", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert one.get("/", headers={**HX, "If-None-Match": changed["ETag"]}).status_code == 304

    # Signed out through one replica: the other no longer knows the session.
    _same_browser(two, one)
    one.post("/accounts/logout/")
    _same_browser(one, two)
    refresh = two.get("/", headers={**HX, "If-None-Match": changed["ETag"]})
    assert refresh.status_code == 302 and "/accounts/login/" in refresh["Location"]
