"""Replies that wait for an advocate's approval (issue 44): someone with an "Advocate for a day" grant, or an expert,
submits a reply; an advocate approves it (posted once, against a fake X endpoint: responses), edits it or rejects it
with a reason its writer sees. Advocates send directly."""

from datetime import timedelta

import pytest
import responses
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from channels.adapters.twitter import TWEETS_URL, TwitterAdapter
from channels.models import Account
from channels.tests.sent import request_json
from intake.pipeline import mentions_ingest
from mentions import services
from mentions.models import Message, ReplyApproval, Ticket, TicketEvent
from mentions.permissions.roles import EXPERTS, roles_ensure
from mentions.services.approvals import reply_needs_approval
from mentions.services.grants import advocate_grant_create
from mentions.tests.factories import AdvocateFactory, ManagerFactory, UserFactory, seen
from mentions.tests.pages import refused_page, result_slot
from mentions.tests.sending import x_channel
from mentions.ticket_page.history import history_lines

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind
A = ReplyApproval.Status
POSTED_ID = "1860000000000000009"


def _ticket() -> Ticket:
    """A tweet to @GitLab on an X channel whose @GitLab posts from the desk (as in test_send_reply.py)."""
    channel = x_channel()
    channel.credentials = {"bearer_token": "app", "oauth_client_id": "client-1", "oauth_client_secret": "secret"}
    channel.save()
    account = Account(channel=channel, username="GitLab", reply_mode=Account.ReplyMode.DESK, position=0)
    account.tokens = {"access_token": "tok-main", "refresh_token": "refresh-tok-main"}
    account.token_expires_at = timezone.now() + timedelta(hours=2)
    account.status = Account.Status.CONNECTED
    account.save()
    tweet = {
        "id": "1860000000000000001",
        "text": "@GitLab how do I cache node_modules?",
        "author_id": "u1",
        "created_at": "2026-11-20T10:00:00.000Z",
        "conversation_id": "1860000000000000001",
        "edit_history_tweet_ids": ["1860000000000000001"],
        "entities": {"mentions": [{"start": 0, "end": 7, "username": "GitLab"}]},
    }
    payload = {"data": [tweet], "includes": {"users": [{"id": "u1", "username": "dana_dev", "name": "Dana"}]}}
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(payload))
    return Ticket.objects.get()


def _posted() -> None:
    responses.post(TWEETS_URL, status=201, json={"data": {"id": POSTED_ID, "text": "ok"}})


def _helper(username: str = "pat", *, hours: float = 8, started_ago: timedelta = timedelta(0)):
    """Someone working the queue for a day through a grant, in no role group."""
    user = UserFactory(username=username)
    advocate_grant_create(
        user=user, granted_by=ManagerFactory(), hours=hours, starts_at=timezone.now() - started_ago, reason="Launch"
    )
    return user


def _expert(username: str = "erin"):
    user = UserFactory(username=username)
    roles_ensure()
    user.groups.add(Group.objects.get(name=EXPERTS))
    return user


def _submit(client, ticket, body="Cache node_modules with cache:key", **more):
    return client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": body, "handle": "", "token": "t-sub", "status": "solved", **more},
    )


def _decide(client, ticket, action, **more):
    approval = ReplyApproval.objects.get(ticket=ticket, status=A.PENDING)
    data = {"seen": seen(ticket), "approval": approval.pk, "action": action, **more}
    return client.post(reverse("mentions:ticket-approval", args=[ticket.pk]), data)


def _page_as(client, user, ticket: Ticket) -> str:
    """The ticket's page as `user` sees it (`client` signed in as them)."""
    client.force_login(user)
    return client.get(ticket.get_absolute_url()).content.decode()


@responses.activate
def test_a_grant_holders_reply_waits_for_approval_and_nothing_is_posted(client):
    ticket = _ticket()
    pat = _helper()
    page = _page_as(client, pat, ticket)
    assert 'data-testid="submit-for-approval"' in page and "Send reply" not in page
    assert "Replied elsewhere?" not in page  # nothing goes out without an advocate
    response = _submit(client, ticket)

    assert response.status_code == 302
    assert len(responses.calls) == 0  # the platform was never asked
    approval = ReplyApproval.objects.get(ticket=ticket)
    assert (approval.status, approval.body, approval.handle, approval.requested_by) == (
        A.PENDING,
        "Cache node_modules with cache:key",
        "GitLab",
        pat,
    )
    ticket.refresh_from_db()
    assert ticket.first_reply_at is None and ticket.status != Ticket.Status.SOLVED
    assert not ticket.messages.filter(kind=Message.Kind.OUR_REPLY).exists()
    [line] = [
        x.text for x in history_lines(ticket, ticket.events.select_related("actor")) if x.kind == K.REPLY_SUBMITTED
    ]
    assert line == "pat submitted a reply as @GitLab for an advocate's approval"
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="approval-yours"' in page and "Approve and send" not in page
    # Their reply cannot go around the approval: the Send path refuses them.
    with pytest.raises(PermissionDenied):
        services.ticket_send_reply(ticket=ticket, user=pat, body="Straight out", key="direct")
    assert len(responses.calls) == 0


@responses.activate
def test_an_advocate_approves_and_the_reply_is_posted_once_crediting_its_writer(client):
    ticket = _ticket()
    pat = _helper()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=pat)  # Play gave it to them: theirs to approve, for them
    client.force_login(pat)
    _submit(client, ticket)
    ada = AdvocateFactory(username="ada")
    client.force_login(ada)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="reply-approval"' in page and "Cache node_modules with cache:key" in page
    assert 'data-testid="approval-approve"' in page
    _posted()
    approval = ReplyApproval.objects.get(ticket=ticket)
    press = {"seen": seen(ticket), "approval": approval.pk, "action": "approve"}

    first = client.post(reverse("mentions:ticket-approval", args=[ticket.pk]), press)
    second = client.post(reverse("mentions:ticket-approval", args=[ticket.pk]), press)  # a double press

    assert first.status_code == 302 and second.status_code == 302
    assert len(responses.calls) == 1
    assert request_json(responses.calls[0].request) == {
        "text": "Cache node_modules with cache:key",
        "reply": {"in_reply_to_tweet_id": "1860000000000000001"},
    }
    reply = ticket.messages.get(kind=Message.Kind.OUR_REPLY)
    assert reply.external_id == POSTED_ID and reply.author_user == ada
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.message) == (A.APPROVED, ada, reply)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.first_reply_at is not None
    lines = [x.text for x in history_lines(ticket, ticket.events.select_related("actor"))]
    assert "ada approved pat's reply and sent it" in lines
    assert any(x.startswith("ada sent a reply as @GitLab on X (written by pat, approved)") for x in lines)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="reply-approval"' not in page  # nothing waits any more


@responses.activate
def test_a_rejected_reply_shows_its_writer_why_and_nothing_is_posted(client):
    ticket = _ticket()
    pat = _helper()
    client.force_login(pat)
    _submit(client, ticket)
    ada = AdvocateFactory(username="ada")
    client.force_login(ada)

    assert _decide(client, ticket, "reject", reason="Link the <docs> page instead").status_code == 302

    assert len(responses.calls) == 0
    approval = ReplyApproval.objects.get(ticket=ticket)
    assert (approval.status, approval.reason, approval.decided_by) == (A.REJECTED, "Link the <docs> page instead", ada)
    client.force_login(pat)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="approval-rejected"' in page
    assert "ada rejected it" in page and "Link the &lt;docs&gt; page instead" in page  # escaped
    lines = [x.text for x in history_lines(ticket, ticket.events.select_related("actor"))]
    assert "ada rejected pat's reply: “Link the <docs> page instead”" in lines
    # Another advocate does not see someone else's rejected reply above the composer.
    client.force_login(AdvocateFactory())
    assert 'data-testid="reply-approval"' not in client.get(ticket.get_absolute_url()).content.decode()


def test_a_rejection_needs_a_reason(client):
    ticket = _ticket()
    client.force_login(_helper())
    _submit(client, ticket)
    client.force_login(AdvocateFactory())

    page = refused_page(client, _decide(client, ticket, "reject", reason="  "), ticket, "approval")

    assert "Say why, for the person who wrote it." in result_slot(page, "approval")
    assert ReplyApproval.objects.get(ticket=ticket).status == A.PENDING


def test_edit_puts_the_reply_in_the_reply_box_and_it_no_longer_waits(client):
    ticket = _ticket()
    client.force_login(_helper())
    _submit(client, ticket, body="Try cache:key & pnpm")
    client.force_login(AdvocateFactory(username="ada"))

    assert _decide(client, ticket, "edit").status_code == 302

    ticket.refresh_from_db()
    assert ticket.reply_draft == "Try cache:key & pnpm"
    assert ReplyApproval.objects.get(ticket=ticket).status == A.WITHDRAWN
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert ">Try cache:key &amp; pnpm</textarea>" in page and 'data-testid="reply-approval"' not in page
    assert "ada took pat's reply into the reply box to edit it" in [
        x.text for x in history_lines(ticket, ticket.events.select_related("actor"))
    ]


@responses.activate
def test_an_advocate_in_the_advocates_group_sends_directly(client):
    ticket = _ticket()
    ada = AdvocateFactory()
    page = _page_as(client, ada, ticket)
    assert "Send reply" in page and 'data-testid="submit-for-approval"' not in page
    _posted()

    assert _submit(client, ticket).status_code == 302

    assert len(responses.calls) == 1
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1
    assert not ReplyApproval.objects.exists()
    assert not reply_needs_approval(ada)
    # A grant on top of the role changes nothing: the role sends.
    advocate_grant_create(user=ada, granted_by=ManagerFactory(), hours=2)
    assert not reply_needs_approval(ada)


@responses.activate
def test_an_expert_submits_for_approval_but_cannot_send_assign_or_change_status(client):
    ticket = _ticket()
    erin = _expert()
    client.force_login(erin)

    assert client.get("/").status_code == 403  # not the queue
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="submit-for-approval"' in page.content.decode()
    assert _submit(client, ticket).status_code == 302
    assert ReplyApproval.objects.get(ticket=ticket).requested_by == erin
    with pytest.raises(PermissionDenied):
        services.ticket_send_reply(ticket=ticket, user=erin, body="Straight out", key="direct")
    status = client.post(
        reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": seen(ticket), "status": "solved"}
    )
    assign = client.post(
        reverse("mentions:ticket-assign", args=[ticket.pk]), {"seen": seen(ticket), "assignee": erin.pk}
    )
    approve = _decide(client, ticket, "approve")

    assert (status.status_code, assign.status_code, approve.status_code) == (403, 403, 403)
    assert len(responses.calls) == 0
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status != Ticket.Status.SOLVED
    assert ReplyApproval.objects.get(ticket=ticket).status == A.PENDING


def test_a_grant_that_expired_cannot_submit(client):
    ticket = _ticket()
    pat = _helper(hours=1, started_ago=timedelta(hours=2))
    client.force_login(pat)

    assert _submit(client, ticket).status_code == 403

    assert not ReplyApproval.objects.exists()
    assert client.get(ticket.get_absolute_url()).status_code == 403


def test_images_wait_for_the_approval_and_a_second_submission_replaces_the_first(client):
    ticket = _ticket()
    pat = _helper()
    client.force_login(pat)
    _submit(client, ticket, body="First try")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("shot.png", png, content_type="image/png")
    refused = _submit(client, ticket, body="With a picture", image=image, image_alt="The settings page")
    page = refused_page(client, refused, ticket, "send")

    assert "Images go with an approved reply: attach them after approval." in result_slot(page, "send")
    assert list(ReplyApproval.objects.values_list("body", "status")) == [("First try", A.PENDING)]
    assert _submit(client, ticket, body="Second try").status_code == 302
    assert sorted(ReplyApproval.objects.values_list("body", "status")) == [
        ("First try", A.WITHDRAWN),
        ("Second try", A.PENDING),
    ]
    # Another helper's reply does not replace the one waiting.
    client.force_login(_helper("sam"))
    page = refused_page(client, _submit(client, ticket, body="Mine"), ticket, "send")
    assert "A reply by pat is waiting for approval on this ticket already." in result_slot(page, "send")


def test_the_queue_lists_the_replies_waiting_for_approval(client):
    ticket = _ticket()
    client.force_login(_helper())
    _submit(client, ticket)
    client.force_login(AdvocateFactory())

    page = client.get("/").content.decode()

    assert 'data-testid="queue-approvals"' in page
    assert f'href="/tickets/{ticket.pk}/#reply-approval">#{ticket.pk}</a> by pat' in page


def test_the_reply_waiting_costs_the_ticket_page_one_query_and_none_without_one(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = _ticket()
    ada = AdvocateFactory()

    def queries() -> int:
        client.get(ticket.get_absolute_url())  # the steady state: loaded once before it is counted
        with CaptureQueriesContext(connection) as captured:
            client.get(ticket.get_absolute_url())
        return len(captured)

    client.force_login(ada)
    without = queries()
    client.force_login(_helper())
    _submit(client, ticket)
    client.force_login(ada)
    waiting = queries()

    # Without one, the page's count is tests/test_query_counts.py's (its latest approval's id comes with the ticket).
    assert waiting == without + 1


@responses.activate
def test_a_reply_the_platform_refuses_keeps_waiting_and_the_next_press_tries_again(client):
    ticket = _ticket()
    client.force_login(_helper())
    _submit(client, ticket)
    client.force_login(AdvocateFactory())
    responses.post(TWEETS_URL, status=403, json={"title": "Forbidden", "detail": "You are not allowed to post that."})
    _posted()

    page = refused_page(client, _decide(client, ticket, "approve"), ticket, "approval")

    assert "not allowed to post that" in result_slot(page, "approval")
    assert ReplyApproval.objects.get(ticket=ticket).status == A.PENDING
    assert 'data-testid="reply-approval"' in page  # still waiting, to approve again, edit or reject
    assert _decide(client, ticket, "approve").status_code == 302
    assert len(responses.calls) == 2
    assert ReplyApproval.objects.get(ticket=ticket).status == A.APPROVED
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == 1
