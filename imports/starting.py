"""Starting an import from the admin page: the run recorded (the token encrypted on it, never in the task's
message, emptied when the run ends) and the worker asked to run it after the commit (imports.tasks)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from advocacy.enqueue import task_enqueue_on_commit
from channels.secrets import credentials_decrypt, credentials_encrypt
from imports.models import ImportRun
from imports.zendesk_api import subdomain_clean

TASK = "imports.run"


def source_of(kind: str, *, subdomain: str = "", path: str = "") -> str:
    """What the run's rows are keyed under: the Zendesk account (an export directory named with the account's
    subdomain too, so its export and its API are one source and nothing is imported twice), or the export
    directory's name (the same export read again from elsewhere is the same source; docs/importing.md)."""
    if kind == ImportRun.Kind.ZENDESK_API or (subdomain and kind == ImportRun.Kind.ZENDESK_FILES):
        return f"zendesk:{subdomain}"
    return f"files:{PurePath(path.rstrip('/')).name}"[:60]


def run_create(*, kind: str, subdomain: str = "", email: str = "", path: str = "", user: Any = None) -> ImportRun:
    if kind == ImportRun.Kind.ZENDESK_API or subdomain:
        subdomain = subdomain_clean(subdomain)
    return ImportRun.objects.create(
        kind=kind, source=source_of(kind, subdomain=subdomain, path=path), subdomain=subdomain, email=email,
        path=path, started_by=user if user is not None and user.is_authenticated else None,
    )  # fmt: skip


def run_start(
    *, kind: str, subdomain: str = "", email: str = "", token: str = "", path: str = "", user: Any
) -> ImportRun:
    run = run_create(kind=kind, subdomain=subdomain, email=email, path=path, user=user)
    if token:
        run.token_encrypted = credentials_encrypt({"token": token})
        run.save(update_fields=["token_encrypted", "updated_at"])
    task_enqueue_on_commit(TASK, run.pk)
    return run


def token_read(run: ImportRun) -> str:
    """The run's token; it stays on the run (encrypted) while the run's next slice may need it (imports.tasks)."""
    if not run.token_encrypted:
        return ""
    return str(credentials_decrypt(run.token_encrypted).get("token") or "")


def token_drop(run: ImportRun) -> None:
    """The run has ended (done or failed): its token is emptied, living no longer than it must."""
    ImportRun.objects.filter(pk=run.pk).update(token_encrypted="")
    run.token_encrypted = ""
