"""Issues 45 and 55: a queue per kind of slow work (ingest, sends, knowledge, webhooks, meaning), and no task stranded
whichever way the desk is started.

Routes live in advocacy/settings/tasks.py (CELERY_TASK_ROUTES); which process serves which queue lives in
advocacy/processes.py, and the Procfile, Procfile.dev and compose.yaml start their workers through bin/desk-worker.
A task routed to a queue no process reads waits for ever, silently (issue 55: compose.yaml's worker read
`celery,webhooks`, and 16 polls and 7 sends piled up in Redis). These tests read the three files as their tools
do (honcho's `sh -c` line; compose's YAML with `$$` for a literal `$`), and find each worker's queues by running the
line's own launcher (`bin/desk-worker --print`) or, for a line that calls Celery itself, by expanding its `-Q` in
the shell, so a file that bypasses the one list is still read for what it really serves.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from advocacy.celery import app
from advocacy.processes import routed_queues

ROOT = Path(__file__).resolve().parents[1]
QUEUE_VARIABLES = (
    "DESK_WORKER_QUEUES",
    "DESK_WEBHOOK_QUEUE",
    "DESK_MEANING_QUEUE",
    "DESK_INGEST_QUEUE",
    "DESK_SENDS_QUEUE",
    "DESK_KNOWLEDGE_QUEUE",
    "DESK_WEBHOOK_WORKERS",
)
DEPLOYMENTS = ("Procfile", "Procfile.dev", "compose.yaml")


def _environment(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in QUEUE_VARIABLES}
    return {**base, "DJANGO_SETTINGS_MODULE": "advocacy.settings", **env}


def _procfile_lines(text: str) -> dict[str, str]:
    """name -> command of the lines honcho starts (a `#when` line is a comment to it)."""
    lines = {}
    for line in text.splitlines():
        if line[:1].isalpha() and ":" in line:
            name, command = line.split(":", 1)
            lines[name.strip()] = command.strip()
    return lines


def _compose_lines(text: str) -> dict[str, str]:
    """name -> the command of each service `up -d` starts (no profile), as the shell in the container runs it."""
    services = yaml.safe_load(text)["services"]
    lines = {}
    for name, service in services.items():
        command = service.get("command")
        if service.get("profiles") or not command:
            continue
        if isinstance(command, list):
            command = command[2] if command[:2] == ["sh", "-c"] else shlex.join(command)
        lines[name] = command.replace("$$", "$")  # compose's escape for a `$` the container's shell expands
    return lines


def _lines(deployment: str, text: str | None = None) -> dict[str, str]:
    text = (ROOT / deployment).read_text() if text is None else text
    return _compose_lines(text) if deployment.endswith(".yaml") else _procfile_lines(text)


def _consumed(command: str, env: dict[str, str]) -> set[str] | None:
    """The queues a process line's Celery worker consumes, or None for a line that runs no worker."""
    launcher = re.search(r"bin/desk-worker((?: --?[a-z][a-z-]*(?:=\S+)?)*) (\w+)", command)
    if launcher:
        options, process = launcher.groups()
        printed = subprocess.run(
            [sys.executable, str(ROOT / "bin" / "desk-worker"), "--print", *options.split(), process],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        argv = shlex.split(printed)
    elif re.search(r"\bcelery\b.* worker\b", command):
        queues = re.search(r"-Q (\S+)", command)
        assert queues, f"a Celery worker without -Q serves only Celery's default queue: {command}"
        # Expanded by the shell, as honcho's and the container's `sh -c` do (its ${X:-default}).
        expand = ["/bin/sh", "-c", f"printf %s {queues.group(1)}"]
        done = subprocess.run(expand, env=env, capture_output=True, text=True, check=True)
        argv = ["-Q", done.stdout]
    else:
        return None
    return set(argv[argv.index("-Q") + 1].split(","))


def _served(deployment: str, text: str | None = None, **env: str) -> dict[str, set[str]]:
    """Worker process name -> its queues, for one deployment file."""
    environment = _environment(**env)
    served = {}
    for name, command in _lines(deployment, text).items():
        queues = _consumed(command, environment)
        if queues is not None:
            served[name] = queues
    return served


def _stranded(served: dict[str, set[str]]) -> set[str]:
    return routed_queues() - set().union(*served.values())


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.fixture(scope="module")
def task_names() -> list[str]:
    app.loader.import_default_modules()
    names = sorted(app.tasks)
    assert "intake.poll" in names and "answers.docs_index" in names  # the desk's modules were imported
    return names


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_routed_queue_is_served_by_a_process_of_each_deployment(deployment, task_names):
    served = _served(deployment)
    assert _stranded(served) == set(), f"{deployment}: no process serves {sorted(_stranded(served))}"
    every = set().union(*served.values())
    assert {name: _queue(name) for name in task_names if _queue(name) not in every} == {}


def test_the_procfile_and_compose_start_the_same_workers_and_make_run_one_on_all_their_queues():
    procfile, development, compose = (_served(deployment) for deployment in DEPLOYMENTS)
    assert procfile == compose
    assert procfile == {"worker": {"celery", "webhooks", "ingest", "sends", "knowledge"}, "meaning": {"meaning"}}
    # `make run`'s one worker process (advocacy/processes.py's `single`: why) reads every queue the two read.
    assert development == {"worker": set().union(*procfile.values())}


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_worker_line_takes_its_queues_from_the_one_list(deployment):
    """A line that writes its own `-Q` is how compose.yaml drifted: each worker goes through bin/desk-worker."""
    for name, command in _lines(deployment).items():
        if re.search(r"\bcelery\b.* worker\b", command):
            pytest.fail(f"{deployment}'s {name} runs Celery's worker itself, not bin/desk-worker: {command}")


def test_the_compose_file_before_issue_55_is_caught():
    """compose.yaml as issue 55 found it: its worker read `celery,webhooks`, and the test names what it left."""
    before = (
        "services:\n  worker:\n    command: [sh, -c, 'exec celery -A advocacy worker -Q "
        "$${DESK_WORKER_QUEUES:-celery,$${DESK_WEBHOOK_QUEUE:-webhooks}} --loglevel=INFO']\n"
        "  meaning:\n    command: [sh, -c, 'exec celery -A advocacy worker -n meaning@%h "
        "-Q $${DESK_MEANING_QUEUE:-meaning} --pool=solo']\n"
    )
    served = _served("compose.yaml", before)
    assert served == {"worker": {"celery", "webhooks"}, "meaning": {"meaning"}}
    assert _stranded(served) == {"ingest", "sends", "knowledge"}


def test_a_renamed_queue_is_routed_and_served_under_its_new_name():
    for deployment in DEPLOYMENTS:
        worker = _served(deployment, DESK_INGEST_QUEUE="desk-ingest")["worker"]
        assert "desk-ingest" in worker and "ingest" not in worker, deployment
    # The routes read the same setting: a worker of another desk on one Redis renames every queue the same way.
    done = subprocess.run(
        [sys.executable, "-c", "from advocacy.processes import routed_queues; print(sorted(routed_queues()))"],
        cwd=ROOT,
        env=_environment(DESK_INGEST_QUEUE="desk-ingest"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "'desk-ingest'" in done.stdout and "'ingest'" not in done.stdout


def _started(**env: str) -> dict[str, set[str]]:
    """Worker process name -> queues, as bin/desk-start would start them."""
    printed = subprocess.run(
        [str(ROOT / "bin" / "desk-start"), "--print"],
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return _served("Procfile", printed, **env)


@pytest.mark.parametrize("env", [{}, {"DESK_WEBHOOK_WORKERS": "32"}], ids=["default", "separate webhooks worker"])
def test_every_registered_task_is_routed_to_a_queue_a_started_process_serves(task_names, env):
    served = _started(**env)
    every = set().union(*served.values())
    assert {name: _queue(name) for name in task_names if _queue(name) not in every} == {}
    # Webhook deliveries name their queue when they are queued (api.webhook_delivery), not by route.
    assert settings.DESK_WEBHOOK_QUEUE in every


def test_a_separate_webhooks_worker_takes_the_webhooks_queue_and_the_worker_keeps_the_rest():
    served = _started(DESK_WEBHOOK_WORKERS="32")
    assert served == {
        "worker": {"celery", "ingest", "sends", "knowledge"},
        "meaning": {"meaning"},
        "webhooks": {"webhooks"},
    }
    # A worker given its own list keeps it.
    assert _started(DESK_WEBHOOK_WORKERS="32", DESK_WORKER_QUEUES="celery,reports")["worker"] == {"celery", "reports"}


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
    # Our docs' pages, and the team model's requests (each waits on the team's endpoint up to its timeout).
    knowledge = {
        "answers.docs_index",
        "answers.team_model_draft",
        "mentions.team_model_summaries",
        "mentions.team_model_test",
    }
    queues = {name: _queue(name) for name in task_names}
    assert {name for name, queue in queues.items() if queue == "ingest"} == ingest
    assert {name for name, queue in queues.items() if queue == "sends"} == sends
    assert {name for name, queue in queues.items() if queue == "knowledge"} == knowledge
    assert queues["mentions.sla_sweep"] == "celery"  # quick database work stays on the default queue


def test_a_large_team_runs_a_worker_per_queue_and_each_reads_its_own():
    """docs/operations.md's worker-per-queue lines: one `DESK_WORKER_QUEUES` per worker, the rest unchanged. (`make
    run`'s one worker reads every queue whatever it says: it is the whole set of one small desk.)"""
    for deployment in ("Procfile", "compose.yaml"):
        for queues in ("celery", "ingest", "sends,knowledge"):
            assert _served(deployment, DESK_WORKER_QUEUES=queues)["worker"] == set(queues.split(",")), deployment


def test_make_runs_one_worker_reads_every_queue_whatever_the_worker_per_queue_setting_says():
    assert _served("Procfile.dev", DESK_WORKER_QUEUES="celery")["worker"] == _served("Procfile.dev")["worker"]
