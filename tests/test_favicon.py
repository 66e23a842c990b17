"""The desk's icon everywhere (issue 69: `/favicon.ico` answered 404 on every admin page, which linked no icon, so the
browser asked the site's root for one): admin's pages link the desk's icon as the desk's own pages do
(templates/base.html), and `/favicon.ico` is a real icon, served by WhiteNoise from `public/` without signing in, for
what links none (the API's JSON, a plain-text error). Through the test client, as a browser asks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from mentions.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

ICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_admins_pages_link_the_desks_icon(admin_client):
    ticket = TicketFactory()
    for url in (
        reverse("admin:index"),
        reverse("admin:mentions_ticket_changelist"),
        reverse("admin:mentions_ticket_change", args=[ticket.pk]),
        reverse("admin:mentions_judgementmodel_changelist"),
    ):
        page = admin_client.get(url)
        assert page.status_code == 200 and ICON in page.content.decode(), url


def test_the_desks_own_pages_link_it_too(client):
    assert ICON in client.get("/accounts/login/").content.decode()


def test_favicon_ico_is_an_icon_served_to_anyone(tmp_path):
    answer = Client().get("/favicon.ico")  # signed out: a browser asks before anyone signs in

    assert answer.status_code == 200
    assert answer["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = answer.getvalue()  # WhiteNoise streams the file: its whole
    (tmp_path / "favicon.ico").write_bytes(body)
    with Image.open(tmp_path / "favicon.ico") as icon:
        assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
