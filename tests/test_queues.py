"""Issue 45: a queue per kind of slow work (ingest, sends, knowledge, webhooks, meaning), and no task stranded.

Routes live in advocacy/settings/tasks.py (CELERY_TASK_ROUTES); the processes that serve the queues are the
Procfile's lines, as bin/desk-start starts them. A task routed to a queue no default process reads would wait
for ever, silently: these tests read the queues off the real process lines, expanded by the shell as honcho does.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from advocacy.celery import app

ROOT = Path(__file__).resolve().parents[1]
QUEUE_VARIABLES = (
    "DESK_WORKER_QUEUES",
    "DESK_WEBHOOK_QUEUE",
    "DESK_MEANING_QUEUE",
    "DESK_INGEST_QUEUE",
    "DESK_SENDS_QUEUE",
    "DESK_KNOWLEDGE_QUEUE",
)


def _expand(queues: str, env: dict[str, str]) -> set[str]:
    """A -Q argument expanded by the shell (its ${X:-default}), the way honcho's `sh -c` runs the line."""
    done = subprocess.run(["/bin/sh", "-c", f"printf %s {queues}"], env=env, capture_output=True, text=True, check=True)
    return set(done.stdout.split(","))


def _served(**env: str) -> dict[str, set[str]]:
    """Process name -> the queues its celery worker line consumes, as bin/desk-start would start it."""
    base = {k: v for k, v in os.environ.items() if k not in (*QUEUE_VARIABLES, "DESK_WEBHOOK_WORKERS")}
    base.update(env)
    printed = subprocess.run(
        [str(ROOT / "bin" / "desk-start"), "--print"], env=base, capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    exported = {}
    for line in printed:
        if line.startswith("# DESK_WORKER_QUEUES="):
            exported["DESK_WORKER_QUEUES"] = line.split("=", 1)[1]
    served = {}
    for line in printed:
        if line.startswith("#") or " worker " not in line:
            continue
        name, command = line.split(":", 1)
        queues = re.search(r"-Q (\S+)", command)
        assert queues, line
        served[name] = _expand(queues.group(1), {**base, **exported})
    return served


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.fixture(scope="module")
def task_names() -> list[str]:
    app.loader.import_default_modules()
    names = sorted(app.tasks)
    assert "intake.poll" in names and "answers.docs_index" in names  # the desk's modules were imported
    return names


@pytest.mark.parametrize("env", [{}, {"DESK_WEBHOOK_WORKERS": "32"}], ids=["default", "separate webhooks worker"])
def test_every_registered_task_is_routed_to_a_queue_a_default_process_serves(task_names, env):
    served = _served(**env)
    every = set().union(*served.values())
    stranded = {name: _queue(name) for name in task_names if _queue(name) not in every}
    assert stranded == {}
    # Webhook deliveries name their queue when they are queued (api.webhook_delivery), not by route.
    assert settings.DESK_WEBHOOK_QUEUE in every


def test_one_worker_serves_every_queue_but_the_models_on_a_small_install():
    served = _served()
    assert served["worker"] == {"celery", "webhooks", "ingest", "sends", "knowledge"}
    assert served["meaning"] == {"meaning"}


def test_ingest_sends_and_knowledge_each_have_their_own_queue(task_names):
    ingest = {"intake.poll_due", "intake.poll", "intake.watch_threads", "slackapp.event_work", "slackapp.events_sweep"}
    sends = {
        "stories.answer_send",
        "stories.issue_followups_send",
        "stories.spike_alerts_send",
        "notifications.slack_flush",
        "notifications.community_post",
        "notifications.outreach_retry",
        "notifications.front_page_announce",
        "metrics.reports_send",
    }
    knowledge = {"answers.docs_index"}
    queues = {name: _queue(name) for name in task_names}
    assert {name for name, queue in queues.items() if queue == "ingest"} == ingest
    assert {name for name, queue in queues.items() if queue == "sends"} == sends
    assert {name for name, queue in queues.items() if queue == "knowledge"} == knowledge
    assert queues["mentions.sla_sweep"] == "celery"  # quick database work stays on the default queue


def test_a_large_team_runs_a_worker_per_queue_and_each_reads_its_own():
    """docs/operations.md's worker-per-queue lines: one `DESK_WORKER_QUEUES` per worker, the rest unchanged."""
    for queues in ("celery", "ingest", "sends,knowledge"):
        assert _served(DESK_WORKER_QUEUES=queues)["worker"] == set(queues.split(","))
    renamed = _served(DESK_INGEST_QUEUE="desk-ingest")["worker"]
    assert "desk-ingest" in renamed and "ingest" not in renamed


def test_the_development_procfile_worker_serves_the_same_queues():
    line = next(x for x in (ROOT / "Procfile.dev").read_text().splitlines() if x.startswith("worker:"))
    queues = shlex.split(line)[shlex.split(line).index("-Q") + 1]
    base = {k: v for k, v in os.environ.items() if k not in QUEUE_VARIABLES}
    assert _expand(queues, base) == _served()["worker"]
