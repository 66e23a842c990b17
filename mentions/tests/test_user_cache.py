"""The signed-in user comes from this process's memory between requests (mentions/permissions/user_cache.py), and every
change to them still takes effect on the next request: a new password ends their other sessions, a deactivated
or deleted user is signed out, a role given or taken (from the user's side or the group's) counts at once."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentions.permissions.roles import ADVOCATES
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db


def _user_reads(client, url: str = "/tickets/0/") -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len([q for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]])


def test_the_second_request_reads_no_user_row(client):
    client.force_login(AdvocateFactory())
    assert _user_reads(client) == 1  # signing in changed the row (last_login): read once again
    assert _user_reads(client) == 0
    assert client.get("/tickets/0/").status_code == 404  # still signed in


def test_a_new_password_signs_out_the_sessions_that_had_the_old_one(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    assert client.get("/").status_code == 200
    advocate.set_password("a whole new passphrase")
    advocate.save()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert "_auth_user_id" not in client.session  # Django's get_user flushed it


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    assert client.get("/").status_code == 200
    advocate.is_active = False
    advocate.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_deleted_user_is_signed_out_on_the_next_request(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    assert client.get("/").status_code == 200
    advocate.delete()
    assert client.get("/").status_code == 302


def test_a_role_taken_from_the_user_or_the_group_counts_on_the_next_request(client):
    advocates = Group.objects.get_or_create(name=ADVOCATES)[0]
    for take in (lambda user: user.groups.remove(advocates), lambda user: advocates.user_set.remove(user)):
        advocate = AdvocateFactory()
        client.force_login(advocate)
        assert client.get("/").status_code == 200
        take(advocate)
        assert client.get("/").status_code == 403


def test_staff_given_counts_on_the_next_request(client):
    advocate = AdvocateFactory()
    client.force_login(advocate)
    assert client.get("/admin/").status_code == 302  # not staff: admin's sign-in
    advocate.is_staff = True
    advocate.save()
    assert client.get("/admin/").status_code in (200, 403)  # staff now: admin's own page (403 without any model)
    assert client.get("/admin/").status_code != 302
