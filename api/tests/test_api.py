"""The REST API: its schema, personal access tokens (made, used, revoked), scopes, rate limits, and
permissions held against the pages' for each role."""

import pytest
import responses
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create
from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/analytics/returning/",
    "/api/analytics/accuracy/",
    "/api/analytics/share-of-voice/",
    "/api/analytics/volume/",
    "/api/changes/",
    "/api/channels/",
    "/api/kpi/",
    "/api/people/",
    "/api/people/{id}/",
    "/api/people/{id}/erase/",
    "/api/people/{id}/merge/",
    "/api/people/recognition/",
    "/api/tickets/",
    "/api/tickets/{id}/",
    "/api/tickets/{id}/assignee/",
    "/api/tickets/{id}/like/",
    "/api/tickets/{id}/delete-post/",
    "/api/tickets/{id}/repost/",
    "/api/tickets/{id}/direct-message/",
    "/api/tickets/{id}/issues/",
    "/api/tickets/{id}/suggestions/",
    "/api/stories/",
    "/api/stories/{id}/",
    "/api/tickets/{id}/macros/",
    "/api/tickets/{id}/notes/",
    "/api/tickets/{id}/replies/",
    "/api/tickets/{id}/send/",
    "/api/tickets/{id}/approval/",
    "/api/tickets/{id}/snooze/",
    "/api/tickets/{id}/status/",
    "/api/views/",
}


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _token(user, scope: str = "write", days: int = 30) -> str:
    return token_create(user=user, name="test", scope=scope, days=days)[1]


def test_the_schema_lists_every_endpoint_and_the_docs_load(client):
    secret = _token(AdvocateFactory())
    schema = client.get("/api/schema/?format=json", headers=_bearer(secret))
    assert schema.status_code == 200
    assert set(schema.json()["paths"]) == ENDPOINTS
    assert schema.json()["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    client.force_login(AdvocateFactory())
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"<script>" not in docs.content  # its start-up script is a file: the CSP allows it


def test_a_token_is_made_shown_once_used_for_a_note_then_revoked_and_refused():
    ada = AdvocateFactory(username="ada")
    ticket = TicketFactory(subject="Runner hangs")
    page = Client()
    page.force_login(ada)
    made = page.post("/tokens/", {"name": "BI sync", "scope": "write", "days": "30"})
    secret = made.context["made"][1]
    assert secret.startswith("tdk_") and secret in made.content.decode()
    assert made["Cache-Control"] == "no-store"
    stored = ApiToken.objects.get()
    assert secret not in (stored.digest, stored.prefix) and stored.prefix == secret[:12]
    assert secret not in page.get("/tokens/").content.decode()  # shown once

    api = Client()
    answer = api.post(
        f"/api/tickets/{ticket.pk}/notes/",
        {"body": "Asked in #runner"},
        headers=_bearer(secret),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    note = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NOTE)
    assert note.actor == ada  # the history names the token's user
    assert ApiToken.objects.get().last_used_at is not None

    page.post(f"/tokens/{stored.pk}/revoke/")
    refused = api.get("/api/tickets/", headers=_bearer(secret))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "The token is unknown, revoked or expired."}


def test_a_read_token_reads_but_cannot_write_and_an_expired_one_is_refused(client):
    ada = AdvocateFactory()
    ticket = TicketFactory()
    read = _token(ada, scope="read")
    assert client.get(f"/api/tickets/{ticket.pk}/", headers=_bearer(read)).status_code == 200
    refused = client.post(
        f"/api/tickets/{ticket.pk}/status/",
        {"status": "solved"},
        headers=_bearer(read),
        content_type="application/json",
    )
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status != "solved"
    old = _token(ada)
    ApiToken.objects.filter(prefix=old[:12]).update(expires_at=timezone.now())
    assert client.get("/api/tickets/", headers=_bearer(old)).status_code == 401
    nobody = client.get("/api/tickets/")  # no credentials: a JSON 401, not the sign-in page
    assert nobody.status_code == 401 and nobody["WWW-Authenticate"] == 'Bearer realm="api"'


@override_settings(DESK_API_RATE="3/min")
def test_a_token_is_rate_limited(client):
    secret = _token(AdvocateFactory())
    answers = [client.get("/api/views/", headers=_bearer(secret)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_list_filters_and_searches_as_the_ticket_list_does(client):
    ViewFactory(slug="all")
    secret = _token(AdvocateFactory())
    solved = TicketFactory(subject="Registry pulls fail", status=Ticket.Status.SOLVED)
    TicketFactory(subject="Runner hangs", status=Ticket.Status.NEW)
    page = client.get("/api/tickets/?status=solved", headers=_bearer(secret)).json()
    assert [t["id"] for t in page["results"]] == [solved.pk] and page["count"] == 1
    assert page["results"][0]["url"].endswith(f"/tickets/{solved.pk}/")
    bad = client.get("/api/tickets/?status=nonsense", headers=_bearer(secret))
    assert bad.status_code == 400 and "status" in bad.json()


# --- The same permissions as the pages -------------------------------------------------------------------

ROLES = {
    "no role": lambda: UserFactory(username="nobody"),
    "advocate": lambda: AdvocateFactory(username="ada"),
    "manager": lambda: ManagerFactory(username="mo"),
}


def _allowed(status: int) -> bool:
    # 409: allowed, but the ticket's state refused it (the page made the same change just before).
    assert status in (200, 302, 400, 403, 409), status
    return status != 403


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_through_the_api_exactly_what_it_may_do_on_the_pages(role):
    user = ROLES[role]()
    other = AdvocateFactory(username="bo")
    ViewFactory(slug="all")
    mine = TicketFactory(assignee=user if user.has_perm("mentions.work_queue") else None)
    theirs = TicketFactory(assignee=other)
    page, api = Client(), Client()
    page.force_login(user)
    auth = _bearer(_token(user, scope="write") if user.has_perm("mentions.work_queue") else _token(user, scope="read"))
    seen = str(2**62)

    def post_api(path: str, data: dict) -> int:
        return api.post(path, data, headers=auth, content_type="application/json").status_code

    pairs = {
        "list tickets": (page.get("/tickets/").status_code, api.get("/api/tickets/", headers=auth).status_code),
        "read a ticket": (
            page.get(f"/tickets/{theirs.pk}/").status_code,
            api.get(f"/api/tickets/{theirs.pk}/", headers=auth).status_code,
        ),
        "see the views": (page.get("/").status_code, api.get("/api/views/", headers=auth).status_code),
        "see the KPIs": (page.get("/kpi/").status_code, api.get("/api/kpi/", headers=auth).status_code),
        "note on my ticket": (
            page.post(f"/tickets/{mine.pk}/note/", {"body": "n", "seen": seen}).status_code,
            post_api(f"/api/tickets/{mine.pk}/notes/", {"body": "n"}),
        ),
        "note on a colleague's ticket": (
            page.post(f"/tickets/{theirs.pk}/note/", {"body": "n", "seen": seen}).status_code,
            post_api(f"/api/tickets/{theirs.pk}/notes/", {"body": "n"}),
        ),
        "solve a colleague's ticket": (
            page.post(f"/tickets/{theirs.pk}/status/", {"status": "solved", "seen": seen}).status_code,
            post_api(f"/api/tickets/{theirs.pk}/status/", {"status": "solved"}),
        ),
        "reassign a ticket": (
            page.post(f"/tickets/{mine.pk}/assign/", {"assignee": other.pk, "seen": seen}).status_code,
            post_api(f"/api/tickets/{mine.pk}/assignee/", {"assignee": "bo"}),
        ),
    }
    if not user.has_perm("mentions.work_queue"):
        # A read token cannot write at all; the pages refuse the same people for lack of the role.
        pairs = {k: v for k, v in pairs.items() if not k.startswith(("note", "solve", "reassign"))} | {
            "note on my ticket": (
                page.post(f"/tickets/{mine.pk}/note/", {"body": "n", "seen": seen}).status_code,
                post_api(f"/api/tickets/{mine.pk}/notes/", {"body": "n"}),
            )
        }
    mismatched = {k: v for k, v in pairs.items() if _allowed(v[0]) != _allowed(v[1])}
    assert mismatched == {}
    expected = {
        "no role": {"list tickets": False, "see the KPIs": False, "note on my ticket": False},
        "advocate": {
            "list tickets": True,
            "see the KPIs": False,
            "note on a colleague's ticket": False,
            "reassign a ticket": False,
        },
        "manager": {
            "list tickets": True,
            "see the KPIs": True,
            "note on a colleague's ticket": True,
            "reassign a ticket": True,
        },
    }[role]
    assert {k: _allowed(pairs[k][1]) for k in expected} == expected


@responses.activate
def test_a_reply_sent_through_the_api_posts_once_per_key_and_is_the_users(client):
    """The ticket page's Send, through the API: posted on the platform (a fake X endpoint), recorded
    as our reply under the token's user; the same idempotency key again posts nothing more."""
    from mentions.tests.test_send_reply import _posted, _ticket_from, _tweet

    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    ada = AdvocateFactory(username="ada")
    auth = _bearer(_token(ada))
    _posted()
    for _ in range(2):
        answer = client.post(
            f"/api/tickets/{ticket.pk}/send/",
            {"body": "Hi! Try the cache key.", "key": "k-1", "status": "pending"},
            headers=auth,
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    assert len(responses.calls) == 1
    reply = ticket.messages.get(kind="our_reply")
    assert reply.author_user == ada and answer.json()["status"] == "pending"
    assert ticket.events.get(kind=TicketEvent.Kind.REPLY_SENT).actor == ada


def test_the_list_and_a_ticket_cost_the_same_queries_for_more_rows(client):
    """No query per row: the list loads channels, assignees and tags for the page at once, a ticket its
    messages and events with their people."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentions.tests.factories import MessageFactory

    auth = _bearer(_token(AdvocateFactory()))
    client.get("/api/views/", headers=auth)  # the token's first use writes its last_used_at (once a minute)

    def cost(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, headers=auth).status_code == 200
        return len(queries)

    few = [TicketFactory(assignee=AdvocateFactory()) for _ in range(2)]
    MessageFactory(ticket=few[0])
    small_list, small_ticket = cost("/api/tickets/"), cost(f"/api/tickets/{few[0].pk}/")
    for _ in range(20):
        TicketFactory(assignee=AdvocateFactory())
    for _ in range(10):
        MessageFactory(ticket=few[0], author_user=AdvocateFactory())
    assert cost("/api/tickets/") == small_list
    assert cost(f"/api/tickets/{few[0].pk}/") == small_ticket


def test_a_tokens_permissions_come_from_the_cache_and_a_role_taken_away_applies_on_the_next_call(client):
    """A call checks the user's permissions as a page does, from the permission cache (mentions.permissions.
    perm_cache): no query of the permission tables once they are cached; a change to the user's groups is seen
    by the very next call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = ManagerFactory()
    auth = _bearer(_token(user))
    assert client.get("/api/views/", headers=auth).status_code == 200  # fills the cache, writes last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/views/", headers=auth).status_code == 200
    permission_reads = [q["sql"] for q in queries if "auth_permission" in q["sql"]]
    assert permission_reads == []
    user.groups.clear()
    assert client.get("/api/views/", headers=auth).status_code == 403
