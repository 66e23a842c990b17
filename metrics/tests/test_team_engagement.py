"""The monthly report's team engagement (metrics.engagement) on a constructed October, counted by hand below.

The rows are the desk's own (our replies seen on the platform, the share-answered events the thread watcher
writes: notifications/tests/test_share_watch.py drives those from recorded Hacker News payloads), and a desk
user's social account as django-allauth's GitHub provider stores it (`extra_data` the `GET /user` answer,
the recorded channels/adapters/github/tests/fixtures/user.json, login `jacquev6`).

By hand, October 2026:
- Vera (expert with a desk user; Hacker News `vera_dev`, GitHub `vera-gh`): 2 answers on Hacker News (one
  after a share to #product), 1 on GitHub.
- CI group (expert, no desk user; Hacker News `ci-group`): 1 answer on Hacker News, after a share to #product.
- Jacques (desk user signed in with GitHub, not in the directory): 2 answers on GitHub, one after a share to #ci.
- Not counted: the channel's own account `gitlabhq` (the desk answering), the requester, a reply recorded in the
  desk but never seen on the platform (no platform id), Vera's answers on 30 September and 1 November.
So 3 members, 6 answers, 3 after a share (#product 2, #ci 1); GitHub 2 members 3 answers 1 after a share,
Hacker News 2 members 3 answers 2 after a share (a tie on answers: by name).
"""

from datetime import UTC, date, datetime

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from channels.adapters.github.tests.shapes import github_channel, load
from channels.tests.factories import ChannelFactory
from experts.models import Expert, ExpertIdentity
from mentions.models import Message, TicketEvent
from mentions.tests.factories import MessageFactory, TicketFactory, UserFactory
from metrics.engagement import team_engagement
from metrics.report_text import MONTHLY, period_parse
from metrics.reports import report_texts

pytestmark = pytest.mark.django_db

OCTOBER = period_parse(MONTHLY, "2026-10")


def _at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def _reply(channel, handle, at, *, share="", external_id: str | None = "auto"):
    ticket = TicketFactory(channel=channel, requested_at=at.replace(hour=9))
    MessageFactory(ticket=ticket, platform_created_at=ticket.requested_at)  # the question
    fields = {} if external_id == "auto" else {"external_id": external_id}
    reply = MessageFactory(
        ticket=ticket, kind=Message.Kind.OUR_REPLY, author_handle=handle, platform_created_at=at, **fields
    )
    if share:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.NOTE,
            data={"share": 1, "share_answered": share, "answer_seconds": 60, "external_id": reply.external_id},
        )
    return reply


@pytest.fixture
def october():
    hn = ChannelFactory(kind="hackernews", our_accounts=["gitlabhq"])
    gh = github_channel()
    vera = Expert.objects.create(name="Vera", user=UserFactory())
    ExpertIdentity.objects.create(expert=vera, kind="hackernews", handle="vera_dev")
    ExpertIdentity.objects.create(expert=vera, kind="github", handle="vera-gh")
    group = Expert.objects.create(name="CI group")
    ExpertIdentity.objects.create(expert=group, kind="hackernews", handle="ci-group")
    user = load("user.json")
    SocialAccount.objects.create(user=UserFactory(), provider="github", uid=str(user["id"]), extra_data=user)

    _reply(hn, "vera_dev", _at(3))
    _reply(hn, "Vera_Dev", _at(10), share="#product")
    _reply(hn, "ci-group", _at(11), share="#product")
    _reply(gh, "vera-gh", _at(12))
    _reply(gh, "jacquev6", _at(20))
    _reply(gh, "jacquev6", _at(31), share="#ci")
    # Not counted:
    _reply(hn, "gitlabhq", _at(4))
    MessageFactory(ticket=TicketFactory(channel=hn), platform_created_at=_at(5))  # a requester
    _reply(hn, "vera_dev", _at(6), external_id=None)  # recorded in the desk, never seen there
    _reply(hn, "vera_dev", _at(30, month=9))
    _reply(hn, "vera_dev", datetime(2026, 11, 1, tzinfo=UTC))


EXPECTED = {
    "members": 3,
    "answers": 6,
    "after_share": 3,
    "platforms": [
        {"platform": "GitHub", "members": 2, "answers": 3, "after_share": 1},
        {"platform": "Hacker News", "members": 2, "answers": 3, "after_share": 2},
    ],
    "shares": [{"slack_channel": "#product", "answers": 2}, {"slack_channel": "#ci", "answers": 1}],
}


def test_the_constructed_month_counted_by_hand_in_four_queries(october, django_assert_num_queries):
    with django_assert_num_queries(4):
        figures = team_engagement(start=OCTOBER.start, end=OCTOBER.end)
    assert figures == EXPECTED


def test_a_month_without_team_answers_says_so_in_one_query(october, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = team_engagement(start=date(2026, 8, 1), end=date(2026, 8, 31))
    assert figures == {"members": 0, "answers": 0, "after_share": 0, "platforms": [], "shares": []}


def test_the_monthly_report_says_it(october):
    slack, _, body = report_texts(OCTOBER, now=datetime(2026, 11, 1, 8, tzinfo=UTC))
    line = (
        "Team members answering in public: 3, 6 answers (GitHub 2 (3 answers), Hacker News 2 (3 answers)); "
        "after a share to Slack: 3 (#product 2, #ci 1)"
    )
    assert line in body.splitlines()
    assert f"• {line}" in slack.splitlines()


def test_the_monthly_page_and_its_csv_say_it(october, manager_client):
    page = manager_client.get(reverse("metrics:monthly"), {"month": "2026-10"}).content.decode()
    assert "3 team members answered in public (6 answers); 3 followed a share to Slack: #product 2, #ci 1." in page
    csv = manager_client.get(reverse("metrics:export", args=["engagement"]), {"from": "2026-10-01", "to": "2026-10-31"})
    assert b"".join(csv.streaming_content).decode().splitlines() == [
        "platform,members,answers,after_share",
        "All platforms,3,6,3",
        "GitHub,2,3,1",
        "Hacker News,2,3,2",
    ]
