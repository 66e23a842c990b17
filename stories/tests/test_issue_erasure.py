"""Erasing a person reaches the desk's copy of an issue filed from their ticket: the issue took their ticket's
subject as its title, so the desk's copy is titled "[erased]", and the follow-up run, which reads the issue again
from the tracker (where the desk cannot erase it), does not bring the title back. An issue titled by the advocate
keeps its title less the person's strings.

Shapes: GitLab's "New issue" and "Single project issue" answers are the documented issue object of
channels/adapters/gitlab/tests/fixtures/issue_new_docs.json (SOURCES.md: doc/api/issues.md's example response),
with `iid`, `web_url`, `title`, `state` replaced, served by `responses` at GitLab's documented addresses."""

from __future__ import annotations

import json

import pytest
import responses

from channels.adapters.gitlab.tests.shapes import ISSUES_URL, PROJECT
from mentions.models import IssueLink
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory
from people.erasing import ERASED
from people.models import Authorship, Identity, Person, Requester
from people.privacy import person_erase
from stories.issues.follow import issues_follow
from stories.issues.linking import issue_file
from stories.tests.test_issue_followups import gitlab_tracker, issue_object

pytestmark = pytest.mark.django_db

SUBJECT = "Runner 18.6 loses the cache key when vera_kowalska retries a job"


def _ticket_of_vera():
    person = Person.objects.create(name="Vera Kowalska")
    identity = Identity.objects.create(
        person=person, platform="hackernews", key="vera_kowalska", handle="vera_kowalska"
    )
    ticket = TicketFactory(subject=SUBJECT, requester_handle="vera_kowalska")
    message = MessageFactory(ticket=ticket, body=SUBJECT)
    Requester.objects.create(ticket=ticket, identity=identity)
    Authorship.objects.create(message=message, identity=identity)
    return person, ticket


def _filed(ticket, *, title: str, advocate) -> IssueLink:
    tracker = gitlab_tracker()
    issue = issue_object(title=title or SUBJECT)
    responses.post(ISSUES_URL, json=issue, status=201)
    responses.get(f"{ISSUES_URL}/14", body=json.dumps(issue), content_type="application/json")
    return issue_file(tickets=[ticket], user=advocate, where=f"{tracker.pk}:{PROJECT}", title=title)


@responses.activate
def test_an_issue_titled_by_their_subject_is_erased_and_not_read_back_from_the_tracker():
    person, ticket = _ticket_of_vera()
    link = _filed(ticket, title="", advocate=AdvocateFactory())
    assert link.title == SUBJECT

    person_erase(person=person, actor=ManagerFactory(), via="page")
    link.refresh_from_db()
    assert link.title == ERASED

    # The tracker still answers with the title it was filed under: read, the state kept, the title not.
    assert issues_follow()["read"] == 1
    link.refresh_from_db()
    assert link.title == ERASED and link.last_checked_at is not None


@responses.activate
def test_an_issue_the_advocate_titled_keeps_its_title_without_their_strings():
    person, ticket = _ticket_of_vera()
    link = _filed(ticket, title="Cache key lost on retry (reported by vera_kowalska)", advocate=AdvocateFactory())

    person_erase(person=person, actor=ManagerFactory(), via="page")
    link.refresh_from_db()
    assert link.title == f"Cache key lost on retry (reported by {ERASED})"
