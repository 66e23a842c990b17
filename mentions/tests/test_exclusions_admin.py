"""Admin → Mentions → Suggested exclusions (mentions.admin.exclusions): the list per channel with what each term
would have done, Accept and Decline as bulk actions and per-row buttons recording who and when, nothing else
changeable, escaped, and only for staff with the mentions permissions. The rows are made as the daily task stores
them (its counts given here); the terms' texts are written for the tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import Channel
from mentions.models import ExclusionSuggestion
from mentions.tests.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db
State = ExclusionSuggestion.State
LIST = reverse("admin:mentions_exclusionsuggestion_changelist")
HELP = (
    "Learned from the mentions your team solved or corrected as noise. Accepting a term makes the desk judge new "
    "mentions holding it as noise (never dropped: they wait in the Noise view). Nothing is applied until you "
    "accept it."
)


def row(term: str, channel=None, **counts) -> ExclusionSuggestion:
    fields = {"noise_count": 4, "would_exclude": 12, "answered": 1, **counts}
    channel = channel or Channel.objects.filter(name="Reddit r/hugo").first() or ChannelFactory(name="Reddit r/hugo")
    return ExclusionSuggestion.objects.create(channel=channel, term=term, computed_at=timezone.now(), **fields)


def staff(*codenames: str):
    user = UserFactory(is_staff=True, first_name="Anna", last_name="Lindqvist")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="mentions", codename__in=codenames))
    return user


@pytest.fixture
def decider(client):
    user = staff("view_exclusionsuggestion", "change_exclusionsuggestion")
    client.force_login(user)
    return user


def test_the_list_says_what_each_term_would_have_done_under_its_help_line(decider, client):
    row("victor hugo", would_exclude=12, answered=1)
    row("hugo spritz", noise_count=1, would_exclude=1, answered=0)
    row("hugo boss", would_exclude=0, answered=0)

    page = client.get(LIST).content.decode()

    assert HELP in page
    assert "Would have excluded 12 past mentions, of which 1 the team answered" in page
    assert "Would have excluded 1 past mention, of which 0 the team answered" in page
    assert "Would have excluded 0 past mentions<" in page
    assert "1 mention labelled noise" in page and "4 mentions labelled noise" in page
    assert page.count(">Accept</button>") == 3 and page.count(">Decline</button>") == 3


def test_accept_and_decline_as_bulk_actions_record_who_and_when(decider, client):
    one, two, three = row("victor hugo"), row("hugo awards"), row("hugo spritz")

    response = client.post(LIST, {"action": "accept", "_selected_action": [one.pk, two.pk]}, follow=True)

    assert "2 terms accepted." in response.content.decode()
    for accepted in (one, two):
        accepted.refresh_from_db()
        assert (accepted.state, accepted.decided_by, accepted.decided_at is not None) == (State.ACCEPTED, decider, True)
    client.post(LIST, {"action": "decline", "_selected_action": [two.pk, three.pk]})
    two.refresh_from_db()
    three.refresh_from_db()
    assert (two.state, three.state, three.decided_by) == (State.DECLINED, State.DECLINED, decider)


def test_a_rows_buttons_decide_that_row_only(decider, client):
    one, other = row("victor hugo"), row("hugo boss")
    page = client.get(LIST).content.decode()
    url = reverse("admin:mentions_exclusionsuggestion_decide", args=[one.pk])
    assert f'formaction="{url}" name="state" value="accepted"' in page

    response = client.post(url, {"state": "declined"}, follow=True)

    assert "Declined “victor hugo”." in response.content.decode()
    one.refresh_from_db()
    other.refresh_from_db()
    assert (one.state, one.decided_by, other.state) == (State.DECLINED, decider, State.SUGGESTED)
    # Declined: its row offers Accept (to change one's mind), not Decline again; who decided is shown.
    page = client.get(LIST).content.decode()
    assert page.count(">Decline</button>") == 1 and page.count(">Accept</button>") == 2
    assert "Anna Lindqvist" in page
    assert client.post(url, {"state": "deleted"}).status_code == 302  # refused with a message, nothing changed
    one.refresh_from_db()
    assert one.state == State.DECLINED
    assert client.get(url).status_code == 405


def test_nothing_else_is_changed_added_or_deleted_in_admin(decider, client):
    suggestion = row("victor hugo")
    change = reverse("admin:mentions_exclusionsuggestion_change", args=[suggestion.pk])
    client.post(change, {"term": "changed", "state": "accepted"})
    suggestion.refresh_from_db()
    assert (suggestion.term, suggestion.state) == ("victor hugo", State.SUGGESTED)
    assert client.get(reverse("admin:mentions_exclusionsuggestion_add")).status_code == 403
    assert client.get(reverse("admin:mentions_exclusionsuggestion_delete", args=[suggestion.pk])).status_code == 403
    assert "delete_selected" not in client.get(LIST).content.decode()


def test_html_in_a_term_or_a_channel_name_is_shown_as_text(decider, client):
    payload = '<img src=x onerror="alert(1)">'
    row(payload, channel=ChannelFactory(name=f"<script>alert(2)</script> {payload}"))

    page = client.get(LIST).content.decode()

    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    response = client.post(
        reverse("admin:mentions_exclusionsuggestion_decide", args=[ExclusionSuggestion.objects.get().pk]),
        {"state": "accepted"},
        follow=True,
    )
    assert "<img src=x" not in response.content.decode()  # the message naming it too


def test_only_staff_with_the_mentions_permissions(client):
    suggestion = row("victor hugo")
    decide = reverse("admin:mentions_exclusionsuggestion_decide", args=[suggestion.pk])

    client.force_login(staff())
    assert client.get(LIST).status_code == 403
    assert client.post(decide, {"state": "accepted"}).status_code == 403

    client.force_login(staff("view_exclusionsuggestion"))
    page = client.get(LIST).content.decode()
    assert "victor hugo" in page and ">Accept</button>" not in page and 'value="accept"' not in page
    assert client.post(decide, {"state": "accepted"}).status_code == 403
    client.post(LIST, {"action": "accept", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUGGESTED


def test_the_list_costs_the_same_queries_for_more_rows(decider, client):
    client.get(LIST)
    channel = ChannelFactory()
    for term in ("victor hugo", "hugo boss"):
        row(term, channel=channel)
    with CaptureQueriesContext(connection) as two:
        assert client.get(LIST).status_code == 200
    for n in range(6):
        row(f"hugo term {n}", channel=ChannelFactory())
    ExclusionSuggestion.objects.filter(term="hugo boss").update(
        state=State.ACCEPTED, decided_by=decider, decided_at=timezone.now()
    )
    with CaptureQueriesContext(connection) as eight:
        assert client.get(LIST).status_code == 200
    assert len(eight) == len(two)
