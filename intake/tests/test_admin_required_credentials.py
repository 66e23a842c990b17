"""Admin refuses a channel its platform could not read: each credential the platform's declaration requires
(`Platform.credentials_required`, channels/adapters/<kind>/platform.py) must be stored or typed in, and the
refusal is said beside that credential's field. No HTTP: a refused or accepted save reaches no platform."""

import json

import pytest
from django.urls import reverse

from channels.adapters.registry import PLATFORMS, platform_of
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from intake.admin.channel_forms import CREDENTIAL_PREFIX

pytestmark = pytest.mark.django_db

REQUIRING = [kind for kind in PLATFORMS if platform_of(kind).required_credentials(platform_of(kind).config_example)]
NOT_REQUIRING = [kind for kind in PLATFORMS if kind not in REQUIRING]


@pytest.fixture(autouse=True)
def no_seeded_channel():
    # The Slack channel a migration seeds (mentions 0032, with its view) would be one more channel here.
    Channel.objects.filter(kind="slack").delete()


def _add_url(kind: str) -> str:
    return reverse("admin:channels_channel_add") + f"?kind={kind}"


def _post(kind: str, **overrides: str) -> dict[str, str]:
    # The raw config box carries the platform's own example, so no setting field is needed.
    data = {
        "name": f"A {kind} channel",
        "slug": f"a-{kind}",
        "enabled": "on",
        "config": json.dumps(platform_of(kind).example_config()),
        "our_accounts": "",
        "slack_channel": "",
        "new_credentials": "",
        "accounts-TOTAL_FORMS": "0",
        "accounts-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def _typed(kind: str) -> dict[str, str]:
    return {CREDENTIAL_PREFIX + key: f"{key}-value" for key in platform_of(kind).required_credentials({})}


def test_reddit_without_its_app_credentials_is_refused_beside_each_field(admin_client):
    response = admin_client.post(_add_url("reddit"), _post("reddit", credential_client_secret="s3cret"))

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert form.errors[CREDENTIAL_PREFIX + "client_id"] == [
        "Required: Reddit cannot be read without “App client id”. Enter it here."
    ]
    assert CREDENTIAL_PREFIX + "client_secret" not in form.errors  # typed in: only the missing one is named
    assert not Channel.objects.exists()
    # Beside the field: the message is rendered in that field's row of the admin page.
    row = response.content.decode().split('class="form-row errors field-credential_client_id">')[1]
    assert "cannot be read without" in row.split('class="form-row')[0]
    assert 'id="id_credential_client_id"' in row.split('class="form-row')[0]


@pytest.mark.parametrize("kind", REQUIRING)
def test_a_channel_without_a_required_credential_is_refused(admin_client, kind):
    response = admin_client.post(_add_url(kind), _post(kind))

    errors = response.context["adminform"].form.errors
    assert response.status_code == 200
    for key in platform_of(kind).required_credentials(platform_of(kind).config_example):
        assert "cannot be read without" in " ".join(errors[CREDENTIAL_PREFIX + key])
    assert not Channel.objects.exists()


@pytest.mark.parametrize("kind", REQUIRING)
def test_the_same_channel_with_its_credentials_typed_in_is_saved(admin_client, kind):
    response = admin_client.post(_add_url(kind), _post(kind, **_typed(kind)))

    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get()
    assert {key: channel.credentials[key] for key in platform_of(kind).required_credentials({})} == {
        key: f"{key}-value" for key in platform_of(kind).required_credentials({})
    }


@pytest.mark.parametrize("kind", REQUIRING)
def test_the_raw_credentials_box_counts_too(admin_client, kind):
    raw = dict.fromkeys(platform_of(kind).required_credentials({}), "from-the-box")

    response = admin_client.post(_add_url(kind), _post(kind, new_credentials=json.dumps(raw)))

    assert response.status_code == 302


@pytest.mark.parametrize("kind", NOT_REQUIRING)
def test_a_platform_read_without_credentials_saves_without_any(admin_client, kind):
    response = admin_client.post(_add_url(kind), _post(kind))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Channel.objects.get().kind == kind


def test_stored_credentials_are_kept_when_the_fields_stay_empty(admin_client):
    channel = ChannelFactory(kind="reddit", config={"keywords": ["gitlab"]}, slug="r", name="Reddit")
    channel.credentials = {"client_id": "id", "client_secret": "secret"}
    channel.save()
    url = reverse("admin:channels_channel_change", args=[channel.pk])

    kept = admin_client.post(url, _post("reddit", name="Reddit", slug="r"))
    cleared = admin_client.post(url, _post("reddit", name="Reddit", slug="r", clear_credentials="on"))

    assert kept.status_code == 302
    assert cleared.status_code == 200
    assert "cannot be read without" in " ".join(
        cleared.context["adminform"].form.errors[CREDENTIAL_PREFIX + "client_id"]
    )
    channel.refresh_from_db()
    assert channel.credentials == {"client_id": "id", "client_secret": "secret"}
