"""Production settings fail closed; the deploy check is clean, and warns (as production start-up logs) when
SITE_URL is plain http://; the settings package's modules never assign the same setting twice; a read replica's
alias and router exist only with DATABASE_REPLICA_URL (tests/test_replica.py tests what they do)."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_PACKAGE = ROOT / "advocacy" / "settings"
SITE = ("SITE_URL", "DESK_BASE_URL")  # what the desk's address is read from: each test sets its own


def _python(*argv: str, unset: tuple[str, ...], **env: str) -> subprocess.CompletedProcess:
    """Python started as the desk's processes are, on the real settings, with `unset` gone from the environment."""
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.update(DJANGO_SETTINGS_MODULE="advocacy.settings", **env)
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def _manage(*args, **env):
    return _python(
        "manage.py", *args, unset=("SECRET_KEY", "DJANGO_ENV", "ALLOWED_HOSTS", "DJANGO_DEBUG", *SITE), **env
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="desk.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION = {"DJANGO_ENV": "production", "ALLOWED_HOSTS": "desk.example.com"}


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> str:
    """Production's static files, collected as docs/operations.md starts production: without them the web process
    stops at start and `check --deploy` says so (advocacy/static_check.py, tests/test_static_check.py)."""
    root = tmp_path_factory.mktemp("static")
    done = _manage(
        "collectstatic",
        "--noinput",
        "-v0",
        **PRODUCTION,
        SECRET_KEY=secrets.token_urlsafe(50),
        DESK_STATIC_ROOT=str(root),
    )
    assert done.returncode == 0, done.stderr
    return str(root)


def test_production_passes_the_deploy_check(collected):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DESK_STATIC_ROOT=collected,
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://desk.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "access.W002" not in result.stderr  # nothing logged at start either


@pytest.mark.parametrize(
    "site_url",
    [
        "http://desk.example.com",
        "HTTP://desk.example.com/",
        "http://127.0.0.1:8000",  # the development default: a production desk that never set SITE_URL
        None,  # unset: the same default
    ],
)
def test_the_deploy_check_warns_when_site_url_is_plain_http(site_url, collected):
    """Issue: a production desk on http:// SITE_URL passed `check --deploy` silently, although its OAuth
    callbacks and the links it posts in Slack and mail then travel unencrypted."""
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "DESK_STATIC_ROOT": collected}
    if site_url is not None:
        env["SITE_URL"] = site_url
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "(access.W002) SITE_URL is http://" in result.stderr
    assert "Set SITE_URL to the desk's public https:// address" in result.stderr


def _web_start(**env: str) -> subprocess.CompletedProcess:
    """What a web process does at start: gunicorn imports advocacy.wsgi (Procfile), which sets Django up."""
    return _python("-c", "import advocacy.wsgi", unset=("SECRET_KEY", "DJANGO_ENV", "ALLOWED_HOSTS", *SITE), **env)


def test_production_start_up_logs_a_plain_http_site_url_and_a_secret_in_it_never(collected):
    production = {**PRODUCTION, "DESK_STATIC_ROOT": collected}
    started = _web_start(
        **production, SECRET_KEY=secrets.token_urlsafe(50), SITE_URL="http://ops:hunter2@desk.example.com"
    )
    assert started.returncode == 0, started.stderr
    line = next(line for line in started.stderr.splitlines() if "access.W002" in line)
    assert " WARNING access.checks " in line
    assert "SITE_URL is http://desk.example.com" in line
    assert "hunter2" not in started.stderr

    quiet = _web_start(**production, SECRET_KEY=secrets.token_urlsafe(50), SITE_URL="https://desk.example.com")
    assert quiet.returncode == 0, quiet.stderr
    assert "access.W002" not in quiet.stderr
    development = _web_start(SITE_URL="http://127.0.0.1:8000")  # a laptop: http is what it serves
    assert development.returncode == 0, development.stderr
    assert "access.W002" not in development.stderr


def test_development_runs_with_nothing_set(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG)"
    )
    result = _python("manage.py", "shell", "-c", code, unset=("DATABASE_URL", "REDIS_URL"), DESK_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["django.db.backends.sqlite3", f"sqlite:///{tmp_path}/broker.sqlite3", "True"]


@pytest.mark.parametrize("value", ["Production", "prod", "PRODUCTION", "production ", "dev", "staging", ""])
def test_a_mistyped_django_env_fails_at_start_naming_the_accepted_values(value):
    """Issue 11, defect 9: "Production" or "prod" used to run silently with DEBUG on and the
    public development key."""
    result = _manage("check", DJANGO_ENV=value, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="desk.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"DJANGO_ENV={value!r} is not a known environment: use one of development, production" in result.stderr


@pytest.mark.parametrize("value", ["development", "production"])
def test_the_known_django_env_values_start(value):
    result = _manage("check", DJANGO_ENV=value, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="desk.example.com")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("server_url", "starts"),
    [("http://sso.example.com/realms/staff", False), ("https://sso.example.com/realms/staff", True)],
)
def test_production_takes_an_identity_provider_only_over_https(server_url, starts):
    """Issue 26, item 4: an http:// issuer was accepted in production (its keys and tokens could be
    swapped on the way)."""
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="desk.example.com",
        DESK_OIDC_SERVER_URL=server_url,
        DESK_OIDC_CLIENT_ID="triage-desk",
        DESK_OIDC_CLIENT_SECRET=secrets.token_urlsafe(30),
    )
    assert (result.returncode == 0) is starts, result.stderr[-2000:]
    if not starts:
        assert "ImproperlyConfigured: DESK_OIDC_SERVER_URL must be an https:// address in production" in result.stderr


def test_no_setting_is_assigned_in_two_settings_modules():
    """advocacy/settings/__init__.py star-imports each topic module in turn: a setting assigned in two of
    them would take whichever module comes last, silently. Each setting has one home."""
    homes: dict[str, set[str]] = {}
    for module in sorted(SETTINGS_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    homes.setdefault(target.id, set()).add(module.name)
    assert len(homes) > 100  # the walk found the settings (about 130 assignments)
    assert {name: sorted(files) for name, files in homes.items() if len(files) > 1} == {}


def _settings_in_a_process(**env: str) -> str:
    code = "from django.conf import settings as s; print(sorted(s.DATABASES), s.DATABASE_ROUTERS)"
    result = _python(
        "manage.py", "shell", "-c", code, unset=("DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"), **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own line about what it imported


def test_a_replica_is_an_alias_and_a_router_only_with_its_setting():
    assert _settings_in_a_process() == "['default'] []"  # the embedded default, SQLite
    primary = "postgres://desk@db.example.com:5432/desk"
    assert _settings_in_a_process(DATABASE_URL=primary) == "['default'] []"
    assert (
        _settings_in_a_process(
            DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://desk@replica.example.com:5432/desk"
        )
        == "['default', 'replica'] ['advocacy.db_router.ReportsReplicaRouter']"
    )
