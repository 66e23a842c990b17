"""Issue 58: beat runs from advocacy/beat.py's app, which loads none of the desk's apps (about 90 MiB less than the
full app, bench/memory.py). These tests keep what beat sends the same as the full app would send it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from advocacy.beat import app as beat_app
from advocacy.celery import app as full_app

ROOT = Path(__file__).resolve().parents[1]
# What a task's decorator could set that changes the message beat sends (its queue, priority, expiry...): the full
# app's task.apply_async would use it, the beat app's send_task cannot know it.
SENDING_OPTIONS = ("queue", "routing_key", "exchange", "priority", "expires", "serializer", "compression")


def test_beat_starts_without_loading_an_app_or_a_task_module():
    code = (
        "import sys\n"
        "from advocacy.beat import app\n"
        "app.loader.init_worker()\n"  # what `celery beat` does before its schedule starts
        "from django.apps import apps\n"
        "desk = ('mentions.models', 'intake.tasks', 'people.models', 'stories.tasks', 'django.contrib.auth.models')\n"
        "loaded = [m for m in desk if m in sys.modules]\n"
        "print(apps.ready, loaded, 'numpy' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings_test"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False [] False"


def test_every_entry_goes_to_the_queue_the_full_app_routes_it_to():
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        name = str(entry["task"])
        assert beat_app.amqp.router.route({}, name)["queue"].name == full_app.amqp.router.route({}, name)["queue"].name
        assert beat_app.conf.beat_schedule[key] == entry


def test_no_scheduled_task_sets_sending_options_of_its_own():
    full_app.loader.import_default_modules()
    defaults = {"serializer": full_app.conf.task_serializer, "compression": full_app.conf.task_compression}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = full_app.tasks[str(entry["task"])]
        for option in SENDING_OPTIONS:
            assert getattr(task, option, None) == defaults.get(option), (entry["task"], option)
    for option in ("task_serializer", "task_compression", "task_default_priority", "task_routes"):
        assert beat_app.conf[option] == full_app.conf[option], option


def test_the_beat_app_reads_the_same_broker_and_logging():
    assert beat_app.conf.broker_url == full_app.conf.broker_url
    assert beat_app.conf.beat_schedule_filename == settings.CELERY_BEAT_SCHEDULE_FILENAME
    assert beat_app.conf.timezone == full_app.conf.timezone


def test_every_process_file_starts_beat_from_the_beat_app():
    for name in ("Procfile", "Procfile.dev", "compose.yaml"):
        text = (ROOT / name).read_text()
        assert ("-A advocacy.beat" in text) or ('"advocacy.beat", "beat"' in text), name
        assert "-A advocacy beat" not in text and "-A advocacy --quiet beat" not in text, name
