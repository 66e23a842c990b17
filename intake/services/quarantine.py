"""No poison item: what a channel hands over is stored or quarantined, never a stall.

`mentions_store` is the one way a poll's chunk (and a file fed to `ingest_payload`) reaches the
pipeline. Its mentions were cleaned at the boundary (channels.adapters.guard) and are taken as they
are; one that was not (built by hand) is cleaned here, once (`channels.clean.mention_storable`). An
item that could not be parsed or cleaned, and an item that still fails to store, is kept in the
dead-letter table (`channels.DeadLetter`) with its raw payload and the error, while the rest of its
page is stored and the cursor moves on. An admin retries a dead letter once its cause is fixed, or
discards it.

Storing stays all-or-nothing per call of `mentions_ingest`: a failing page is split in halves
(oldest half first, so a parent is stored before its follow-ups) until the failing item is alone,
and only then quarantined. The cursor is saved with the last part, so a worker killed half way
refetches the page, whose stored part then counts as duplicates: nothing lost, nothing twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from channels import clean
from channels.adapters import AdapterError, get_adapter
from channels.adapters.base import IncomingMention, Rejected
from channels.models import Channel, DeadLetter
from intake.pipeline import IngestResult, mentions_ingest

logger = logging.getLogger(__name__)

# Connection trouble is the database's, not the item's: the whole poll is retried later.
_NOT_THE_ITEMS_FAULT = (OperationalError, InterfaceError)


def _payload_text(value: Any) -> str:
    """JSON text any database column can hold: ASCII only, cleaned of what JSON cannot carry."""
    return json.dumps(clean.raw(value), ensure_ascii=True, sort_keys=True, default=str)


def _mention_text(mention: IncomingMention) -> str:
    fields = {f.name: getattr(mention, f.name) for f in dataclasses.fields(mention) if f.init}
    return json.dumps(
        clean.raw({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}),
        ensure_ascii=True,
        default=str,
    )


def _mention_from_text(data: str) -> IncomingMention:
    values = json.loads(data)
    for key in ("created_at", "edited_at"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    values["related_ids"] = tuple(values.get("related_ids") or ())
    return IncomingMention(**values)


def dead_letters_record(
    *, channel: Channel, rejected: Iterable[Rejected], stage: str, mentions: dict[str, str] | None = None
) -> int:
    """Keep each rejected item (once: the same item seen again is counted on its row).
    `mentions` holds, by external id, the parsed mention of an item the database refused."""
    count = 0
    for item in rejected:
        payload = _payload_text(item.raw)
        fingerprint = hashlib.sha256(f"{item.external_id}\n{payload}".encode()).hexdigest()
        with transaction.atomic():
            row, created = DeadLetter.objects.select_for_update().get_or_create(
                channel=channel,
                stage=stage,
                fingerprint=fingerprint,
                defaults={
                    "external_id": clean.ident(item.external_id),
                    "error": clean.text_exact(item.error)[:5000],
                    "payload": payload,
                    "mention": (mentions or {}).get(item.external_id, ""),
                },
            )
            if not created:
                DeadLetter.objects.filter(pk=row.pk).update(
                    times_seen=F("times_seen") + 1, error=clean.text_exact(item.error)[:5000]
                )
        logger.warning(
            "quarantine: channel=%s %s item %r kept as dead letter #%s: %s",
            channel.slug,
            stage,
            item.external_id,
            row.pk,
            item.error[:300],
        )
        count += 1
    return count


def _storable(mentions: Sequence[IncomingMention]) -> tuple[list[IncomingMention], list[Rejected]]:
    """The mentions as stored (cleaned at the boundary, or here if they were not) and those that cannot be."""
    cleaned: list[IncomingMention] = []
    rejected: list[Rejected] = []
    for mention in mentions:
        try:
            cleaned.append(clean.mention_storable(mention))
        except Exception as exc:  # Unstorable, or a field no cleaner expected
            rejected.append(
                Rejected(
                    external_id=clean.ident(getattr(mention, "external_id", "")),
                    error=f"{exc.__class__.__name__}: {exc}",
                    raw=getattr(mention, "raw", None),
                )
            )
    return cleaned, rejected


def _ingest_splitting(
    channel: Channel,
    mentions: list[IncomingMention],
    cursor: dict[str, Any] | None,
    failed: list[tuple[IncomingMention, str]],
) -> IngestResult:
    try:
        return mentions_ingest(channel=channel, mentions=mentions, cursor=cursor)
    except _NOT_THE_ITEMS_FAULT:
        raise
    except Exception as exc:
        if len(mentions) <= 1:
            if mentions:
                error = f"{exc.__class__.__name__}: {str(exc)[:500]}"
                if isinstance(exc, IntegrityError):
                    error = f"IntegrityError: {str(exc).splitlines()[0][:500]}"
                failed.append((mentions[0], error))
            result = mentions_ingest(channel=channel, mentions=[], cursor=cursor) if cursor is not None else None
            return result or IngestResult()
        middle = len(mentions) // 2
        result = _ingest_splitting(channel, mentions[:middle], None, failed)
        result.add(_ingest_splitting(channel, mentions[middle:], cursor, failed))
        return result


def mentions_store(
    *,
    channel: Channel,
    mentions: Sequence[IncomingMention],
    rejected: Iterable[Rejected] = (),
    cursor: dict[str, Any] | None = None,
) -> IngestResult:
    """Store one chunk of a channel's items with its cursor; quarantine what cannot be stored."""
    cleaned, unclean = _storable(mentions)
    parse_rejected = [*rejected, *unclean]
    cleaned.sort(key=lambda m: (m.created_at, m.external_id))
    failed: list[tuple[IncomingMention, str]] = []
    result = _ingest_splitting(channel, cleaned, cursor, failed)
    result.received += len(parse_rejected)
    if parse_rejected:
        result.quarantined += dead_letters_record(channel=channel, rejected=parse_rejected, stage="parse")
    if failed:
        result.received += len(failed)  # the part that held them was rolled back uncounted
        result.quarantined += dead_letters_record(
            channel=channel,
            rejected=[Rejected(external_id=m.external_id, error=error, raw=m.raw) for m, error in failed],
            stage="store",
            mentions={m.external_id: _mention_text(m) for m, _ in failed},
        )
    return result


def _reparse(dead: DeadLetter) -> list[IncomingMention]:
    """The item read again by its adapter (`parse_item`: by default its page parser with the channel's settings,
    which every adapter lets read a single item of the kind it polls)."""
    adapter = get_adapter(dead.channel.kind)
    parsed = adapter.parse_item(json.loads(dead.payload), channel=dead.channel)
    if parsed.rejected:
        raise AdapterError(parsed.rejected[0].error)
    mentions = parsed.mentions
    if not mentions:
        raise AdapterError("the adapter reads no mention from this item")
    return mentions


def dead_letter_retry(dead: DeadLetter, *, user: Any = None) -> tuple[bool, str]:
    """Try the item again (parse it again, or store its parsed mention again). Returns whether
    it is now stored and a sentence saying what happened."""
    if dead.status != DeadLetter.Status.OPEN:
        return False, f"already {dead.get_status_display().lower()}"
    DeadLetter.objects.filter(pk=dead.pk).update(attempts=F("attempts") + 1)
    try:
        if dead.stage == DeadLetter.Stage.STORE and dead.mention:
            mentions = [_mention_from_text(dead.mention)]
        else:
            mentions = _reparse(dead)
        cleaned, unclean = _storable(mentions)
        if unclean:
            raise ValueError(unclean[0].error)
        with transaction.atomic():
            result = mentions_ingest(channel=dead.channel, mentions=cleaned)
            DeadLetter.objects.filter(pk=dead.pk).update(
                status=DeadLetter.Status.RETRIED, resolved_at=timezone.now(), resolved_by=user
            )
    except _NOT_THE_ITEMS_FAULT:
        raise
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {str(exc)[:500]}"
        DeadLetter.objects.filter(pk=dead.pk).update(error=clean.text_exact(error))
        logger.warning("quarantine: retry of dead letter #%s still fails: %s", dead.pk, error)
        return False, f"still fails: {error}"
    logger.info("quarantine: dead letter #%s stored on retry: %s", dead.pk, result.as_dict())
    return True, f"stored ({result.created} new, {result.duplicates} already stored)"


def dead_letter_discard(dead: DeadLetter, *, user: Any = None) -> bool:
    return bool(
        DeadLetter.objects.filter(pk=dead.pk, status=DeadLetter.Status.OPEN).update(
            status=DeadLetter.Status.DISCARDED, resolved_at=timezone.now(), resolved_by=user
        )
    )
