"""Import the expert directory from a CSV file (one row per expert, upserted by name).

Columns: name (required), slack_handle, areas and topics (';'-separated), is_group (yes/no/true/false/1/0)
and one column per platform where experts have accounts (named by its kind: each platform whose declaration keeps
`expert_accounts`, every one but the webhook and Slack), each holding one or more handles separated by ';'. A
column left out of the file leaves that field untouched; a column that is present is the truth for it (an empty
identity cell removes that platform's handles).

Rows with a problem are reported ("row 3: unknown area 'Plann'") and skipped; the valid rows are saved
together in one transaction. A handle that belongs to another expert is an error, never moved silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower

from advocacy.model_fields import max_length
from channels.adapters.registry import kinds_where
from experts.models import Expert, ExpertIdentity, ProductArea

COLUMNS = ("name", "slack_handle", "areas", "topics", "is_group")
TRUE = {"yes", "true", "1", "y"}
FALSE = {"no", "false", "0", "n", ""}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    name: str
    expert: Expert | None
    values: dict
    area_ids: list[int] | None
    identities: dict[str, list[str]]


def identity_kinds() -> list[str]:
    """The platforms whose accounts an expert lists, a column each (declared `expert_accounts`)."""
    return kinds_where(lambda p: p.expert_accounts)


def _split(cell: str | None) -> list[str]:
    seen: dict[str, str] = {}
    for part in (cell or "").split(";"):
        part = part.strip()
        if part and part.lower() not in seen:
            seen[part.lower()] = part
    return list(seen.values())


def experts_import_csv(*, text: str) -> ImportResult:
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if "name" not in columns:
        result.errors.append("the file has no 'name' column (the first line must name the columns)")
        return result
    kinds = identity_kinds()
    if unknown := sorted(columns - {*COLUMNS, *kinds} - {""}):
        result.errors.append(f"ignored unknown columns: {', '.join(unknown)}")

    areas = {area.name.lower(): area for area in ProductArea.objects.all()}
    records = []
    for number, raw in enumerate(reader, start=2):  # line 1 is the header, as a spreadsheet numbers them
        records.append((number, {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}))

    names = {r["name"].lower() for _, r in records if r.get("name")}
    existing: dict[str, Expert] = {}
    ambiguous: set[str] = set()
    for e in Expert.objects.annotate(lname=Lower("name")).filter(lname__in=names).order_by("pk"):
        if e.name.lower() in existing:
            ambiguous.add(e.name.lower())
        existing.setdefault(e.name.lower(), e)
    wanted = {
        (kind, handle.lstrip("@").lower()) for _, r in records for kind in kinds for handle in _split(r.get(kind))
    }
    owners = {
        (i.kind, i.handle.lower()): i.expert
        for i in ExpertIdentity.objects.select_related("expert")
        .annotate(lhandle=Lower("handle"))
        .filter(kind__in=kinds, lhandle__in={h for _, h in wanted})
    }

    rows: list[_Row] = []
    row_of_name: dict[str, int] = {}
    claimed: dict[tuple[str, str], str] = {}
    for number, record in records:
        problems: list[str] = []
        name = record.get("name", "")
        if not name:
            if any(record.values()):
                result.errors.append(f"row {number}: the name is empty")
            continue  # a blank line is no error
        if len(name) > max_length(Expert, "name"):
            problems.append("the name is too long")
        if (first := row_of_name.get(name.lower())) is not None:
            problems.append(f"'{name}' is already on row {first}")
        if name.lower() in ambiguous:
            problems.append(f"several experts are already named '{name}'; rename one in the admin first")
        expert = existing.get(name.lower())

        values: dict = {}
        if "slack_handle" in columns:
            values["slack_handle"] = record.get("slack_handle", "")
            if len(values["slack_handle"]) > max_length(Expert, "slack_handle"):
                problems.append("the Slack handle is too long")
        if "topics" in columns:
            values["topics"] = _split(record.get("topics"))
        if "is_group" in columns:
            flag = record.get("is_group", "").lower()
            if flag in TRUE:
                values["is_group"] = True
            elif flag in FALSE:
                values["is_group"] = False
            else:
                problems.append(f"is_group must be yes/no/true/false/1/0, not '{record.get('is_group')}'")

        area_ids = None
        if "areas" in columns:
            area_ids = []
            for area_name in _split(record.get("areas")):
                if area_name.lower() in areas:
                    area_ids.append(areas[area_name.lower()].pk)
                else:
                    problems.append(f"unknown area '{area_name}'")

        identities: dict[str, list[str]] = {}
        row_claims = []
        for kind in kinds:
            if kind not in columns:
                continue
            handles = [h.lstrip("@").strip() for h in _split(record.get(kind))]
            identities[kind] = [h for h in handles if h]
            for handle in identities[kind]:
                key = (kind, handle.lower())
                owner = owners.get(key)
                if len(handle) > max_length(ExpertIdentity, "handle"):
                    problems.append(f"{kind} handle '{handle[:40]}…' is too long")
                elif owner is not None and (expert is None or owner.pk != expert.pk):
                    problems.append(f"{kind} handle '{handle}' already belongs to {owner.name}")
                elif key in claimed and claimed[key] != name.lower():
                    problems.append(f"{kind} handle '{handle}' is also on another row ({claimed[key]})")
                else:
                    row_claims.append(key)

        if problems:
            result.errors.extend(f"row {number}: {problem}" for problem in problems)
            continue
        row_of_name[name.lower()] = number
        for key in row_claims:
            claimed[key] = name.lower()
        rows.append(_Row(number, name, expert, values, area_ids, identities))

    with transaction.atomic():
        for row in rows:
            _save(row, result)
    return result


def _save(row: _Row, result: ImportResult) -> None:
    expert = row.expert
    if expert is None:
        expert = Expert.objects.create(name=row.name, **row.values)
        result.created += 1
    else:
        for attr, value in row.values.items():
            setattr(expert, attr, value)
        expert.name = row.name
        expert.save()
        result.updated += 1
    if row.area_ids is not None:
        expert.areas.set(row.area_ids)
    for kind, handles in row.identities.items():
        keep = {h.lower() for h in handles}
        current = {i.handle.lower(): i for i in expert.identities.filter(kind=kind)}
        for lower, identity in current.items():
            if lower not in keep:
                identity.delete()
        for handle in handles:
            if handle.lower() not in current:
                ExpertIdentity.objects.create(expert=expert, kind=kind, handle=handle)
