"""The demo's one person on two platforms (`seed_demo_people`, after the demo week's first read): Inês Duarte's
GitHub and Mastodon accounts are one person, merged as *Same person* merges them, so the requester card on either
of her tickets shows both accounts and the other ticket. The week's posts come from the GitHub and Mastodon replays
(channels/adapters/github/replay.py, channels/adapters/mastodon/replay.py), which name the recorded fixtures and API
reference pages they follow."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from intake.management.commands._demo_week import week_seed
from mentions.models import Ticket
from people.models import Identity, PersonEvent

pytestmark = pytest.mark.django_db

GITHUB = ("github", "iac_ines")
MASTODON = ("mastodon", "ops_ines@fosstodon.org")


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_the_demo_contributor_on_two_platforms_is_one_person_on_either_tickets_card(advocate_client):
    week_seed()
    call_command("seed_demo_people", stdout=StringIO())
    call_command("seed_demo_people", stdout=StringIO())  # a second run changes nothing

    identities = {(i.platform, i.key): i for i in Identity.objects.filter(key__in=[GITHUB[1], MASTODON[1]])}
    person = identities[GITHUB].person
    assert identities[MASTODON].person_id == person.pk and person.name == "Inês Duarte"
    assert list(PersonEvent.objects.filter(person=person).values_list("kind", flat=True)) == ["merged"]
    tickets = {key: Ticket.objects.get(requester__identity=identity) for key, identity in identities.items()}

    for key, other in ((GITHUB, MASTODON), (MASTODON, GITHUB)):
        page = advocate_client.get(tickets[key].get_absolute_url(), {"panels": "inline"}).content.decode()
        card = page[page.index('id="panel-requester"') :]
        card = card[: card.index("</div>")]
        assert "Inês Duarte" in card and "core contributor" in card
        assert re.search(rf"{re.escape(key[1])}(</a>)? <span class=\"muted\">[^<]* · opened this ticket", card)
        assert other[1] in card  # and the other account
        assert card.count('data-testid="requester-ticket"') == 1
        assert f"#{tickets[other].pk} " in card  # the ticket from the other platform


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_the_demo_people_have_journeys_at_different_levels_and_three_wait_for_recognition(manager_client):
    from people.models import Person, Recognition
    from people.tests.test_journey import journey_seeded

    journey_seeded()
    week_seed()
    call_command("seed_demo_people", stdout=StringIO())
    levels = set(Person.objects.exclude(level=None).values_list("level__name", flat=True))
    assert {"Newcomer", "Participant", "Contributor"} <= levels, levels
    waiting = set(Recognition.objects.filter(state="open").values_list("person__name", flat=True))
    assert waiting == {"Ola Nowak", "Felix Moreau", "Dora Tanaka"}
    html = manager_client.get("/people/recognition/").content.decode()
    assert html.count('data-testid="recognition-row"') == 3 and "Give a code from Contributor thank-you 2026" in html
