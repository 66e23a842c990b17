"""Indexing our docs: the sitemap the admin gave (sitemaps.org protocol; a sitemap index is followed one level
down), then, each run, the pages fetched longest ago, each with a conditional GET (If-None-Match with the stored
ETag, If-Modified-Since with the stored Last-Modified, RFC 9110): 304 moves only `fetched_at`; 200 stores the
title, the main text and their stems (answers.terms) and the new validators; 404 and 410 mark the page gone.

The sitemap is untrusted XML: parsed with defusedxml (no entity expansion, no external entities, no DTD
retrieval), size-bounded, and only URLs on the sitemap's own host are kept, as the protocol requires. Idempotent:
run twice, the second run only revalidates."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.db.models import F
from django.utils import timezone

from advocacy.fetch_guard import FetchRefused
from answers.knowledge_models import DocPage, KnowledgeSource
from answers.terms import text_terms
from channels.http import build_session

from .base import http_url
from .pages import page_read

logger = logging.getLogger("answers.knowledge")

PAGES_PER_RUN = 50
MAX_SITEMAPS = 20  # children of a sitemap index
MAX_URLS = 5000
MAX_SITEMAP_BYTES = 10 * 1024 * 1024  # the protocol's own limit for one sitemap (uncompressed 50 MB) is more
MAX_PAGE_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 10
_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class SitemapError(Exception):
    pass


@dataclass
class IndexResult:
    listed: int = 0
    fetched: int = 0
    unchanged: int = 0
    gone: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _read(response: requests.Response, limit: int) -> bytes:
    body = b""
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise SitemapError(f"larger than {limit // (1024 * 1024)} MB")
    return body


def _get(session: requests.Session, url: str, headers: dict[str, str]) -> requests.Response:
    return session.get(url, headers=headers, timeout=TIMEOUT_SECONDS, stream=True, allow_redirects=True)


def _locs(session: requests.Session, url: str) -> tuple[str, list[str]]:
    """(the root's kind, "urlset" or "sitemapindex"; the <loc> values) of one sitemap."""
    response = _get(session, url, {"Accept": "application/xml, text/xml;q=0.9, */*;q=0.5"})
    with response:
        if response.status_code != 200:
            raise SitemapError(f"answered {response.status_code}")
        body = _read(response, MAX_SITEMAP_BYTES)
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    # LookupError: an encoding= Python does not know (expat asks Python's codecs for it).
    except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise SitemapError(f"is not a sitemap ({exc.__class__.__name__})") from None
    kind = root.tag.removeprefix(_NS)
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"is not a sitemap (its root is <{kind[:40]}>)")
    locs = [(loc.text or "").strip() for loc in root.iter(f"{_NS}loc")]
    return kind, locs[:MAX_URLS]


def sitemap_urls(session: requests.Session, sitemap: str) -> list[str]:
    """The page URLs a sitemap (or a sitemap index, one level) lists on the sitemap's host, at most MAX_URLS."""
    host = (urlsplit(sitemap).hostname or "").casefold()
    kind, locs = _locs(session, sitemap)
    if kind == "sitemapindex":
        children = [loc for loc in locs if _same_host(loc, host)][:MAX_SITEMAPS]
        locs = []
        for child in children:
            try:
                child_kind, child_locs = _locs(session, child)
            except (SitemapError, requests.RequestException) as exc:
                logger.warning("docs index: sitemap %s skipped: %s", child[:200], exc.__class__.__name__)
                continue
            if child_kind == "urlset":  # one level: an index inside an index is not followed
                locs += child_locs
    pages = [loc for loc in dict.fromkeys(locs) if _same_host(loc, host) and len(loc) <= 1000]
    return pages[:MAX_URLS]


def _same_host(url: str, host: str) -> bool:
    return bool(http_url(url)) and (urlsplit(url).hostname or "").casefold() == host


def docs_index(
    source: KnowledgeSource, *, session: requests.Session | None = None, pages: int = PAGES_PER_RUN
) -> IndexResult:
    session = session or build_session()
    result = IndexResult()
    try:
        urls = sitemap_urls(session, source.base_url)
    except (SitemapError, requests.RequestException) as exc:
        said = (
            str(exc)
            if isinstance(exc, SitemapError)
            else f"is at an address the desk does not fetch ({exc.category})"
            if isinstance(exc, FetchRefused)
            else f"could not be read ({exc.__class__.__name__})"
        )
        _error(source, f"The sitemap {said}.")
        result.errors.append(said)
        return result
    result.listed = len(urls)
    known = set(DocPage.objects.filter(source=source).values_list("url", flat=True))
    DocPage.objects.bulk_create(
        [DocPage(source=source, url=url) for url in urls if url not in known], ignore_conflicts=True
    )
    listed = set(urls)
    DocPage.objects.filter(source=source, gone=False).exclude(url__in=listed).update(gone=True)
    # Never fetched first, then the longest ago.
    due = DocPage.objects.filter(source=source, url__in=listed).order_by(F("fetched_at").asc(nulls_first=True), "id")
    for page in due[:pages]:
        _fetch(session, page, result)
    if result.failed and not (result.fetched or result.unchanged):
        _error(source, f"No docs page could be fetched: {result.errors[-1]}.")
    elif source.last_error:
        KnowledgeSource.objects.filter(pk=source.pk).update(last_error="", last_error_at=None)
    return result


def _fetch(session: requests.Session, page: DocPage, result: IndexResult) -> None:
    headers = {"Accept": "text/html, application/xhtml+xml;q=0.9"}
    if page.etag:
        headers["If-None-Match"] = page.etag
    if page.last_modified:
        headers["If-Modified-Since"] = page.last_modified
    now = timezone.now()
    try:
        response = _get(session, page.url, headers)
        with response:
            status = response.status_code
            if status == 304:
                DocPage.objects.filter(pk=page.pk).update(fetched_at=now, gone=False)
                result.unchanged += 1
                return
            if status in (404, 410):
                DocPage.objects.filter(pk=page.pk).update(fetched_at=now, gone=True)
                result.gone += 1
                return
            if status != 200:
                raise SitemapError(f"{page.url[:200]} answered {status}")
            if "html" not in response.headers.get("Content-Type", "text/html").lower():
                raise SitemapError(f"{page.url[:200]} is not HTML")
            body = _read(response, MAX_PAGE_BYTES)
            etag = response.headers.get("ETag", "")[:300]
            last_modified = response.headers.get("Last-Modified", "")[:100]
            encoding = response.encoding or "utf-8"
    except (SitemapError, requests.RequestException) as exc:
        said = str(exc) if isinstance(exc, SitemapError) else f"{page.url[:200]}: {exc.__class__.__name__}"
        logger.warning("docs index: source=%s page failed: %s", page.source_id, said)
        DocPage.objects.filter(pk=page.pk).update(fetched_at=now)  # to the back of the queue, not retried first
        result.failed += 1
        result.errors.append(said)
        return
    try:
        html = body.decode(encoding, errors="replace")
    except LookupError:
        html = body.decode("utf-8", errors="replace")
    title, text = page_read(html)
    DocPage.objects.filter(pk=page.pk).update(
        title=title,
        text=text,
        title_terms=" ".join(text_terms(title)),
        terms=" ".join(text_terms(f"{title}\n{text}")),
        etag=etag,
        last_modified=last_modified,
        fetched_at=now,
        gone=False,
    )
    result.fetched += 1


def _error(source: KnowledgeSource, message: str) -> None:
    logger.warning("docs index: source=%s (%s): %s", source.pk, source.name, message)
    KnowledgeSource.objects.filter(pk=source.pk).update(last_error=message[:1000], last_error_at=timezone.now())


def docs_index_all() -> dict[str, int]:
    """Every active docs source, one run each (the hourly beat task)."""
    done = {}
    for source in KnowledgeSource.objects.filter(is_active=True, kind=KnowledgeSource.Kind.DOCS):
        result = docs_index(source)
        done[source.name] = result.fetched + result.unchanged
    return done
