"""A Jira channel in admin: its form takes the settings and the write-only credentials, and the account issues are
filed as is connected with the channel's e-mail and API token once Jira says they are its (`responses`).

Shapes: Jira's "Get current user" example (`GET /rest/api/3/myself`, developer.atlassian.com), in
fixtures/myself.json; fixtures/SOURCES.md says where each comes from."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from channels.adapters.jira.tests.shapes import SITE, load
from channels.models import Account, Channel

pytestmark = pytest.mark.django_db
TOKEN = "ATATT-admin-token-never-shown-back"


@responses.activate
def test_the_channel_form_takes_the_config_and_an_account_connects_with_the_token(admin_client):
    data = {
        "name": "Jira", "slug": "jira", "enabled": "on", "poll_interval_seconds": 300,
        "setting_site": "https://Example.atlassian.net/", "setting_projects": "desk\nOPS", "setting_issue_type": "",
        "our_accounts": "[]", "slack_channel": "", "credential_email": "desk@example.com",
        "credential_api_token": TOKEN,
        "config": "", "new_credentials": "", "accounts-TOTAL_FORMS": "0", "accounts-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = admin_client.post(f"{reverse('admin:channels_channel_add')}?kind=jira", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get(slug="jira")
    assert channel.config == {"site": SITE, "projects": ["DESK", "OPS"]}
    assert channel.credentials == {"email": "desk@example.com", "api_token": TOKEN}

    refused = admin_client.post(f"{reverse('admin:channels_channel_add')}?kind=jira", {**data, "slug": "j2",
        "setting_site": "https://jira.example.com"})  # fmt: skip
    assert "Jira Cloud site" in str(refused.context["adminform"].form.errors)

    account = Account.objects.create(channel=channel, username="desk@example.com")
    change = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "or with the channel&#x27;s e-mail and API token" in change and TOKEN not in change
    responses.get(f"{SITE}/rest/api/3/myself", json=load("myself.json"))
    page = admin_client.post(reverse("channels:account-channel-key", args=[account.pk]), follow=True)
    assert "is connected with the channel&#x27;s e-mail and API token" in page.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
    assert account.tokens == {"access_token": TOKEN, "email": "desk@example.com", "token_type": "basic"}
    assert TOKEN not in account.tokens_encrypted

    start = admin_client.get(reverse("channels:account-connect", args=[account.pk]), follow=True).content.decode()
    assert "connect with an API token" in start  # no sign-in: it says how instead
