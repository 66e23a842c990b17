"""Issues through the API (api/issues_views.py): link an existing issue by its address, or file one on a GitLab
channel of the desk, against GitLab faked with `responses` in its documented shape (the create answer is
channels/adapters/gitlab/tests/fixtures/issue_new_docs.json, GitLab's doc/api/issues.md example). Requests as a
client sends them, with a read-write token."""

import json

import pytest
import responses
from django.test import Client

from api.tokens import token_create
from channels.adapters.gitlab.tests.shapes import BASE, ISSUES_URL, PROJECT
from mentions.models import IssueLink, IssueTicket
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from stories.tests.test_issue_followups import gitlab_tracker, issue_object

pytestmark = pytest.mark.django_db


def _api() -> Client:
    secret = token_create(user=AdvocateFactory(), name="t", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


@responses.activate
def test_an_issue_is_linked_by_its_address_or_filed_and_listed_on_the_ticket():
    gitlab_tracker()
    ticket = TicketFactory(subject="Runner stuck after 18.6")
    MessageFactory(ticket=ticket, channel=ticket.channel, body="@gitlab my runner is stuck after the upgrade")
    other = TicketFactory()
    filed: list[dict] = []

    def create(request):
        filed.append(json.loads(request.body))
        return 201, {}, json.dumps({**issue_object(), "iid": 15, "web_url": f"{BASE}/{PROJECT}/-/issues/15"})

    responses.add_callback(responses.POST, ISSUES_URL, callback=create, content_type="application/json")
    api = _api()
    address = f"{BASE}/{PROJECT}/-/issues/9"

    linked = api.post(f"/api/tickets/{ticket.pk}/issues/", {"url": address}, "application/json")
    again = api.post(f"/api/tickets/{other.pk}/issues/", {"url": address}, "application/json")
    made = api.post(
        f"/api/tickets/{ticket.pk}/issues/", {"project": PROJECT, "expert": "Ana (Runner)"}, "application/json"
    )
    detail = api.get(f"/api/tickets/{ticket.pk}/").json()

    assert linked.status_code == 200 and linked.json()["url"] == address and linked.json()["state"] == "open"
    assert again.status_code == 200 and IssueLink.objects.filter(number=9).count() == 1  # one issue, two tickets
    assert IssueTicket.objects.filter(issue__number=9).count() == 2
    assert made.status_code == 200 and made.json()["url"].endswith("/issues/15")
    assert "Ana (Runner)" in filed[0]["description"] and filed[0]["title"] == "Runner stuck after 18.6"
    assert {i["url"] for i in detail["issues"]} == {address, f"{BASE}/{PROJECT}/-/issues/15"}


def test_a_refused_issue_says_why():
    gitlab_tracker()
    ticket = TicketFactory()
    api = _api()

    nowhere = api.post(
        f"/api/tickets/{ticket.pk}/issues/", {"url": "https://example.com/a/b/-/issues/1"}, "application/json"
    )
    unknown = api.post(f"/api/tickets/{ticket.pk}/issues/", {"project": "nobody/knows"}, "application/json")
    empty = api.post(f"/api/tickets/{ticket.pk}/issues/", {}, "application/json")
    no_scheme = api.post(f"/api/tickets/{ticket.pk}/issues/", {"url": "gitlab.com/x"}, "application/json")

    assert nowhere.status_code == 409 and "not the address of an issue" in nowhere.json()["detail"]
    assert (
        unknown.status_code == 409
        and "No GitLab or GitHub channel of the desk reads nobody/knows" in unknown.json()["detail"]
    )
    assert empty.status_code == 400 and "project" in empty.json()
    assert no_scheme.status_code == 400 and "url" in no_scheme.json()
    assert not IssueLink.objects.exists()
