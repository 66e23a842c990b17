"""`make demo-reset` (`seed_demo --reset-passwords`, without DESK_DEMO_REPLAY, as the Makefile runs it) on a demo
that `make run` made: what it prints must be what it does. It said "the demo channels are saved paused" while it
left them polled as they were, and not that the new passwords sign the demo users out. Output captured from
call_command; the sign-out seen by a signed-in test client. No request leaves the machine (`responses` with no
URL registered refuses any)."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
import responses
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from channels.demo.channels import DEMO_CHANNELS
from channels.models import Channel
from intake.management.commands._demo_week import week_channels

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_seeded_channel():
    # The Slack channel a migration seeds (mentions 0032, with its view) is not the demo's.
    Channel.objects.filter(kind="slack").delete()


def _signed_in(username: str) -> Client:
    """A browser signed in through the sign-in page (allauth indexes its session, as for a person)."""
    client = Client()
    user = get_user_model().objects.get(username=username)
    user.set_password("demo-pw-1")
    user.save()
    assert client.post("/accounts/login/", {"login": username, "password": "demo-pw-1"}).status_code == 302
    assert client.get("/tickets/").status_code == 200
    return client


@responses.activate
@override_settings(DESK_DEMO_REPLAY=False, DESK_2FA_REQUIRED_FOR_STAFF=False)
def test_demo_reset_says_the_channels_are_left_as_they_were_and_that_the_demo_users_are_signed_out(caplog):
    with override_settings(DESK_DEMO_REPLAY=True):
        week_channels()  # as `make run` left them: every kind's demo channel, polled
    call_command("seed_demo", stdout=StringIO())
    advocate, manager = _signed_in("advocate"), _signed_in("manager")
    assert UserSession.objects.filter(user__username__in=["advocate", "manager"]).count() == 2

    out = StringIO()
    with caplog.at_level(logging.INFO):
        call_command("seed_demo", "--reset-passwords", stdout=out)

    said = out.getvalue()
    polled = Channel.objects.filter(enabled=True).count()
    assert polled == len(DEMO_CHANNELS) + 1  # and the Hacker News replay: none was paused
    assert "saved paused" not in said and "saved paused" not in caplog.text
    assert f"Demo channels: {polled} polled, 0 paused, left as they were" in said
    assert "admin, manager and advocate have new passwords and are signed out of every browser" in said
    # Which is what happened: their browsers are back at the sign-in page, their sessions gone.
    for client in (advocate, manager):
        answer = client.get("/tickets/")
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user__username__in=["advocate", "manager"]).exists()


@responses.activate
@override_settings(DESK_DEMO_REPLAY=False)
def test_seeding_a_new_demo_without_the_demo_network_says_its_channels_are_made_paused(caplog):
    out = StringIO()
    with caplog.at_level(logging.INFO):
        call_command("seed_demo", stdout=out)

    said = out.getvalue()
    assert Channel.objects.filter(slug__in=[f"{k}-demo" for k in DEMO_CHANNELS], enabled=False).count() == len(
        DEMO_CHANNELS
    )
    assert f"Demo channels: 1 polled, {len(DEMO_CHANNELS)} paused" in said
    assert "DESK_DEMO_REPLAY is off" in said
    assert "signed out" not in said  # nobody had a password before: nobody was signed out
    assert len(responses.calls) == 0
