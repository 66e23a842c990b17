"""The authenticator set-up page (allauth's activation view, in the desk's template): the whole secret shown as
text in groups of four, to read and type, selectable (it sat in a disabled input that showed 19 of its 32
characters and could not be selected), with a Copy button from a static script that copies it without the
groups' gaps. The code box and its form are allauth's. No HTTP: the desk's own pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db
ACTIVATE = "/accounts/2fa/totp/activate/"


def _page() -> tuple[str, str]:
    client = Client()
    ada = AdvocateFactory()
    # Signed in a moment ago (allauth asks for the password again before adding an authenticator otherwise).
    client.post("/accounts/login/", {"login": ada.username, "password": "pw"})
    html = client.get(ACTIVATE).content.decode()
    return html, client.session["mfa.totp.secret"]


def test_the_secret_is_shown_whole_in_groups_of_four_as_selectable_text():
    html, secret = _page()

    assert len(secret) == 32
    box = re.search(r'<code class="secret-groups" id="totp-secret"[^>]*>(.*?)</code>', html, re.S)
    assert box, "the secret is text in the page, not a form field"
    groups = re.findall(r'<span class="secret-group">([A-Z2-7]+)</span>', box.group(1))
    assert groups == [secret[i : i + 4] for i in range(0, 32, 4)]
    # Nothing between the groups but the page's CSS gaps: a selection copies the secret as apps take it.
    assert re.sub(r"<[^>]+>", "", box.group(1)) == secret
    assert f'data-copy-text="{secret}"' in box.group(0)
    assert 'id="authenticator_secret"' not in html and "disabled" not in box.group(0)


def test_the_copy_button_is_a_static_script_and_the_code_form_is_allauths():
    html, _ = _page()

    assert re.search(r'<button type="button"[^>]*data-copy="totp-secret"[^>]*hidden[^>]*>Copy</button>', html)
    assert re.search(r'<script src="/static/copy\.js" defer></script>', html)
    assert "<script>" not in html and "onclick" not in html
    assert re.search(r'<form method="post" action="/accounts/2fa/totp/activate/"', html)
    assert 'name="code"' in html and ">Activate" in html
