"""The imported objects' references (imports.models.ExternalRef), read and written a page at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from imports.models import ExternalRef
from mentions.set_writes import rows_copy

REF_COLUMNS = ("source", "kind", "external_id", "local_id", "stamp", "label")


def refs_of(source: str, kind: str, keys: Iterable[str]) -> dict[str, tuple[int | None, str, str]]:
    """{external id: (local id, stamp, label)} of the keys already imported: one query."""
    wanted = list({k for k in keys if k})
    if not wanted:
        return {}
    rows = ExternalRef.objects.filter(source=source, kind=kind, external_id__in=wanted).values_list(
        "external_id", "local_id", "stamp", "label"
    )
    return {key: (local, stamp, label) for key, local, stamp, label in rows}


def refs_write(source: str, kind: str, rows: Sequence[tuple[str, int | None, str, str]]) -> None:
    """New references (external id, local id, stamp, label), found missing in this transaction. Copied, not
    inserted "if new": should another run of the same source have written one meanwhile, the unique constraint
    fails this page (written again on resume, then skipped) rather than leave a second copy of its rows."""
    rows_copy(ExternalRef, REF_COLUMNS, [(source, kind, *row) for row in rows])


def refs_restamp(source: str, kind: str, stamps: dict[str, str]) -> None:
    """The references of objects written again, with the source's new updated_at."""
    if not stamps:
        return
    refs = list(ExternalRef.objects.filter(source=source, kind=kind, external_id__in=list(stamps)))
    for ref in refs:
        ref.stamp = stamps[ref.external_id]
    ExternalRef.objects.bulk_update(refs, ["stamp"], batch_size=1000)
