"""Our docs: the sitemap and its pages indexed with conditional GETs, then searched.

Shapes: the sitemaps.org protocol's own examples (sitemaps.org/protocol.html, a `urlset` and a
`sitemapindex`, namespace http://www.sitemaps.org/schemas/sitemap/0.9); conditional requests as RFC 9110
describes them (ETag / If-None-Match, Last-Modified / If-Modified-Since, 304 Not Modified); 404 and 410 for a
page that is no more."""

from __future__ import annotations

import pytest
import responses

from answers.knowledge.docs import search as docs_search
from answers.knowledge.docs_index import docs_index
from answers.knowledge.pages import page_read
from answers.knowledge.search import knowledge_search, source_spec
from answers.knowledge_models import DocPage, KnowledgeSource
from answers.terms import query_terms
from answers.tests.knowledge_helpers import source

pytestmark = pytest.mark.django_db

INDEX = "https://docs.example.com/sitemap.xml"
INDEX_XML = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
   <sitemap>
      <loc>https://docs.example.com/sitemap1.xml</loc>
      <lastmod>2004-10-01T18:23:17+00:00</lastmod>
   </sitemap>
   <sitemap>
      <loc>https://elsewhere.example.net/sitemap2.xml</loc>
   </sitemap>
</sitemapindex>"""
URLSET_XML = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
   <url><loc>https://docs.example.com/ci/caching/</loc><lastmod>2005-01-01</lastmod></url>
   <url><loc>https://docs.example.com/runners/</loc><changefreq>monthly</changefreq></url>
   <url><loc>https://elsewhere.example.net/not-ours/</loc></url>
</urlset>"""
CACHING = """<!doctype html><html><head><title>Caching in CI/CD pipelines</title><style>p{}</style></head>
<body><nav>Home Docs Pricing</nav><main><h1>Caching</h1><p>Use the cache keyword to keep dependencies between
jobs. A cache is stored by the runner.</p><script>alert(1)</script></main><footer>© us</footer></body></html>"""
RUNNERS = "<html><head><title>Runners</title></head><body><h1>Runners</h1><p>Install a runner.</p></body></html>"


def _docs_site(*, caching: dict | None = None) -> None:
    responses.get(INDEX, body=INDEX_XML, content_type="application/xml")
    responses.get("https://docs.example.com/sitemap1.xml", body=URLSET_XML, content_type="application/xml")
    responses.get(
        "https://docs.example.com/ci/caching/",
        body=CACHING,
        content_type="text/html; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT"},
        **(caching or {}),
    )
    responses.get("https://docs.example.com/runners/", body=RUNNERS, content_type="text/html")


@responses.activate
def test_a_sitemap_index_gives_its_pages_on_our_host_and_each_is_read():
    docs = source("docs")
    _docs_site()
    result = docs_index(docs)
    assert (result.listed, result.fetched, result.failed) == (2, 2, 0)
    page = DocPage.objects.get(url="https://docs.example.com/ci/caching/")
    assert page.title == "Caching in CI/CD pipelines"
    assert "Use the cache keyword" in page.text and "alert" not in page.text and "Pricing" not in page.text
    assert page.etag == '"v1"' and page.last_modified == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert "cach" in page.terms.split() and "cach" in page.title_terms.split()
    assert not any("elsewhere" in str(call.request.url) for call in responses.calls)  # other hosts never fetched


@responses.activate
def test_304_keeps_the_page_and_the_validators_are_sent():
    docs = source("docs")
    _docs_site()
    docs_index(docs)
    before = DocPage.objects.get(url="https://docs.example.com/ci/caching/")
    responses.reset()
    _docs_site(caching={"status": 304})
    docs_index(docs)
    [call] = [c for c in responses.calls if c.request.url == "https://docs.example.com/ci/caching/"]
    assert call.request.headers["If-None-Match"] == '"v1"'
    assert call.request.headers["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"
    after = DocPage.objects.get(pk=before.pk)
    assert (after.title, after.text, after.etag) == (before.title, before.text, before.etag)
    assert after.fetched_at and before.fetched_at and after.fetched_at > before.fetched_at


@responses.activate
@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_is_no_more_is_marked_gone_and_not_searched(status):
    docs = source("docs")
    _docs_site()
    docs_index(docs)
    responses.reset()
    _docs_site(caching={"status": status})
    docs_index(docs)
    assert DocPage.objects.get(url="https://docs.example.com/ci/caching/").gone
    assert docs_search(source_spec(docs), query_terms("caching")).items == []


@responses.activate
def test_the_oldest_fetched_pages_go_first_and_a_run_is_bounded():
    docs = source("docs")
    _docs_site()
    docs_index(docs, pages=1)
    assert DocPage.objects.filter(fetched_at__isnull=True).count() == 1
    docs_index(docs, pages=1)
    assert DocPage.objects.filter(fetched_at__isnull=True).count() == 0


@responses.activate
def test_a_page_leaving_the_sitemap_is_gone():
    docs = source("docs")
    _docs_site()
    docs_index(docs)
    responses.reset()
    responses.get(INDEX, body=URLSET_XML.replace("https://docs.example.com/runners/", "https://elsewhere.example.net/"))
    responses.get("https://docs.example.com/ci/caching/", status=304)
    docs_index(docs)
    assert list(DocPage.objects.filter(gone=True).values_list("url", flat=True)) == [
        "https://docs.example.com/runners/"
    ]


@responses.activate
def test_hostile_xml_is_refused_and_said_on_the_source():
    docs = source("docs")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc></url></urlset>'
    )
    responses.get(INDEX, body=bomb)
    result = docs_index(docs)
    assert result.listed == 0 and DocPage.objects.count() == 0
    docs.refresh_from_db()
    assert docs.last_error.startswith("The sitemap is not a sitemap")


@responses.activate
def test_a_sitemap_of_an_unknown_encoding_is_refused_and_said_on_the_source():
    # Issue 69's fuzzing of the feeds: expat raises LookupError for an encoding Python does not know.
    docs = source("docs")
    responses.get(
        INDEX, body=URLSET_XML.replace('encoding="UTF-8"', 'encoding="x-bogus"'), content_type="application/xml"
    )
    result = docs_index(docs)
    assert result.listed == 0 and DocPage.objects.count() == 0
    docs.refresh_from_db()
    assert docs.last_error.startswith("The sitemap is not a sitemap (LookupError)")


@responses.activate
def test_docs_search_ranks_title_matches_first_and_shows_the_best_sentence():
    docs = source("docs")
    _docs_site()
    docs_index(docs)
    found = docs_search(source_spec(docs), query_terms("How do I cache dependencies with a runner?"))
    assert [item.title for item in found.items] == ["Caching in CI/CD pipelines", "Runners"]
    assert found.items[0].snippet == "Use the cache keyword to keep dependencies between jobs."
    assert found.items[0].url == "https://docs.example.com/ci/caching/"


@responses.activate
def test_docs_come_through_the_panel_search_without_any_http():
    docs = source("docs")
    _docs_site()
    docs_index(docs)
    responses.reset()
    results = knowledge_search("cache dependencies", query_terms("cache dependencies"))
    assert [item.title for item in results.items] == ["Caching in CI/CD pipelines"]
    assert len(responses.calls) == 0


def test_page_read_takes_the_first_h1_without_a_title():
    title, text = page_read("<body><h1>Getting &amp; started</h1><p>Text</p><h1>Other</h1></body>")
    assert title == "Getting & started" and text.startswith("Getting & started\nText")


@responses.activate
def test_the_task_indexes_every_active_docs_source_and_is_idempotent():
    from answers.tasks import index_docs

    source("docs")
    source("docs", name="Old docs", is_active=False, base_url="https://old.example.com/sitemap.xml")
    _docs_site()
    assert index_docs.apply().get() == {"Our docs": 2}
    assert index_docs.apply().get() == {"Our docs": 2}
    assert DocPage.objects.count() == 2 and KnowledgeSource.objects.get(name="Our docs").last_error == ""
