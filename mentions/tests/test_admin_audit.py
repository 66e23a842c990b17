"""Django admin does not change tickets behind the audit trail."""

import pytest
from django.urls import reverse

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind


def change(admin_client, ticket, **fields):
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee_id or "",
        "tags": [t.pk for t in ticket.tags.all()],
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
        **fields,
    }
    return admin_client.post(reverse("admin:mentions_ticket_change", args=[ticket.pk]), data)


def test_an_admin_edit_writes_the_same_events_as_the_desk(admin_client):
    ticket = TicketFactory()
    ada = AdvocateFactory(username="ada")
    tag = ticket.tags.model.objects.create(name="security")

    response = change(admin_client, ticket, status="open", priority="urgent", assignee=ada.pk, tags=[tag.pk])

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.high_priority, ticket.assignee) == ("open", "urgent", True, ada)
    assert ticket.sla_target == Ticket.SlaTarget.SECURITY
    events = [(e.kind, e.data.get("via") or e.data.get("reason") or e.data.get("tag")) for e in ticket.events.all()]
    assert events == [
        (K.STATUS, "changed in admin"),
        (K.PRIORITY, "admin"),
        (K.ASSIGNED, "admin"),
        (K.TAG_ADDED, "security"),
    ]
    assert all(e.actor is not None and e.actor.is_superuser for e in ticket.events.all())
    # Saving again unchanged records nothing.
    change(admin_client, ticket)
    assert ticket.events.count() == 4


def test_the_audit_trail_cannot_be_added_changed_or_deleted_in_admin(admin_client):
    ticket = TicketFactory()
    event = TicketEvent.objects.create(ticket=ticket, kind=K.NOTE, data={"message_id": 1})
    assert admin_client.get(reverse("admin:mentions_ticketevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:mentions_ticketevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(reverse("admin:mentions_ticketevent_change", args=[event.pk]), {"kind": "status"})
    event.refresh_from_db()
    assert event.kind == K.NOTE
    assert admin_client.get(reverse("admin:mentions_ticket_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:mentions_ticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    )
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_views_statuses_are_checkboxes_in_admin(admin_client):
    from mentions.models import View

    view = View.objects.create(name="Forum", slug="forum-x")
    page = admin_client.get(reverse("admin:mentions_view_change", args=[view.pk])).content.decode()
    assert 'type="checkbox" name="statuses" value="pending"' in page
    data = {
        "name": "Forum",
        "slug": "forum-x",
        "position": 0,
        "is_active": "on",
        "statuses": ["open", "pending"],
        "order": "oldest",
        "solve_on_expert_reply": "on",
    }
    response = admin_client.post(reverse("admin:mentions_view_change", args=[view.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    view.refresh_from_db()
    assert view.statuses == ["open", "pending"] and view.waiting_statuses == ["open", "pending"]
