"""Erasing a person (people.privacy.erasure_hooks) who came from an import: their reference loses the person it
pointed to and is marked erased, so a later run of the same source, which still finds them in the old tool, skips
them as already imported instead of bringing them back. The reference keeps only the old tool's id of the user."""

from __future__ import annotations

from imports.models import ExternalRef
from people.erasing import Erasing

ERASED_LABEL = "erased"

FREE_OF_PERSONAL_DATA = {
    "imports.ImportRun": "an import's source (a Zendesk account, a directory), the admin who ran it, counts, cursors",
    "imports.ExternalRef": "the old tool's ids of what was imported, a user's role and an organization's name",
    "imports.QuarantinedRecord": "where a record not imported is in the export (file, line), a ticket's id and why; "
    "never the record",
}


def imports_erase(*, erasing: Erasing) -> dict[str, int]:
    changed = ExternalRef.objects.filter(kind=ExternalRef.Kind.USER, local_id=erasing.person.pk).update(
        local_id=None, label=ERASED_LABEL, stamp=""
    )
    return {"import references": changed}
