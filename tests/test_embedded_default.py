"""The quick start's embedded default (SQLite, no Redis), end to end in a subprocess: the
path `make run` takes, which the PostgreSQL suite does not."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json
from django.contrib.auth import get_user_model
from channels.models import Channel
from channels.services import channel_poll
from mentions.models import Ticket, View
from mentions.services import ticket_change_status, ticket_claim_next

advocate = get_user_model().objects.get(username="advocate")
view = View.objects.get(slug="all")
first = ticket_claim_next(view=view, user=advocate)
again = ticket_claim_next(view=view, user=advocate)
ticket_change_status(ticket=first, user=advocate, status="solved")
second = ticket_claim_next(view=view, user=advocate)
poll = channel_poll(channel_id=Channel.objects.get(slug="hn-demo").pk)
print(json.dumps({
    "first": first.pk, "again": again.pk, "second": second.pk,
    "assigned": Ticket.objects.filter(assignee=advocate, served_to=advocate).count(),
    "poll": poll.status, "created": poll.result.created,
}))
"""


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_embedded_default_migrates_seeds_plays_and_polls(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DESK_VAR_DIR=str(tmp_path))
    for args in (("migrate", "--noinput"), ("seed_demo",)):
        result = _manage(*args, env=env)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "desk.sqlite3").exists()
    assert result.stdout.count("password: ") == 3  # admin, manager, advocate, printed once

    result = _manage("shell", "-c", SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["first"] == out["again"] != out["second"]
    assert out["assigned"] == 1
    assert out["poll"] == "ok" and out["created"] > 0  # the replay channel delivers through the HN adapter
