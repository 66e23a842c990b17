"""Where else than the database an erased person's strings could stay: the Redis database the desk shares between
its cache and the Celery broker (every key's name and value), and the files under the var dir (the embedded
default's file cache and file broker, the beat schedule). Used by tests/test_person_erasure.py on PostgreSQL and
Redis, and by tests/test_embedded_default.py's subprocess on SQLite and the var dir.

A value is read as the bytes it is stored as, then as what it wraps: Django's file cache zlib-compresses a pickle
behind the expiry's, and a Celery message (in Redis or a broker file) carries its body base64-encoded in JSON.
Pickled and JSON text keeps a string's UTF-8 bytes as they are (JSON's ASCII escapes aside, which the strings are
also looked for as: tests.erasure_scan.scan_strings).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import pickle
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tests.erasure_scan import scan_strings


def _layers(raw: bytes) -> Iterator[bytes]:
    """`raw` and what it wraps: a zlib stream after a pickle (Django's file cache), a base64 body in JSON (Celery)."""
    yield raw
    try:
        import io

        stream = io.BytesIO(raw)
        pickle.load(stream)  # noqa: S301 - the desk's own cache file, in a test
        yield zlib.decompress(stream.read())
    except Exception:  # noqa: S110 - not a cache file: read as it is
        pass
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return
    if isinstance(message, dict) and isinstance(message.get("body"), str):
        with contextlib.suppress(binascii.Error, ValueError):
            yield base64.b64decode(message["body"], validate=True)


def _hits(where: str, raw: bytes, wanted: list[str]) -> list[str]:
    found = []
    for layer in _layers(raw):
        text = layer.decode("utf-8", "ignore").casefold()
        found += [f"{where}: {s}" for s in wanted if s.casefold() in text]
    return sorted(set(found))


def _redis_values(client: Any, key: bytes) -> list[bytes]:
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key) or b""]
    if kind == "hash":
        return [b for pair in client.hgetall(key).items() for b in pair]
    if kind == "list":
        return list(client.lrange(key, 0, -1))
    if kind == "set":
        return list(client.smembers(key))
    if kind == "zset":
        return list(client.zrange(key, 0, -1))
    return []


def redis_hits(strings: Iterable[str], url: str) -> list[str]:
    """ "redis <key>: <string>" for every key of the Redis database at `url` whose name or value holds a string."""
    import redis

    wanted = scan_strings(strings)
    client = redis.Redis.from_url(url)
    found: list[str] = []
    for key in client.scan_iter(count=1000):
        name = key.decode("utf-8", "replace")
        found += _hits(f"redis key {name}", key, wanted)
        for value in _redis_values(client, key):
            found += _hits(f"redis {name}", value, wanted)
    return sorted(set(found))


def file_hits(strings: Iterable[str], root: Path) -> list[str]:
    """'file <path>: <string>' for every file under `root` (its path or its bytes) holding a string: the SQLite
    database's file and write-ahead log too, byte by byte (text an UPDATE replaced stays in freed space unless it
    is overwritten: advocacy.sqlite.erased_text_overwritten)."""
    wanted = scan_strings(strings)
    found: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(root))
        found += _hits(f"file {relative}", relative.encode(), wanted)
        found += _hits(f"file {relative}", path.read_bytes(), wanted)
    return sorted(set(found))


def declared_rows_drop(after: dict[str, list[str]], declared: dict[str, str], strings: Iterable[str]) -> list[str]:
    """Delete the rows of the models declared free of personal data that still hold the strings (the scan wrote
    them there: staff's and admins' tables), so that a byte scan of the database file finds only what the erasure
    left behind (an old copy in freed space, an index, the write-ahead log). Answers the models it could not
    empty. Run after the column scan: what it deletes was checked already."""
    from django.apps import apps
    from django.db import models, transaction
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    failed = []
    for label in sorted(set(after) & set(declared)):
        model = apps.get_model(label)
        holding = Q()
        texts = {}
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField | models.JSONField):
                texts[f"scan_{f.attname}"] = Cast(f.attname, TextField())
                for s in strings:
                    holding |= Q(**{f"scan_{f.attname}__icontains": s})
        try:
            with transaction.atomic():
                pks = model._base_manager.annotate(**texts).filter(holding).values_list("pk", flat=True)
                model._base_manager.filter(pk__in=list(pks)).delete()
        except Exception as error:  # a protected row: named, the byte scan then says what stays
            failed.append(f"{label}: {type(error).__name__}")
    from django.db import connection

    if connection.vendor == "sqlite":  # these deletions into the file, as the erasure's own were when it committed
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return failed
