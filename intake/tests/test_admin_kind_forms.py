"""The channel form per kind: the kind first, then only that kind's settings as fields (built from the adapter's
SCHEMA), validated by the adapter as before, credentials write-only."""

from typing import Any

import pytest
from django.urls import reverse

from channels.adapters import get_adapter
from channels.adapters.poll.adapter import PolledAdapter
from channels.adapters.registry import PLATFORMS, platform_of
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import hn_admin_post

pytestmark = pytest.mark.django_db

API_KEY = "d1sc0urse-api-key-never-shown-back"
ADD = reverse("admin:channels_channel_add")


def _form(response):
    return response.context["adminform"].form


def _discourse_post(**overrides):
    data = {
        "name": "GitLab forum",
        "slug": "forum",
        "enabled": "on",
        "poll_interval_seconds": 300,
        "setting_base_url": "https://forum.gitlab.com/",
        "setting_mode": "search",
        "setting_query": "gitlab   runner",
        "setting_staff_are_ours": "on",
        "setting_backfill_posts": "",
        "setting_max_requests_per_poll": "5",
        "our_accounts": "[]",
        "slack_channel": "",
        "credential_api_key": API_KEY,
        "credential_api_username": "system",
        "config": "",
        "new_credentials": "",
        # The change page lists the accounts the desk posts from (none here).
        "accounts-TOTAL_FORMS": "0",
        "accounts-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_adding_a_channel_asks_for_the_kind_first(admin_client):
    html = admin_client.get(ADD).content.decode()
    for kind in PLATFORMS:
        assert f'href="?kind={kind}"' in html
    assert "Discourse forum" in html and "every post, or only those matching a search" in html
    assert 'name="name"' not in html  # no form before the kind is known
    assert "Choose the platform first" in admin_client.get(ADD + "?kind=nonsense").content.decode()


@pytest.mark.parametrize(
    ("kind", "own", "others"),
    [
        (
            "discourse",
            ["setting_base_url", "setting_mode", "credential_api_key"],
            ["setting_keywords", "setting_forum"],
        ),
        ("hackernews", ["setting_keywords", "setting_hourly_request_budget"], ["setting_base_url", "credential_"]),
    ],
)
def test_the_form_shows_only_the_chosen_kinds_fields(admin_client, kind, own, others):
    response = admin_client.get(f"{ADD}?kind={kind}")
    html = response.content.decode()
    for name in own:
        assert f'name="{name}"' in html
    for name in others:
        assert f'name="{name}' not in html
    # Only this kind's example in the raw box's help, not every kind's.
    assert ("forum.gitlab.com" in html) == (kind == "discourse")
    assert "imap.example.com" not in html


def test_a_discourse_channel_is_added_from_fields_with_write_only_credentials(admin_client):
    response = admin_client.post(f"{ADD}?kind=discourse", _discourse_post())
    assert response.status_code == 302, _form(response).errors
    channel = Channel.objects.get(slug="forum")
    assert channel.kind == "discourse"
    # The adapter's own cleaning ran (trailing slash and repeated spaces gone); an empty number and a box left
    # at its default are not written, so the defaults apply.
    assert channel.config == {
        "base_url": "https://forum.gitlab.com",
        "mode": "search",
        "query": "gitlab runner",
        "max_requests_per_poll": 5,
    }
    adapter = get_adapter("discourse")
    assert isinstance(adapter, PolledAdapter)
    assert adapter.settings_of(channel.config)["backfill_posts"] == 50
    assert channel.credentials == {"api_key": API_KEY, "api_username": "system"}
    assert API_KEY not in channel.credentials_encrypted

    url = reverse("admin:channels_channel_change", args=[channel.pk])
    html = admin_client.get(url).content.decode()
    assert API_KEY not in html and 'value="system"' not in html
    assert "api_key: set, api_username: set" in html
    assert 'value="https://forum.gitlab.com"' in html and ">gitlab runner</" not in html  # query is a text input
    assert 'name="setting_query" value="gitlab runner"' in html

    # Saved again with the credential fields empty: both kept. One filled: only that one replaced.
    response = admin_client.post(url, _discourse_post(credential_api_key="", credential_api_username=""))
    assert response.status_code == 302, _form(response).errors
    channel.refresh_from_db()
    assert channel.credentials == {"api_key": API_KEY, "api_username": "system"}
    admin_client.post(url, _discourse_post(credential_api_key="", credential_api_username="bot"))
    channel.refresh_from_db()
    assert channel.credentials == {"api_key": API_KEY, "api_username": "bot"}


def test_a_bad_discourse_value_is_a_field_error_and_nothing_is_saved(admin_client):
    channel = ChannelFactory(
        kind="discourse", name="GitLab forum", slug="forum", config={"base_url": "https://forum.gitlab.com"}
    )
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    response = admin_client.post(url, _discourse_post(setting_base_url="http://forum.gitlab.com"))
    assert response.status_code == 200
    form = _form(response)
    assert form.errors["setting_base_url"] == [
        "“Forum address” must start with https://, e.g. \"https://forum.gitlab.com\"; got 'http://forum.gitlab.com'."
    ]
    assert "config" not in form.errors  # said once, on the field it is about
    html = response.content.decode()
    assert API_KEY not in html  # a secret typed in is not sent back, even after an error

    response = admin_client.post(url, _discourse_post(setting_base_url="https://<script>alert(1)</script>"))
    html = response.content.decode()
    assert _form(response).errors["setting_base_url"] and "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    response = admin_client.post(url, _discourse_post(setting_mode="latest"))
    assert "is only used with" in " ".join(_form(response).errors["setting_query"])
    response = admin_client.post(url, _discourse_post(setting_max_requests_per_poll="lots"))
    assert _form(response).errors["setting_max_requests_per_poll"] == ["Enter a whole number."]
    channel.refresh_from_db()
    assert channel.config == {"base_url": "https://forum.gitlab.com"}
    assert channel.credentials == {}


def test_a_hacker_news_channel_is_edited_with_its_fields(admin_client):
    channel = ChannelFactory(name="HN", slug="hn", config={"keywords": ["gitlab"], "backfill_hours": 48})
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    form = _form(admin_client.get(url))
    assert form.initial["setting_keywords"] == "gitlab"
    assert form.initial["setting_backfill_hours"] == 48
    assert form["setting_overlap_seconds"].value() is None  # empty: the default (shown as placeholder) applies
    assert 'placeholder="300 (default)"' in str(form["setting_overlap_seconds"])

    assert form.initial["our_accounts"] == "gitlabhq"  # one per line, not a JSON list
    assert "Hacker News: credentials" not in admin_client.get(url).content.decode()  # it has none

    response = admin_client.post(url, hn_admin_post(our_accounts="gitlabhq\n  gitlab \n"))
    assert response.status_code == 302, _form(response).errors
    channel.refresh_from_db()
    assert channel.config == {"keywords": ["gitlab", "gitlab ci"], "overlap_seconds": 600}
    assert channel.our_accounts == ["gitlabhq", "gitlab"]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("setting_keywords", "  \n", "This field is required."),
        ("setting_hits_per_page", "5000", "“Hits per page” must be a whole number from 1 to 1000; got 5000."),
        ("setting_overlap_seconds", "-1", "“Overlap (seconds)” must be a whole number from 0 to 86400; got -1."),
    ],
)
def test_a_bad_hacker_news_value_is_a_field_error(admin_client, field, value, said):
    channel = ChannelFactory(name="HN", slug="hn")
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    response = admin_client.post(url, hn_admin_post(**{field: value}))
    assert response.status_code == 200
    assert _form(response).errors == {field: [said]}
    channel.refresh_from_db()
    assert channel.config == {"keywords": ["gitlab"]}


def test_x_handles_are_one_per_line_and_a_bad_line_says_which(admin_client):
    response = admin_client.post(
        f"{ADD}?kind=twitter",
        {
            "name": "X",
            "slug": "x",
            "poll_interval_seconds": 300,
            "setting_handles": "GitLab 2244994945 main\nGitLabStatus 1001",
            "our_accounts": "[]",
        },
    )
    assert _form(response).errors["setting_handles"] == [
        "Line 2: write username, user_id, role separated by spaces, e.g. GitLab 2244994945 main."
    ]
    response = admin_client.post(
        f"{ADD}?kind=twitter",
        {
            "name": "X",
            "slug": "x",
            "poll_interval_seconds": 300,
            "setting_handles": "GitLab 2244994945 main\nGitLabStatus 1001 boss",
            "our_accounts": "[]",
        },
    )
    assert "\"role\" must be one of main, status, other (got 'boss')" in _form(response).errors["setting_handles"][0]
    response = admin_client.post(
        f"{ADD}?kind=twitter",
        {
            "name": "X",
            "slug": "x",
            "poll_interval_seconds": 300,
            "setting_handles": "GitLab 2244994945 main\n@GitLabStatus 1001 status",
            "setting_max_results": "50",
            "credential_bearer_token": "bearer-secret",
            "our_accounts": "[]",
        },
    )
    assert response.status_code == 302, _form(response).errors
    channel = Channel.objects.get(slug="x")
    assert channel.config == {
        "handles": [
            {"username": "GitLab", "user_id": "2244994945", "role": "main"},
            {"username": "GitLabStatus", "user_id": "1001", "role": "status"},
        ],
        "max_results": 50,
    }
    assert channel.credentials == {"bearer_token": "bearer-secret"}
    form = _form(admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])))
    assert form.initial["setting_handles"] == "GitLab 2244994945 main\nGitLabStatus 1001 status"


def test_every_declared_setting_is_one_the_adapter_accepts():
    """The schema and validate_config cannot drift apart: each declared key, with a plausible value, passes."""
    plausible = {"text": None, "int": None, "bool": True, "lines": ["gitlab"]}
    for kind in PLATFORMS:
        adapter = get_adapter(kind)
        defaults = getattr(adapter, "config_defaults", None) or {}
        declared = {s.key for s in adapter.schema.settings}
        assert set(defaults) <= declared, kind

        for setting in adapter.schema.settings:
            value: Any = plausible.get(setting.type)
            if setting.type == "int":
                value = setting.default if isinstance(setting.default, int) else (setting.limits or (1,))[0]
            if setting.type == "choice":
                value = setting.choices[0][0]
            if value is None or setting.key in platform_of(kind).example_config() or setting.type == "records":
                continue
            if setting.key in ("query", "ca_file"):
                continue  # only valid with another setting (search mode) or an existing file
            adapter.validate_config({**platform_of(kind).example_config(), setting.key: value})
