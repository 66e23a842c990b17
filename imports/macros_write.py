"""The old tool's macros as the desk's (mentions.Macro and its MacroActions): what the desk has an action for is
imported as that action; what it has none for is named in the macro's description, so nothing goes unsaid
(docs/importing.md, "Macros")."""

from __future__ import annotations

from imports.models import ExternalRef
from imports.records import MacroRecord
from imports.refs import refs_of, refs_restamp, refs_write
from mentions.models import Macro, MacroAction

UNMAPPED = "Not imported (the desk has no such action): "


def _description(record: MacroRecord) -> str:
    unsaid = f"{UNMAPPED}{'; '.join(record.unmapped)}." if record.unmapped else ""
    return "\n\n".join(part for part in (record.description, unsaid) if part)


def _actions(macro: Macro, record: MacroRecord) -> list[MacroAction]:
    return [
        MacroAction(macro=macro, position=i, kind=kind, value=value) for i, (kind, value) in enumerate(record.actions)
    ]


def macros_write(source: str, records: list[MacroRecord]) -> dict[str, int]:
    """Write the macros; returns {"macros", "macro_actions", "updated", "skipped"}. A title the desk has already
    for a macro of its own gets " (imported)": the desk's macro is never changed."""
    by_key = {r.key: r for r in records if r.key and r.title}
    known = refs_of(source, ExternalRef.Kind.MACRO, by_key)
    new = [r for k, r in by_key.items() if k not in known]
    changed = {k: r for k, r in by_key.items() if k in known and r.stamp != known[k][1] and known[k][0]}
    taken = set(Macro.objects.filter(name__in=[r.title for r in new]).values_list("name", flat=True))
    macros = [
        Macro(
            name=f"{r.title[:109]} (imported)" if r.title in taken else r.title,
            description=_description(r),
            position=r.position,
            is_active=r.active,
        )
        for r in new
    ]
    Macro.objects.bulk_create(macros, batch_size=500)
    actions = [a for macro, r in zip(macros, new, strict=True) for a in _actions(macro, r)]
    if changed:
        existing = Macro.objects.in_bulk([known[k][0] for k in changed])
        updated = []
        for key, record in changed.items():
            macro = existing.get(known[key][0])
            if macro is not None:
                macro.description, macro.is_active = _description(record), record.active
                updated.append(macro)
                actions += _actions(macro, record)
        Macro.objects.bulk_update(updated, ["description", "is_active"])
        MacroAction.objects.filter(macro__in=updated).delete()
    MacroAction.objects.bulk_create(actions, batch_size=1000)
    refs_write(source, ExternalRef.Kind.MACRO, [(r.key, m.pk, r.stamp, "") for m, r in zip(macros, new, strict=True)])
    refs_restamp(source, ExternalRef.Kind.MACRO, {k: r.stamp for k, r in changed.items()})
    skipped = len(by_key) - len(new) - len(changed)
    return {"macros": len(new), "macro_actions": len(actions), "updated": len(changed), "skipped": skipped}
