"""The knowledge panel's search: every active source asked at once, each within its own timeout, so one slow
platform never holds up the others beyond its timeout; each answer cached per source and query; each platform
within its hourly budget and its own rate-limit signals (answers.knowledge.budget). Whatever goes wrong with a
source becomes one plain sentence in `lines`, never an exception.

The platform calls run in threads that never touch the database: everything they need is read first (`Spec`).
The docs source reads our own database, in the calling thread, while the platforms are being asked."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from functools import partial

import requests
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from advocacy.desk_settings import desk_setting
from answers.knowledge_models import KnowledgeSource
from channels.http import build_session
from mentions.products import desk_products

from . import discourse, docs, github, gitlab, stackoverflow
from .base import Found, Item, SourceFailed, Spec, at
from .budget import budget_spend, pause_set, pause_until

logger = logging.getLogger("answers.knowledge")

Searcher = Callable[[Spec, requests.Session, str], Found]
SEARCHERS: dict[str, Searcher] = {
    KnowledgeSource.Kind.GITLAB_ISSUES: gitlab.search,
    KnowledgeSource.Kind.GITHUB_ISSUES: github.search,
    KnowledgeSource.Kind.DISCOURSE: discourse.search,
    KnowledgeSource.Kind.STACKOVERFLOW: stackoverflow.search,
}
FAILURE_CACHE_SECONDS = 60  # a source that is down is asked again after a minute, not on every page view
# The wait for a thread is a little longer than the HTTP timeout, so a timed-out call reports itself.
GRACE_SECONDS = 0.25


@dataclass
class KnowledgeResults:
    items: list[Item] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    configured: bool = False

    @property
    def groups(self) -> list[tuple[str, list[Item]]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.source, []).append(item)
        return list(grouped.items())


@dataclass
class _Outcome:
    items: list[Item] = field(default_factory=list)
    line: str = ""


# A person waits on the answer beside the composer: each source gets one try within its timeout, a failure is a
# line (cached briefly), never three tries.
ONE_TRY = partial(build_session, retries=False)


def source_spec(source: KnowledgeSource) -> Spec:
    """What a thread needs to search `source`; a GitLab source linked to a channel takes the channel's instance
    and token (its own token, when set, wins). Unreadable tokens raise SourceFailed."""
    from channels.adapters.base import AuthError
    from channels.adapters.gitlab.client import token_of
    from channels.secrets import CredentialsUnreadable

    base_url, project = source.base_url, source.project
    try:
        token = source.token
        if source.kind == KnowledgeSource.Kind.GITLAB_ISSUES and source.channel is not None:
            config = source.channel.config or {}
            base_url = base_url or str(config.get("base_url") or "")
            project = project or next(iter(config.get("projects") or []), "")
            token = token or token_of(source.channel)
    except (CredentialsUnreadable, AuthError):
        raise SourceFailed("its token cannot be read: enter it again in admin") from None
    return Spec(
        id=source.pk, name=source.name, kind=source.kind, base_url=base_url.rstrip("/"), project=str(project),
        tag=source.tag, token=token, timeout=float(source.timeout_seconds or 2),
        cache_minutes=source.cache_minutes, budget=source.budget, has_error=bool(source.last_error),
    )  # fmt: skip


def _cache_key(spec: Spec, query: str) -> str:
    what = "\x1f".join([spec.kind, spec.base_url, spec.project, spec.tag, query.casefold()])
    return f"knowledge:result:{spec.id}:{hashlib.sha256(what.encode()).hexdigest()[:32]}"


def _cached(key: str) -> _Outcome | None:
    value = cache.get(key)
    if not isinstance(value, dict):
        return None
    return _Outcome([Item(**item) for item in value.get("items", [])], value.get("line", ""))


def knowledge_configured() -> bool:
    """Whether any source is active: without one the ticket page says so in a line and asks for no results. Kept
    with the desk's settings (advocacy.desk_settings, bumped when a source is saved or deleted): every ticket page
    asks."""
    return desk_setting("knowledge:configured", KnowledgeSource.objects.filter(is_active=True).exists)


def knowledge_search(
    query: str,
    terms: list[str],
    *,
    product_id: int | None = None,
    session: Callable[[], requests.Session] = ONE_TRY,
) -> KnowledgeResults:
    """What the active sources hold; with several products, those of the ticket's product (`product_id`, empty: the
    desk's first) and the desk-wide ones only (issue 71)."""
    active = KnowledgeSource.objects.filter(is_active=True)
    products = desk_products()
    if products.many:
        product = product_id if product_id is not None else products.default_id
        active = active.filter(Q(product__isnull=True) | Q(product_id=product))
    sources = list(active.select_related("channel").order_by("name", "pk"))
    results = KnowledgeResults(configured=bool(sources))
    if not sources or not (query.strip() or terms):
        return results
    outcomes: dict[int, _Outcome] = {}
    specs: dict[int, Spec] = {}
    pending: list[tuple[Spec, str, Future[Found], float]] = []
    remote = [s for s in sources if s.kind in SEARCHERS]
    executor = ThreadPoolExecutor(max_workers=max(1, len(remote)), thread_name_prefix="knowledge")
    try:
        for source in sources:
            try:
                spec = specs[source.pk] = source_spec(source)
            except SourceFailed as exc:
                outcomes[source.pk] = _Outcome(line=f"{source.name}: {exc}")
                continue
            if source.kind not in SEARCHERS:
                continue
            key = _cache_key(spec, query)
            if (hit := _cached(key)) is not None:
                outcomes[source.pk] = hit
            elif (paused := pause_until(spec.id)) is not None:
                said = f"the platform asked us to wait; again after {at(paused)}"
                outcomes[source.pk] = _Outcome(line=f"{spec.name}: {said}")
            elif (renewed := budget_spend(spec.id, spec.budget)) is not None:
                outcomes[source.pk] = _Outcome(
                    line=f"{spec.name}: the hourly budget of {spec.budget} searches is used; again after {at(renewed)}"
                )
            else:
                future = executor.submit(_search_in_thread, SEARCHERS[source.kind], spec, session, query)
                pending.append((spec, key, future, time.monotonic() + spec.timeout + GRACE_SECONDS))
        for source in sources:  # our own database, while the platforms answer
            if source.kind == KnowledgeSource.Kind.DOCS and source.pk in specs:
                outcomes[source.pk] = _docs(specs[source.pk], terms)
        for spec, key, future, deadline in pending:
            outcomes[spec.id] = _collect(spec, key, future, deadline)
    finally:
        # A thread still waiting on a slow platform ends at its own HTTP timeout; nobody waits for it here.
        executor.shutdown(wait=False, cancel_futures=True)
    for source in sources:
        outcome = outcomes.get(source.pk)
        if outcome is None:
            continue
        results.items += outcome.items
        if outcome.line:
            results.lines.append(outcome.line)
    return results


def _search_in_thread(searcher: Searcher, spec: Spec, session: Callable[[], requests.Session], query: str) -> Found:
    with session() as own:  # a session per thread: requests' sessions are not shared across threads
        return searcher(spec, own, query)


def _collect(spec: Spec, key: str, future: Future[Found], deadline: float) -> _Outcome:
    try:
        found = future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        return _failed(spec, key, f"no answer within {spec.timeout:g} s", status=None)
    except SourceFailed as exc:
        if exc.pause_until is not None:
            pause_set(spec.id, exc.pause_until)
        return _failed(spec, key, str(exc), status=exc.status)
    except Exception as exc:  # a bug or a shape we did not foresee: a line, never an error page
        logger.exception("knowledge: source=%s kind=%s failed", spec.name, spec.kind)
        return _failed(spec, key, f"failed ({exc.__class__.__name__})", status=None, logged=True)
    if found.pause_until is not None:
        pause_set(spec.id, found.pause_until)
    outcome = _Outcome(found.items)
    if spec.cache_minutes:
        cache.set(key, {"items": [asdict(i) for i in found.items], "line": ""}, timeout=spec.cache_minutes * 60)
    if spec.has_error:
        KnowledgeSource.objects.filter(pk=spec.id).update(last_error="", last_error_at=None)
    return outcome


def _failed(spec: Spec, key: str, message: str, *, status: int | None, logged: bool = False) -> _Outcome:
    line = f"{spec.name}: {message}"
    if not logged:
        logger.warning("knowledge: source=%s kind=%s status=%s: %s", spec.name, spec.kind, status or "-", message)
    cache.set(key, {"items": [], "line": line}, timeout=FAILURE_CACHE_SECONDS)
    KnowledgeSource.objects.filter(pk=spec.id).update(last_error=line[:1000], last_error_at=timezone.now())
    return _Outcome(line=line)


def _docs(spec: Spec, terms: list[str]) -> _Outcome:
    try:
        return _Outcome(docs.search(spec, terms).items)
    except Exception as exc:
        logger.exception("knowledge: source=%s kind=docs failed", spec.name)
        return _Outcome(line=f"{spec.name}: failed ({exc.__class__.__name__})")
