"""Issue 41: the default process set fits one small box. What starts (bin/desk-start over the Procfile), what each
process loads at start, and that gunicorn's --preload forks nothing a worker must not share.

bench/memory.py measures the set's memory; these tests keep the choices that made it small from drifting back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "bin" / "desk-start"


def _launch_print(**env: str) -> list[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in ("SLACK_APP_TOKEN", "DISCORD_GATEWAY", "DESK_WEBHOOK_WORKERS")
    }
    done = subprocess.run(
        [str(LAUNCHER), "--print"], env={**base, **env}, capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.splitlines()


def _names(lines: list[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in lines if not line.startswith("#")]


def test_the_default_set_is_web_one_worker_serving_webhooks_too_the_meaning_process_and_beat():
    lines = _launch_print()
    assert _names(lines) == ["web", "worker", "meaning", "beat"]
    # The workers' queues and pools come from advocacy/processes.py (tests/test_queues.py reads what they serve).
    assert "meaning: bin/desk-worker meaning --loglevel=INFO" in lines
    worker = next(line for line in lines if line.startswith("worker:"))
    assert worker.startswith("worker: bin/desk-worker worker ")
    assert "--concurrency=${CELERY_CONCURRENCY:-2}" in worker
    assert "--preload" in next(line for line in lines if line.startswith("web:"))
    # Plain `honcho start` reads the same Procfile and skips the optional lines: they are comments to it.
    assert [line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if line[:1].isalpha()] == [
        "web",
        "worker",
        "meaning",
        "beat",
    ]


def test_the_model_runs_in_one_solo_process_and_webhooks_on_threads():
    """The pools are the processes' own (advocacy/processes.py), whichever file starts them: the model loaded once
    (solo, in the meaning process or in `make run`'s one worker), a slow receiver holding a thread, not a process."""
    printed = {
        process: subprocess.run(
            [sys.executable, str(ROOT / "bin" / "desk-worker"), "--print", process, "--loglevel=INFO"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
        for process in ("meaning", "webhooks", "single")
    }
    assert printed["meaning"][-4:] == ["-n", "meaning@%h", "--pool=solo", "--loglevel=INFO"]
    assert printed["single"][-2:] == ["--pool=solo", "--loglevel=INFO"]  # `make run`'s: the model in its one process
    assert printed["webhooks"][-4:] == ["-n", "webhooks@%h", "--pool=threads", "--loglevel=INFO"]
    assert printed["meaning"][:3] == [sys.executable, "-m", "celery"]  # the launcher's own interpreter


def test_slack_socket_mode_starts_only_with_a_token():
    assert "slack" in _names(_launch_print(SLACK_APP_TOKEN="xapp-1-test"))  # noqa: S106 (a placeholder)
    assert "slack" not in _names(_launch_print(SLACK_APP_TOKEN=""))


def test_discords_gateway_starts_only_when_asked_for():
    assert "discord: python manage.py discord_gateway" in _launch_print(DISCORD_GATEWAY="1")
    assert "discord" not in _names(_launch_print(DISCORD_GATEWAY=""))


def test_a_separate_webhooks_worker_takes_the_queue_from_the_main_worker():
    lines = _launch_print(DESK_WEBHOOK_WORKERS="32")
    assert _names(lines) == ["web", "worker", "meaning", "beat", "webhooks"]
    assert lines[1].startswith("worker: bin/desk-worker --without=webhooks worker ")
    assert lines[-1] == "webhooks: bin/desk-worker webhooks --concurrency=${DESK_WEBHOOK_WORKERS:-16} --loglevel=INFO"


def _python(code: str, **env: str) -> str:
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings_test", **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_celery_process_does_not_load_the_urlconf_or_bolt_at_start():
    # What `celery -A advocacy worker` does before it takes a task: the app, Django, every tasks module, and the
    # import_modules signal on which Celery's Django fix-up ran the system checks (the URLconf: every view).
    # numpy is loaded: the story detector compares meanings with it (stories.detection.meaning) since issue 42. The
    # embedding model itself is not (onnxruntime, tokenizers): only the process that embeds loads it.
    loaded = _python(
        "import sys\n"
        "from advocacy.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(sorted(m for m in ('advocacy.urls', 'slack_bolt', 'onnxruntime', 'tokenizers') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_loading_every_adapter_does_not_load_twitter_text():
    # Issue 58: twitter-text (pkg_resources and its emoji table, about 10 MiB) was imported by the X and Mastodon
    # adapters, and so by every web worker and worker process that loaded the registry; now by the reply length only.
    loaded = _python(
        "import sys, django\n"
        "django.setup()\n"
        "from channels.adapters.registry import PLATFORMS, get_adapter, platforms\n"
        "platforms()\n"
        "[get_adapter(kind) for kind in PLATFORMS]\n"
        "print(sorted(m for m in ('twitter_text', 'pkg_resources') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_the_web_app_preloaded_before_the_fork_holds_no_connection():
    # gunicorn --preload imports advocacy.wsgi once in the master and forks the workers from it: a database
    # connection, a cache client or a socket opened at import would be shared by every worker.
    held = _python(
        "import gc, socket\n"
        "import advocacy.wsgi\n"
        "from django.core.cache import caches\n"
        "from django.db import connections\n"
        "print([a for a in connections if connections[a].connection is not None],"
        " list(caches.all(initialized_only=True)),"
        " [s for s in gc.get_objects() if isinstance(s, socket.socket)])"
    )
    assert held == "[] [] []"


def test_the_web_app_preloaded_before_the_fork_has_made_what_a_workers_first_pages_would():
    # Issue 73: a web worker's first X ticket imported twitter-text for its Answers panel's lengths (0.52 s, the
    # browser's slowest Play), its first page filled the URL names `reverse` reads (0.1 s) and its first queued task
    # imported the broker's transport (0.33 s on make run's). Made in the master, they are shared by every worker it
    # forks; each X count after it is the library's own.
    made = _python(
        "import sys\n"
        "import advocacy.wsgi\n"
        "from django.urls import get_resolver\n"
        "from channels.adapters.registry import platform_of\n"
        "print('twitter_text' in sys.modules, get_resolver()._populated, 'kombu.transport.redis' in sys.modules,"
        " platform_of('twitter').reply_rule.length('https://example.com/a ' + 'é' * 10))"
    )
    assert made == "True True True 34"  # a link counts 23, the space 1, each accented letter 1


def test_every_task_that_reads_meaning_runs_on_the_one_meaning_process():
    """The embedding model is loaded by the tasks that judge, detect stories or fill the answers' meaning: all go
    to the queue only the `meaning` process serves, so it is loaded in one process, not in each worker child."""
    from django.conf import settings

    from advocacy.celery import app

    routed = {name for name, route in settings.CELERY_TASK_ROUTES.items() if route["queue"] == "meaning"}
    assert routed == {
        "intake.tickets_ingested",
        "mentions.judgement_run",
        "mentions.judgement_follow",
        "mentions.judgement_learn",
        "stories.detect",
        "answers.meaning_fill",
        "answers.suggest",
        "answers.suggestions_refresh",
        "answers.fit_learn",
    }
    for name in routed:
        assert app.amqp.router.route({}, name)["queue"].name == "meaning"
    assert app.amqp.router.route({}, "channels.poll")["queue"].name == "celery"
