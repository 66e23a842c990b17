"""Every desk page and ticket panel has a bench/pages.py entry (bench/_pages_entries.py), so a page added
without a benchmark fails here rather than going unmeasured, as the panels added before issue 41 did."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from mentions.ticket_page.panels import _panels, panel_slug

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _entries_module():
    spec = importlib.util.spec_from_file_location("bench_pages_entries", BENCH / "_pages_entries.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


entries = _entries_module()


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route, "namespace:name") of every named URL pattern under `resolver`."""
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            found += _patterns(pattern, route, f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((route, f"{namespace}:{pattern.name}" if namespace else pattern.name))
    return found


def desk_url_names() -> dict[str, str]:
    return {name: route for route, name in _patterns(get_resolver()) if not route.startswith(entries.EXCLUDED_PREFIXES)}


def test_every_desk_url_has_a_bench_entry_or_a_reason():
    measured = {entry.url_name for entry in entries.ENTRIES.values()}
    missing = sorted(set(desk_url_names()) - measured - set(entries.NOT_MEASURED))
    assert not missing, f"desk URLs with no entry in bench/_pages_entries.py (ENTRIES or NOT_MEASURED): {missing}"


def test_no_entry_names_a_url_the_desk_no_longer_has():
    names = set(desk_url_names())
    stale = sorted(
        {entry.url_name for entry in entries.ENTRIES.values() if entry.url_name} - names
        | set(entries.NOT_MEASURED) - names
    )
    assert not stale, f"bench/_pages_entries.py names URLs that are gone or excluded: {stale}"


def test_every_ticket_panel_has_a_bench_entry():
    registered = {panel_slug(panel) for panel in _panels}
    assert registered, "no ticket panel registered: the apps' ready() did not run"
    assert registered == set(entries.PANELS), "bench/_pages_entries.py PANELS differs from the registered panels"
    for slug in registered:
        assert f"panel-{slug}" in entries.ENTRIES


def _post_only_urls() -> list[str]:
    from django.urls import reverse

    urls = []
    for name, reason in entries.NOT_MEASURED.items():
        if reason != entries.POST_ONLY:
            continue
        route = desk_url_names()[name]
        kwargs = {}
        for part in route.split("<")[1:]:
            converter, arg = part.split(">")[0].split(":")
            kwargs[arg] = "x" if converter == "slug" else 1
        urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.django_db
def test_what_is_left_out_as_post_only_answers_get_with_405(manager_client):
    """A page left out as "POST-only" that a GET renders would be a page with no benchmark."""
    answered = {url: manager_client.get(url).status_code for url in _post_only_urls()}
    assert answered and all(status == 405 for status in answered.values()), answered


def test_the_ticket_page_entries_build_urls():
    sample = entries.Sample(tickets=10, people=[3], stories=[4], searches=["/tickets/?q=x"])
    for name, entry in entries.ENTRIES.items():
        urls = entry.urls(sample)
        assert urls, name
        assert all(u.startswith("/") for u in ([urls] if isinstance(urls, str) else urls)), name
