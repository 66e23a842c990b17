"""Production's static files collected, checked before the web process serves anything.

Production names static files by their content's hash (whitenoise's CompressedManifestStaticFilesStorage), read from
the manifest `collectstatic` writes in STATIC_ROOT. Without it, or with one written before an upgrade brought a new
file, every page that links a stylesheet or the icon (the sign-in page first) answered 500 ("Missing staticfiles
manifest entry"), long after the start looked fine. So the web process stops at start with one sentence saying what
to run (advocacy/wsgi.py: gunicorn prints it as "Error: …" and exits), and `manage.py check --deploy` says the same
(`advocacy.E001`). Not an ordinary system check: `migrate`, which the documented order runs before `collectstatic`,
would then refuse to run (docs/operations.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

RUN = "python manage.py collectstatic --noinput"
SHOWN = 5  # missing files named in the message; the rest counted


class StaticFilesNotCollected(ImproperlyConfigured, RuntimeError):
    """A RuntimeError too: gunicorn prints a RuntimeError raised while it loads the app (--preload) as one line,
    "Error: <the message>", and exits 1, where anything else is a traceback."""


def static_files_missing() -> str:
    """What is wrong with the collected static files, in one sentence ("" when nothing is, or when the storage reads
    no manifest: development serves them from the app folders)."""
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return ""
    root = Path(settings.STATIC_ROOT)
    manifest = root / storage.manifest_name
    try:
        collected = json.loads(manifest.read_text(encoding="utf-8")).get("paths", {})
    except FileNotFoundError:
        return (
            f"Static files were never collected: {manifest} is missing, so every page would answer 500. "
            f"Run `{RUN}` with this environment (DJANGO_ENV, DESK_STATIC_ROOT) before starting the web process."
        )
    except (OSError, ValueError, AttributeError) as exc:
        return f"Static files' manifest {manifest} cannot be read ({exc}). Run `{RUN}` again."
    ignored = apps.get_app_config("staticfiles").ignore_patterns  # what collectstatic leaves out (dot files, backups)
    wanted = sorted({path for finder in finders.get_finders() for path, _storage in finder.list(ignored)})
    missing = [path for path in wanted if path not in collected]
    if not missing:
        return ""
    named = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
    are = "is" if len(missing) == 1 else "are"
    return (
        f"Static files were collected before this version: {len(missing)} {are} not in {manifest} ({named}), so pages "
        f"linking them would answer 500. Run `{RUN}` with this environment before starting the web process."
    )


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_collected_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    said = static_files_missing()
    hint = "docs/operations.md, Production"
    return [checks.Error(said, hint=hint, id="advocacy.E001")] if said else []


def static_files_ready() -> None:
    """Stop the web process at start when its static files are not collected (the module's docstring says why)."""
    if said := static_files_missing():
        raise StaticFilesNotCollected(said)
