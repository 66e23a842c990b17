"""What the keyboard shortcuts (static/keys.js) need from the pages: the header search box, the
hidden Play form, the rows' keys and the macro picker's data. The shortcuts themselves are tried
in Chromium (tests/e2e/test_keyboard_browser.py)."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from mentions.models import Macro, MacroAction
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db

HOSTILE_Q = '"><script>alert(1)</script>'


def _search_box(value: str = "") -> str:
    shown = f' value="{value}"' if value else ""
    return (
        '<input type="search" name="q" id="desk-search" placeholder="Search tickets  /" aria-label="Search tickets"'
        f' aria-keyshortcuts="/" maxlength="200"{shown}>'
    )


def test_the_header_search_box_is_on_every_desk_page_and_searches_the_ticket_list(advocate_client):
    ticket = TicketFactory()
    for url in ("/", "/tickets/", ticket.get_absolute_url(), reverse("experts:directory")):
        html = advocate_client.get(url).content.decode()
        assert f'<form role="search" class="desk-search" action="{reverse("mentions:tickets")}">' in html, url
        assertInHTML(_search_box(), html)


def test_the_header_search_box_shows_the_ticket_lists_search_escaped(advocate_client):
    html = advocate_client.get("/tickets/", {"q": "registry 429"}).content.decode()
    assertInHTML(_search_box("registry 429"), html)

    html = advocate_client.get("/tickets/", {"q": HOSTILE_Q}).content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html

    # Elsewhere a q belongs to that page (the experts directory's own search), not to tickets.
    html = advocate_client.get(reverse("experts:directory"), {"q": "runner"}).content.decode()
    assertInHTML(_search_box(), html)


def test_people_without_the_queue_get_no_search_box_nor_play_form(client):
    client.force_login(UserFactory())
    html = client.get("/").content.decode()  # 403, rendered with the desk's layout
    assert 'id="desk-search"' not in html and 'id="keys-play"' not in html
    assert "Keyboard:" in html


def test_anonymous_pages_load_no_shortcuts(client):
    html = client.get(reverse("login")).content.decode()
    assert "keys.js" not in html and "Keyboard:" not in html


def test_play_from_any_page_is_a_post_form_with_csrf_aimed_at_the_play_view(advocate_client):
    view = ViewFactory(slug="all")
    TicketFactory()
    html = advocate_client.get("/tickets/").content.decode()
    template = reverse("mentions:play", args=["__view__"])
    assert (
        f'<form id="keys-play" method="post" hidden data-action-template="{template}" '
        f'data-queue-url="{reverse("mentions:queue")}"><input type="hidden" name="csrfmiddlewaretoken"' in html
    )
    # What keys.js posts once it has filled in the view: the ticket it serves.
    response = advocate_client.post(template.replace("__view__", view.slug))
    assert response.status_code == 302 and response.url.startswith("/tickets/")


def test_rows_carry_the_keys_the_selection_survives_a_refresh_by(advocate_client):
    view = ViewFactory(slug="all", name="All mentions")
    mine = TicketFactory(assignee=advocate_client.user)
    other = TicketFactory()
    queue = advocate_client.get("/").content.decode()
    assert f'<tr data-view="{view.slug}">' in queue
    assert f'data-play-view="{view.slug}"' in queue
    assert f'<tr data-ticket="{mine.pk}">' in queue
    listing = advocate_client.get("/tickets/").content.decode()
    assert f'<tr data-ticket="{mine.pk}">' in listing and f'<tr data-ticket="{other.pk}">' in listing


def test_the_macro_picker_reads_names_descriptions_and_link_needs_from_the_macro_form(advocate_client):
    asks = Macro.objects.create(name="Reached out", description="Ping an expert <b>first</b>", position=1)
    MacroAction.objects.create(macro=asks, kind=MacroAction.Kind.ASK_LINK)
    plain = Macro.objects.create(name="Solved <i>quietly</i>", position=2)
    MacroAction.objects.create(macro=plain, kind=MacroAction.Kind.SET_STATUS, value="solved")
    Macro.objects.create(name="Retired", is_active=False)
    html = advocate_client.get(TicketFactory().get_absolute_url()).content.decode()

    assert "<form " in html and "data-keys-macro" in html and "data-keys-reply" in html and "data-keys-note" in html
    assertInHTML(
        # What each does, computed from its actions (issue 28), as its text (a title only on an unavailable one).
        f'<option value="{asks.pk}" data-name="Reached out" data-description="Ping an expert &lt;b&gt;first&lt;/b&gt;"'
        ' data-does="Submits and moves on; needs a link"'
        " data-asks-link>Reached out — Submits and moves on; needs a link</option>",
        html,
    )
    assertInHTML(
        f'<option value="{plain.pk}" data-name="Solved &lt;i&gt;quietly&lt;/i&gt;" data-description=""'
        ' data-does="Submits as Solved and moves on">'
        "Solved &lt;i&gt;quietly&lt;/i&gt; — Submits as Solved and moves on</option>",
        html,
    )
    assert "Retired" not in html


def test_the_ticket_page_does_not_autofocus_the_reply_box(advocate_client):
    # A focused box would swallow every single-key shortcut; keys.js sends the first Tab there.
    html = advocate_client.get(TicketFactory().get_absolute_url()).content.decode()
    assert "autofocus" not in html


def test_a_user_with_the_queue_sees_the_keyboard_hint(client):
    client.force_login(AdvocateFactory())
    html = client.get("/").content.decode()
    assert 'data-keys-help aria-keyshortcuts="?">Keyboard: <kbd>?</kbd></button>' in html
