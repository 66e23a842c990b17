"""Advocate for a day: access that ends by itself, checked on every request."""

import logging
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from mentions.models import AdvocateGrant
from mentions.permissions.roles import ADVOCATES
from mentions.services.grants import advocate_grant_create, advocate_grants_expire
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory, seen

pytestmark = pytest.mark.django_db


def test_a_grant_opens_the_queue_until_it_expires_then_access_is_denied(client):
    helper = UserFactory(username="pat")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(helper)
    assert client.get("/").status_code == 403

    # 24 hours, of which all but 1.5 seconds have already passed.
    advocate_grant_create(
        user=helper,
        granted_by=admin,
        hours=24,
        starts_at=timezone.now() - timedelta(hours=24) + timedelta(seconds=1.5),
        reason="Release day",
    )
    ticket = TicketFactory()
    assert client.get("/").status_code == 200
    assert (
        client.post(
            reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": seen(ticket), "body": "on it"}
        ).status_code
        == 302
    )

    time.sleep(1.6)  # the grant expires; beat has not run

    assert client.get("/").status_code == 403
    assert (
        client.post(
            reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": seen(ticket), "body": "again"}
        ).status_code
        == 403
    )
    assert not helper.groups.exists()


def test_a_permanent_advocate_keeps_access_when_a_grant_of_theirs_ends(client, caplog):
    advocate = AdvocateFactory()
    past = timezone.now() - timedelta(days=2)
    AdvocateGrant.objects.create(user=advocate, starts_at=past, expires_at=past + timedelta(hours=24))
    caplog.set_level(logging.INFO, logger="mentions.services.grants")

    assert advocate_grants_expire() == 1
    assert advocate_grants_expire() == 0  # logged once

    client.force_login(advocate)
    assert client.get("/").status_code == 200
    assert advocate.groups.filter(name=ADVOCATES).exists()
    assert next(r.getMessage() for r in caplog.records if "expired" in r.getMessage()).startswith(
        f"advocate grant {AdvocateGrant.objects.get().pk} expired: user={advocate.username}"
    )


def test_a_scheduled_grant_gives_nothing_before_it_starts(client):
    helper = UserFactory()
    advocate_grant_create(user=helper, granted_by=None, hours=8, starts_at=timezone.now() + timedelta(hours=1))
    client.force_login(helper)
    assert client.get("/").status_code == 403


def test_grants_do_not_give_manager_permissions(client):
    helper = UserFactory()
    advocate_grant_create(user=helper, granted_by=None, hours=24)
    assert helper.has_perm("mentions.work_queue")
    assert not helper.has_perm("mentions.view_dashboards")
    assert not helper.has_perm("mentions.manage_all_tickets")


def test_an_admin_grants_for_24_hours_and_ends_it_early(client, caplog):
    caplog.set_level(logging.INFO, logger="mentions.services.grants")
    Group.objects.get_or_create(name=ADVOCATES)
    admin = UserFactory(is_staff=True, is_superuser=True)
    helper = UserFactory(username="sam")
    client.force_login(admin)

    response = client.post(
        reverse("admin:mentions_advocategrant_add"),
        {"user": helper.pk, "reason": "Covering for Ada", "hours": "24", "starts_at": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = AdvocateGrant.objects.get()
    assert grant.granted_by == admin and grant.reason == "Covering for Ada"
    assert timedelta(hours=23, minutes=59) < grant.expires_at - timezone.now() <= timedelta(hours=24)
    assert any("granted: user=sam by=" in r.getMessage() for r in caplog.records)

    response = client.post(
        reverse("admin:mentions_advocategrant_changelist"),
        {"action": "end_now", "_selected_action": [grant.pk]},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.expires_at <= timezone.now() and grant.ended_at is not None
    assert any("revoked: user=sam" in r.getMessage() for r in caplog.records)
    assert not UserFactory._meta.model.objects.get(pk=helper.pk).has_perm("mentions.work_queue")


def test_the_admin_refuses_a_grant_longer_than_two_weeks(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:mentions_advocategrant_add"), {"user": UserFactory().pk, "hours": "400", "starts_at": ""}
    )
    assert response.status_code == 200 and not AdvocateGrant.objects.exists()
    assert "less than or equal to 336" in response.content.decode()
