"""A health check for load balancers and monitors: can this web process reach its database and its cache?

GET /health/ answers 200 with {"database": "ok", "cache": "ok"}, or 503 naming what is unavailable. It needs
no sign-in and writes nothing to the database; it says nothing about the workers or the platforms (the
channels' health is /api/channels/ and the channels page; Celery's is `celery inspect ping`: docs/operations.md).
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health: the database is unavailable", exc_info=True)
        return False


def _cache() -> bool:
    # A round trip, not a ping: a cache that accepts connections but cannot store is not healthy.
    key, value = "health:probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:  # every backend raises its own errors (redis, file system): all mean "unavailable"
        logger.warning("health: the cache is unavailable", exc_info=True)
        return False


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "cache": _cache()}
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
