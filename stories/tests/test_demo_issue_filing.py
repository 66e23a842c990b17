"""An issue filed from the desk on the demo (DESK_DEMO_REPLAY on), through the desk's own services and tasks: the
Issue panel's service (stories.issues.linking.issue_file) files it as the demo account of the tracker's channel, and
the follow-up beat's task (stories.tasks.issues_follow) follows it. Nothing is mocked: each tracker is answered by
its demo replay, in the shapes of its recorded or documented answers:

- GitLab: channels/adapters/gitlab/replay_writes.py, docs.gitlab.com "Issues API", "New issue" (the documented
  example response channels/adapters/gitlab/tests/fixtures/issue_new_docs.json, SOURCES.md);
- Jira Cloud: channels/adapters/jira/replay.py, Atlassian's documented examples of "Create issue" and "Get issue"
  (channels/adapters/jira/tests/fixtures: issue_created.json, issue_open.json, issue_done.json; SOURCES.md);
- Linear: channels/adapters/linear/replay.py, Linear's schema and documented answers (channels/adapters/linear/tests/
  fixtures: issue_created.json, issue_started.json, issue_completed.json, teams.json; SOURCES.md).

The demo's Jira and Linear move an issue one step at each of the desk's reads (channels.demo.kept): in progress at
the first, done at the second, when each of its tickets gets its follow-up drafted, as in production.
Here, not beside the replays' other tests, because channels never imports stories (the import contract)."""

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from channels.adapters.gitlab.replay_writes import MADE_IID
from channels.demo.accounts import demo_accounts_ensure
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import poll
from mentions.models import IssueLink, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory
from stories.issues.linking import issue_file, issue_link_url
from stories.models import IssueFollowUp
from stories.tasks import issues_follow

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
# Where each demo tracker files (its channel's first project or team) and the address of its first issue.
TRACKERS = {
    "jira": ("DESK", "https://gitlab-demo.atlassian.net/browse/DESK-101"),
    "linear": ("ENG", "https://linear.app/gitlab-demo/issue/ENG-101/runner-hangs-after-the-upgrade"),
}


def _ticket() -> Ticket:
    """A ticket of the demo week, from the GitLab demo channel's first poll."""
    channel = demo.channel("gitlab", ANCHOR)
    poll(channel)
    ticket = Ticket.objects.filter(channel=channel).order_by("id").first()
    assert ticket is not None  # the poll stored the week's issues
    return ticket


@time_machine.travel(ANCHOR, tick=False)
def test_an_issue_filed_from_the_desk_is_answered_with_its_number_and_address():
    ticket = _ticket()
    demo_accounts_ensure()
    link = issue_file(
        tickets=[ticket], user=AdvocateFactory(), where=f"{ticket.channel_id}:gitlab-org/gitlab", title="Runner hangs"
    )
    assert link.number >= MADE_IID
    assert link.url == f"https://gitlab.com/gitlab-org/gitlab/-/issues/{link.number}"


def _follow(at: datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return issues_follow()


@pytest.mark.parametrize("kind", list(TRACKERS))
def test_an_issue_filed_on_a_demo_tracker_is_followed_to_done_and_its_follow_up_drafted(kind):
    project, address = TRACKERS[kind]
    every = timedelta(minutes=settings.DESK_ISSUE_FOLLOW_MINUTES, seconds=1)
    with time_machine.travel(ANCHOR, tick=False):
        ticket = _ticket()
        tracker = demo.channel(kind, ANCHOR)
        demo_accounts_ensure()  # our account on the tracker, connected as the demo seed connects it
        link = issue_file(
            tickets=[ticket],
            user=AdvocateFactory(),
            where=f"{tracker.pk}:{project}",
            title="Runner hangs after the upgrade",
        )
    assert (link.project, link.number, link.url, link.state) == (project, 101, address, IssueLink.State.OPEN)
    assert link.title == "Runner hangs after the upgrade"

    # The first read: in progress. Nothing to tell yet.
    assert _follow(ANCHOR + timedelta(minutes=1)) == {"read": 1, "failed": 0, "drafted": 0}
    link.refresh_from_db()
    assert link.state == IssueLink.State.OPEN and link.check_error == "" and link.milestone == ""
    assert not IssueFollowUp.objects.exists()
    # Not read again before it is due.
    assert _follow(ANCHOR + timedelta(minutes=2)) == {"read": 0, "failed": 0, "drafted": 0}

    # The next read: done, in 18.7; the ticket's follow-up is drafted and its history says so.
    done_at = ANCHOR + timedelta(minutes=1) + every
    assert _follow(done_at) == {"read": 1, "failed": 0, "drafted": 1}
    link.refresh_from_db()
    assert (link.state, link.milestone, link.closed_at) == (IssueLink.State.CLOSED, "18.7", done_at)
    (followup,) = IssueFollowUp.objects.all()
    assert (followup.ticket_id, followup.event, followup.status) == (ticket.pk, "closed", IssueFollowUp.Status.DRAFT)
    assert "Fixed in 18.7" in followup.body and address in followup.body
    drafted = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ISSUE, data__action="event")
    assert list(drafted.values_list("data__event", flat=True)) == ["closed"]

    # Done is where it ends: the link is no longer read, nothing more is drafted.
    assert _follow(done_at + every * 2) == {"read": 0, "failed": 0, "drafted": 0}
    assert IssueFollowUp.objects.count() == 1


@pytest.mark.parametrize(("minutes", "said"), [(1, "read every minute."), (15, "read every 15 minutes.")])
def test_the_issue_page_shows_the_drafted_follow_up_and_how_often_issues_are_read(settings, minutes, said):
    """The demo reads its trackers every minute (DESK_ISSUE_FOLLOW_MINUTES): the issue's page says so, not 15."""
    settings.DESK_ISSUE_FOLLOW_MINUTES = minutes
    with time_machine.travel(ANCHOR, tick=False):
        ticket = _ticket()
        tracker = demo.channel("jira", ANCHOR)
        demo_accounts_ensure()
        advocate = AdvocateFactory()
        link = issue_file(tickets=[ticket], user=advocate, where=f"{tracker.pk}:DESK", title="Runner hangs")
    for step in (1, 2):
        _follow(ANCHOR + timedelta(minutes=minutes * step, seconds=step))
    client = Client()
    client.force_login(advocate)
    page = client.get(reverse("stories:issue", args=[link.pk])).content.decode()
    (followup,) = IssueFollowUp.objects.filter(issue=link)
    assert html.escape(followup.body) in page and "Fixed in 18.7" in page
    assert f"Open issues are {said}" in page


@pytest.mark.parametrize("kind", list(TRACKERS))
@time_machine.travel(ANCHOR, tick=False)
def test_an_issue_the_demo_tracker_never_filed_is_gone_there(kind):
    """Linked by its address (made up), the issue is read as the tracker reads an unknown key: gone, said on the link,
    nothing drafted."""
    _, address = TRACKERS[kind]
    ticket = _ticket()
    demo.channel(kind, ANCHOR)
    link = issue_link_url(tickets=[ticket], user=AdvocateFactory(), url=address.replace("-101", "-7"))
    assert issues_follow() == {"read": 0, "failed": 1, "drafted": 0}
    link.refresh_from_db()
    assert link.state == IssueLink.State.OPEN and "no such issue" in link.check_error
