"""Replies waiting for approval from the API (api/approval_views.py): a grant's holder's send answers 202 with the
approval and posts nothing; an advocate approves it (posted once, against a fake X: responses) or rejects it."""

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile

from api.tokens import token_create
from channels.tests.images import png_bytes
from mentions.models import Message, ReplyApproval
from mentions.tests.factories import AdvocateFactory
from mentions.tests.test_reply_approval import _helper, _posted, _ticket

pytestmark = pytest.mark.django_db
A = ReplyApproval.Status


def _auth(user):
    return {"Authorization": f"Bearer {token_create(user=user, name='t', scope='write', days=1)[1]}"}


def _send(client, ticket, auth, body="Cache node_modules with cache:key"):
    return client.post(
        f"/api/tickets/{ticket.pk}/send/", {"body": body, "key": "k1"}, content_type="application/json", headers=auth
    )


def _decide(client, ticket, auth, **body):
    return client.post(f"/api/tickets/{ticket.pk}/approval/", body, content_type="application/json", headers=auth)


@responses.activate
def test_a_grant_holders_send_is_kept_for_approval_then_an_advocate_approves_it_once(client):
    ticket = _ticket()
    helper = _auth(_helper())

    submitted = _send(client, ticket, helper)

    assert submitted.status_code == 202
    approval = ReplyApproval.objects.get(ticket=ticket)
    assert submitted.json()["id"] == approval.pk and submitted.json()["status"] == "pending"
    assert submitted.json()["requested_by"] == "pat" and submitted.json()["message"] is None
    assert len(responses.calls) == 0
    assert _decide(client, ticket, helper, action="approve").status_code == 403  # not theirs to approve
    _posted()
    advocate = _auth(AdvocateFactory(username="ada"))

    approved = _decide(client, ticket, advocate, action="approve")
    again = _decide(client, ticket, advocate, action="approve")

    assert approved.status_code == 200
    reply = Message.objects.get(ticket=ticket, kind=Message.Kind.OUR_REPLY)
    assert approved.json()["status"] == "approved" and approved.json()["message"] == reply.pk
    assert approved.json()["decided_by"] == "ada"
    assert again.status_code == 409 and again.json() == {"detail": "No reply waits for approval on this ticket."}
    assert len(responses.calls) == 1


def test_a_rejection_gives_its_reason(client):
    ticket = _ticket()
    _send(client, ticket, _auth(_helper()))
    advocate = _auth(AdvocateFactory())

    no_reason = _decide(client, ticket, advocate, action="reject")
    rejected = _decide(client, ticket, advocate, action="reject", reason="Link the docs page instead.")

    assert no_reason.status_code == 400 and no_reason.json() == {"reason": ["Say why, for the person who wrote it."]}
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "Link the docs page instead.")
    assert ReplyApproval.objects.get(ticket=ticket).status == A.REJECTED


def test_an_image_waits_for_the_approval_a_400_on_its_field(client):
    ticket = _ticket()
    image = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")

    answer = client.post(
        f"/api/tickets/{ticket.pk}/send/",
        {"body": "Here it is.", "image": [image], "image_alt": ["The settings page"]},
        headers=_auth(_helper()),
    )

    assert answer.status_code == 400
    assert answer.json() == {"image": ["Images go with an approved reply: attach them after approval."]}
    assert not ReplyApproval.objects.exists()


@responses.activate
def test_an_advocates_send_is_not_kept_for_approval(client):
    ticket = _ticket()
    _posted()
    sent = _send(client, ticket, _auth(AdvocateFactory()))
    assert len(responses.calls) == 1
    assert sent.status_code == 200 and sent.json()["status"] == "solved"
    assert not ReplyApproval.objects.exists()
