"""Celery task names follow the module that defines them (`<app>.<task>`), and the names they had before are
accepted for one release (advocacy/task_aliases.py) so a message queued before an upgrade still runs.

docs/architecture.md's "Celery tasks" table lists every task with the module that defines it, its old name and
when it runs (on beat's schedule or queued), so the table cannot drift from the code.

The last test starts a real Celery worker (`celery -A advocacy worker`, as the Procfile does) on the Redis
broker and this test run's database, on a queue of its own, sends it a message under an OLD name, and sees
the renamed task's work done (a channel polled) and the alias's log line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from advocacy.celery import app
from advocacy.task_aliases import RENAMED
from api.tests.receivers import subprocess_env
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from tests.local_processes import worker_stopped

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
# The Procfile's worker, one process, nothing it does not need to take one message.
WORKER = [sys.executable, "-m", "celery", "-A", "advocacy", "worker", "--pool=solo", "--loglevel=INFO"]
WORKER += ["--without-gossip", "--without-mingle", "--without-heartbeat"]


def _ours() -> dict[str, str]:
    """Every task of the project: name -> the module that defines it."""
    app.loader.import_default_modules()
    return {name: type(task).__module__ for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_named_after_the_app_whose_module_defines_it():
    tasks = _ours()
    defined = {name: module for name, module in tasks.items() if module != "advocacy.task_aliases"}
    assert len(defined) >= 20
    wrong = {name: module for name, module in defined.items() if name.split(".")[0] != module.split(".")[0]}
    assert not wrong
    assert {"intake.poll_due", "intake.poll", "intake.watch_threads", "intake.tickets_ingested"} <= set(defined)
    assert {"notifications.urgent_sweep", "notifications.outreach_retry", "notifications.slack_flush"} <= set(defined)


def test_each_old_name_is_an_alias_of_a_renamed_task_and_nothing_else_is():
    tasks = _ours()
    aliases = {name for name, module in tasks.items() if module == "advocacy.task_aliases"}
    assert aliases == set(RENAMED)
    assert set(RENAMED.values()) <= set(tasks)
    assert not set(RENAMED) & set(RENAMED.values())


def test_the_beat_schedule_names_only_new_names():
    tasks = _ours()
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert key == entry["task"]  # the entry's label in beat's state, named like what it runs
        assert entry["task"] in tasks
        assert entry["task"] not in RENAMED
        assert entry["task"].split(".")[0] == tasks[entry["task"]].split(".")[0]


def _table() -> dict[str, dict[str, str]]:
    """docs/architecture.md's "Celery tasks" table: task name -> its cells."""
    section = DOC.read_text().split("## Celery tasks", 1)[1].split("\n## ", 1)[0]
    names = ["task", "module", "schedule", "old_name"]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    cells = [dict(zip(names, (c.strip() for c in row.strip("|").split("|")), strict=True)) for row in rows]
    return {row["task"].strip("`"): row for row in cells}


def _seconds(schedule: str) -> int | None:
    """The period a schedule cell states ("every 60 s", "every 5 min", "hourly", "every `X` (120 s)")."""
    if schedule.startswith("hourly"):
        return 3600
    found = re.match(r"every (?:`\w+` \()?(\d+) (s|min)\b", schedule)
    return int(found.group(1)) * (60 if found.group(2) == "min" else 1) if found else None


def test_the_tasks_table_lists_every_task_with_its_module_and_old_name():
    tasks = _ours()
    defined = {name: module for name, module in tasks.items() if module != "advocacy.task_aliases"}
    table = _table()
    assert sorted(set(defined) - set(table)) == []  # a task the table misses
    assert sorted(set(table) - set(defined)) == []  # a row for a task that does not exist (or is an alias)
    for name, row in table.items():
        assert row["module"] == f"`{defined[name].replace('.', '/')}.py`", name
        old = {alias for alias, new in RENAMED.items() if new == name}
        assert set(re.findall(r"`([\w.]+)`", row["old_name"])) == old, name


def test_the_tasks_table_says_which_tasks_beat_runs_and_how_often():
    periods: dict[str, float] = {}
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():  # each key is its task's name (test above)
        assert isinstance(entry["schedule"], timedelta)  # every entry's period is a timedelta
        periods[key] = entry["schedule"].total_seconds()
    for name, row in _table().items():
        stated = _seconds(row["schedule"])
        assert (stated is not None) == (name in periods), (name, row["schedule"])
        if stated is not None:
            assert stated == periods[name], (name, row["schedule"])


@pytest.mark.django_db
def test_an_old_name_runs_the_renamed_tasks_function(caplog):
    """Eagerly, through the alias: plain tasks and a bound one (its `self` is the alias, so retry works)."""
    with caplog.at_level("INFO", logger="advocacy.task_aliases"):
        assert app.tasks["channels.poll"].apply(args=(0,)).get() == "gone"  # intake.poll: no such channel
        assert app.tasks["experts.outreach_retry"].apply(args=(0,)).get() == "gone"
        assert app.tasks["experts.community_post"].apply(args=(0,)).get() == "gone"  # bound
        assert app.tasks["mentions.tickets_ingested"].apply(args=([],)).get()["sla_moved"] == 0
    assert "celery: task intake.poll ran under its old name channels.poll" in caplog.text
    assert "notifications.community_post ran under its old name experts.community_post" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_message_queued_under_an_old_name_is_run_by_a_worker_on_the_new_code(tmp_path):
    queue = f"aliases-test-{os.getpid()}"
    channel = ChannelFactory(kind="webhook", slug="relay", config={})
    assert channel.last_success_at is None
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [*WORKER, "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT,
            env=subprocess_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # What a beat of the old release queued: the task name is the only thing that changed.
        app.send_task("channels.poll", args=[channel.pk], queue=queue)
        for _ in range(600):
            channel.refresh_from_db()
            if channel.last_success_at is not None:
                break
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.1)
        else:
            pytest.fail("the worker did not run the message in 60 s:\n" + log_path.read_text())
        assert channel.health == Channel.Health.OK and channel.lease_until is None  # intake.poll's work
        for _ in range(50):
            if "ran under its old name channels.poll" in log_path.read_text():
                break
            time.sleep(0.1)
        assert "celery: task intake.poll ran under its old name channels.poll" in log_path.read_text()
    finally:
        worker_stopped(worker, queue)
