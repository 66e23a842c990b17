"""A production start whose static files were never collected (or were collected before an upgrade) stops at start
with one sentence saying what to run, instead of serving a 500 on every page that links a stylesheet, the sign-in
page first (advocacy/static_check.py). Checked on gunicorn itself, started as the Procfile starts it, and on
`manage.py check --deploy`'s check with production's storage and a real `collectstatic`. Nothing leaves the machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from advocacy.static_check import RUN, static_collected_check

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _production(static_root: Path, var: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DESK_", "DATABASE"))}
    return {
        **env,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "SECRET_KEY": "static-check-test-key-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "localhost",
        "DESK_VAR_DIR": str(var),
        "DESK_STATIC_ROOT": str(static_root),
    }


def test_gunicorn_stops_at_start_saying_to_collect_the_static_files(tmp_path):
    # Procfile's web line, with --preload: the app is loaded by the master before it forks any worker. In its own
    # process group, so a gunicorn that starts anyway is stopped whole, its workers too.
    started = subprocess.Popen(
        [GUNICORN, "advocacy.wsgi", "--bind", "127.0.0.1:0", "--workers", "1", "--preload"],
        cwd=ROOT,
        env=_production(tmp_path / "static", tmp_path / "var"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, stderr = started.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGTERM)
        started.communicate()
        raise AssertionError("gunicorn started without the static files it would serve pages with") from None

    assert started.returncode == 1
    said = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert said == [
        f"Error: Static files were never collected: {tmp_path / 'static' / 'staticfiles.json'} is missing, so every "
        f"page would answer 500. Run `{RUN}` with this environment (DJANGO_ENV, DESK_STATIC_ROOT) before starting the "
        "web process."
    ]
    assert "Traceback" not in stderr  # one sentence, not a stack to read


def test_check_deploy_says_it_until_collectstatic_has_run_and_again_after_an_upgrade(tmp_path):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=str(tmp_path)):
        (never,) = static_collected_check()
        assert never.id == "advocacy.E001" and "never collected" in never.msg and RUN in never.msg

        call_command("collectstatic", "--noinput", verbosity=0)
        assert static_collected_check() == []

        # An upgrade brought a file the manifest, collected by the version before, does not know.
        manifest = tmp_path / "staticfiles.json"
        collected = json.loads(manifest.read_text())
        del collected["paths"]["ticket.css"]
        manifest.write_text(json.dumps(collected))
        (stale,) = static_collected_check()
        assert "1 is not in" in stale.msg and "(ticket.css)" in stale.msg and RUN in stale.msg

        manifest.write_text("{not json")
        (unreadable,) = static_collected_check()
        assert "cannot be read" in unreadable.msg


def test_development_reads_no_manifest_and_is_not_checked():
    assert static_collected_check() == []
