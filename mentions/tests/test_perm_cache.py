"""Permissions come from the cache between requests, and a role change still takes effect on the next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentions.permissions.roles import ADVOCATES
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_the_second_request_reads_no_permissions_nor_the_session(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "auth_permission" in q["sql"] or "django_session" in q["sql"]]


def test_leaving_the_advocates_group_takes_effect_on_the_next_request(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    assert client.get("/").status_code == 200
    advocate.groups.remove(Group.objects.get(name=ADVOCATES))
    assert client.get("/").status_code == 403


def test_a_permission_taken_from_the_group_takes_effect_on_the_next_request(client):
    advocate = AdvocateFactory()
    ticket = TicketFactory()
    client.force_login(advocate)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    Group.objects.get(name=ADVOCATES).permissions.remove(Permission.objects.get(codename="work_queue"))
    assert client.get(ticket.get_absolute_url()).status_code == 403
