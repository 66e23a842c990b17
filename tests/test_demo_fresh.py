"""`seed_demo --fresh` (`make demo-fresh`): the demo never refills (its week ends the day it was seeded), so starting
over makes the embedded SQLite database again and seeds a week ending today; on any other database (this suite's
PostgreSQL) it refuses and deletes nothing. The embedded run is a subprocess on its own DESK_VAR_DIR, as
tests/test_embedded_default.py runs `make run`'s path; the platforms are the demo's replays (DESK_DEMO_REPLAY), no
network."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.management.commands._demo_fresh import REFUSED
from mentions.models import View
from tests.embedded import embedded_env, manage, migrated

# The first demo seeded ten days ago (its week ended then), and a row only that old desk had.
OLD_SEED = """
from datetime import timedelta
from io import StringIO
import time_machine
from django.core.management import call_command
from django.utils import timezone
from mentions.models import View
with time_machine.travel(timezone.now() - timedelta(days=10), tick=True):
    call_command("seed_demo", stdout=StringIO())
View.objects.create(name="Only on the old desk", slug="old-desk")
"""

READ = """
import json
from django.utils import timezone
from channels.models import Channel
from mentions.models import Message, Ticket, View
print(json.dumps({
    "anchors": sorted({c.created_at.date().isoformat() for c in Channel.objects.filter(slug__endswith="-demo")}),
    "newest": Message.objects.order_by("-platform_created_at").first().platform_created_at.date().isoformat(),
    "today": timezone.localdate().isoformat(),
    "tickets": Ticket.objects.count(),
    "old_view": View.objects.filter(slug="old-desk").exists(),
}))
"""


def test_fresh_starts_the_embedded_demo_over_with_a_week_ending_today(tmp_path):
    env = embedded_env(tmp_path)
    migrated(tmp_path)
    done = manage("shell", "-c", OLD_SEED, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    before = json.loads(manage("shell", "-c", READ, env=env).stdout.strip().splitlines()[-1])
    assert before["anchors"] != [before["today"]] and before["newest"] < before["today"] and before["old_view"]

    fresh = manage("seed_demo", "--fresh", env=env)

    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert "Demo: started over with a week ending today" in fresh.stdout
    assert "Error calling" not in fresh.stderr  # the ingest's work queued on the broker (its folders kept)
    assert "password: " in fresh.stdout  # the demo users were made again, their new passwords printed
    after = json.loads(manage("shell", "-c", READ, env=env).stdout.strip().splitlines()[-1])
    assert after["anchors"] == [after["today"]] and after["newest"] > before["newest"]
    assert not after["old_view"] and after["tickets"] > 0


@pytest.mark.django_db
def test_fresh_refuses_any_other_database_and_deletes_nothing():
    View.objects.create(name="Kept", slug="kept")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", "--fresh", stdout=StringIO())
    assert str(refused.value) == REFUSED
    assert View.objects.filter(slug="kept").exists()
