"""`{% fixed_url %}` (mentions/templatetags/desk_urls.py): the same links as `{% url %}`, reversed once per
URL configuration and script prefix, and the navigation every page shows still links where it did."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

from mentions.templatetags import desk_urls
from mentions.tests.factories import AdvocateFactory


def _both(source: str) -> tuple[str, str]:
    fixed = Template("{% load desk_urls %}" + source.replace("{% url ", "{% fixed_url ")).render(Context())
    return fixed, Template(source).render(Context())


def test_same_links_as_url_with_and_without_arguments():
    fixed, plain = _both("{% url 'mentions:queue' %} {% url 'mentions:tickets' %} {% url 'mentions:play' '__view__' %}")
    assert fixed == plain
    assert reverse("mentions:play", args=["__view__"]) in fixed


def test_reversed_once_then_read_from_the_table(monkeypatch):
    desk_urls._reversed.clear()
    calls = []
    real = desk_urls.reverse

    def counting(name, args=()):
        calls.append(name)
        return real(name, args=args)

    monkeypatch.setattr(desk_urls, "reverse", counting)
    for _ in range(3):
        assert desk_urls.fixed_url("mentions:tickets") == reverse("mentions:tickets")
    assert calls == ["mentions:tickets"]


def test_a_script_prefix_is_part_of_the_key():
    desk_urls._reversed.clear()
    assert desk_urls.fixed_url("mentions:tickets") == "/tickets/"
    set_script_prefix("/desk/")
    try:
        assert desk_urls.fixed_url("mentions:tickets") == "/desk/tickets/"
    finally:
        clear_script_prefix()
    assert desk_urls.fixed_url("mentions:tickets") == "/tickets/"


def test_the_table_is_bounded(monkeypatch):
    desk_urls._reversed.clear()
    monkeypatch.setattr(desk_urls, "MAX_ENTRIES", 3)
    for view in ("a", "b", "c", "d", "e"):
        desk_urls.fixed_url("mentions:play", view)
    assert len(desk_urls._reversed) <= 3


@pytest.mark.django_db
def test_the_navigation_still_links_every_page(client):
    client.force_login(AdvocateFactory())
    html = client.get("/tickets/0/").content.decode()
    for name in ("mentions:queue", "mentions:tickets", "experts:directory", "api-tokens", "mfa_index", "logout"):
        assert f'="{reverse(name)}"' in html, name
    assert f'data-action-template="{reverse("mentions:play", args=["__view__"])}"' in html
