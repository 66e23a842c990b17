"""GET /api/channels/: each channel's polling health, every field the schema names and nothing else, the open dead
letters counted (a discarded one is not)."""

import pytest

from api.tokens import token_create
from api.views import CHANNEL_HEALTH
from channels.models import Channel, DeadLetter
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


def test_each_channel_is_answered_with_its_health_and_open_dead_letters(client):
    secret = token_create(user=ManagerFactory(), name="test", scope="read", days=30)[1]
    quiet, failing = ChannelFactory(name="A quiet one"), ChannelFactory(name="B failing", last_error="HTTP 500")
    for n, status in enumerate([DeadLetter.Status.OPEN, DeadLetter.Status.OPEN, DeadLetter.Status.DISCARDED]):
        DeadLetter.objects.create(
            channel=failing,
            stage=DeadLetter.Stage.PARSE,
            fingerprint=str(n) * 64,
            error="bad",
            payload="{}",
            status=status,
        )

    answer = client.get("/api/channels/", headers={"Authorization": f"Bearer {secret}"})

    assert answer.status_code == 200
    rows = {row["name"]: row for row in answer.json() if row["id"] in (quiet.pk, failing.pk)}
    assert all(set(row) == set(CHANNEL_HEALTH) for row in answer.json())
    assert rows["A quiet one"]["open_dead_letters"] == 0 and rows["A quiet one"]["last_error"] == ""
    assert rows["B failing"]["open_dead_letters"] == 2 and rows["B failing"]["last_error"] == "HTTP 500"
    assert rows["B failing"]["kind"] == failing.kind and rows["B failing"]["enabled"] == failing.enabled
    assert rows["B failing"]["health"] in Channel.Health.values
