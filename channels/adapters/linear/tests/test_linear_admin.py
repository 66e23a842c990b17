"""A Linear channel in admin: its form takes the teams and the write-only key, and the account issues are filed as
is connected with the channel's API key once Linear says it is theirs (`responses`).

Shapes: Linear's documented first query, `viewer { id name displayName email }` (linear.app/developers), in
fixtures/viewer.json; fixtures/SOURCES.md says where each comes from."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from channels.adapters.linear.tests.shapes import URL, load
from channels.models import Account, Channel

pytestmark = pytest.mark.django_db
KEY = "lin_api_admin_key_never_shown_back"


@responses.activate
def test_the_channel_form_takes_the_config_and_an_account_connects_with_the_key(admin_client):
    data = {
        "name": "Linear", "slug": "linear", "enabled": "on", "poll_interval_seconds": 300, "setting_teams": "eng\nWEB",
        "our_accounts": "[]", "slack_channel": "", "credential_api_key": KEY, "credential_oauth_client_id": "",
        "credential_oauth_client_secret": "", "config": "", "new_credentials": "", "accounts-TOTAL_FORMS": "0",
        "accounts-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = admin_client.post(f"{reverse('admin:channels_channel_add')}?kind=linear", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get(slug="linear")
    assert channel.config == {"teams": ["ENG", "WEB"]} and channel.credentials == {"api_key": KEY}

    account = Account.objects.create(channel=channel, username="desk")
    change = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "or with the channel&#x27;s API key" in change and KEY not in change
    responses.post(URL, json=load("viewer.json"))
    page = admin_client.post(reverse("channels:account-channel-key", args=[account.pk]), follow=True)
    assert "is connected with the channel&#x27;s API key" in page.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
    assert account.tokens == {"access_token": KEY, "token_type": "api_key"}
    assert responses.calls[0].request.headers["Authorization"] == KEY
