"""The API tokens page as its markup says it: the new token shown once, whole, in a read-only control one can
select (the page's fallback without JavaScript) with a Copy button run by a static script (the CSP refuses inline
ones); each token's state as words, with Revoke beside a live one. No HTTP: the desk's own pages only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create, token_revoke
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def _state_cell(html: str, name: str) -> str:
    """The State cell of the row of the token named `name`."""
    row = re.search(rf'<tr data-testid="token-row">\s*<td[^>]*>{re.escape(name)}</td>(.*?)</tr>', html, re.S)
    assert row, f"no row for {name!r}"
    cell = re.search(r'<td data-label="State"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert cell, "no State cell"
    return cell.group(1)


def test_a_new_token_is_shown_whole_in_a_read_only_selectable_box_with_a_copy_button_and_no_inline_script():
    ada = AdvocateFactory()
    page = _page(ada)

    made = page.post("/tokens/", {"name": "BI warehouse sync", "scope": "read", "days": "30"})

    html = made.content.decode()
    secret = made.context["made"][1]
    assert "_" in secret  # "tdk_…": the character the old box cut off
    box = re.search(r'<textarea[^>]*id="token-secret"[^>]*>([^<]*)</textarea>', html)
    assert box, "the token is in a textarea (it wraps on a phone instead of hiding its end)"
    assert box.group(1) == secret
    tag = box.group(0)
    assert " readonly" in tag and "disabled" not in tag  # selectable and copyable, not greyed out
    assert 'spellcheck="false"' in tag and 'autocomplete="off"' in tag
    # The Copy button copies that box; it stays hidden until the script runs, so nobody meets a dead button.
    assert re.search(r'<button type="button"[^>]*data-copy="token-secret"[^>]*hidden[^>]*>Copy</button>', html)
    assert re.search(r'<script src="/static/copy\.js" defer></script>', html)
    assert "<script>" not in html and "onclick" not in html  # nothing inline for the CSP to refuse


def test_each_tokens_state_is_said_in_words_with_revoke_beside_a_live_one():
    ada = AdvocateFactory()
    live, _ = token_create(user=ada, name="live one", scope="read", days=30)
    revoked, _ = token_create(user=ada, name="revoked one", scope="read", days=30)
    token_revoke(token=revoked, user=ada)
    expired, _ = token_create(user=ada, name="expired one", scope="read", days=30)
    long_ago = timezone.now() - timedelta(days=40)
    ApiToken.objects.filter(pk=expired.pk).update(created_at=long_ago, expires_at=long_ago + timedelta(days=30))
    expired.refresh_from_db()
    revoked.refresh_from_db()

    html = _page(ada).get("/tokens/").content.decode()

    cell = _state_cell(html, "live one")
    assert f"Active until {live.expires_at:%Y-%m-%d}" in cell
    assert f'action="/tokens/{live.pk}/revoke/"' in cell and ">Revoke</button>" in cell
    cell = _state_cell(html, "revoked one")
    assert f"Revoked {revoked.revoked_at:%Y-%m-%d}" in cell and "Revoke</button>" not in cell
    cell = _state_cell(html, "expired one")
    assert f"Expired {expired.expires_at:%Y-%m-%d}" in cell and "Revoke</button>" not in cell
