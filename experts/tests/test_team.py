"""Who counts as the team: an account tied to a desk user by sign-in answers for the team without being in the
experts' directory.

Shapes: GitHub issues and comments from the recorded responses of channels/adapters/github/tests/fixtures
(SOURCES.md; built by its shapes.py), and the desk user's social account as django-allauth's GitHub provider
stores it: `uid` the account's id, `extra_data` the `GET /user` answer (the recorded `user.json`, PyGithub's
`AuthenticatedUser.testAttributes`, login `jacquev6`).
"""

import pytest
from allauth.socialaccount.models import SocialAccount

from channels.adapters.github import GitHubAdapter
from channels.adapters.github.tests.shapes import comment, github_channel, issue, load
from experts.models import Expert, ExpertIdentity
from experts.team import team_authors
from intake.hooks import TeamMember
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

KIND = "github"
GITHUB_USER = load("user.json")
LOGIN = GITHUB_USER["login"]  # "jacquev6"


def _signed_in(user):
    return SocialAccount.objects.create(user=user, provider=KIND, uid=str(GITHUB_USER["id"]), extra_data=GITHUB_USER)


def _ingest(channel, *items):
    return mentions_ingest(
        channel=channel, mentions=GitHubAdapter().parse_page_for_channel(list(items), channel=channel).mentions
    )


@pytest.fixture
def asked():
    channel = github_channel()
    question = issue(7, at="2026-11-02T09:00:00Z", login="asker")
    _ingest(channel, question)
    return channel, question, Ticket.objects.get(channel=channel)


def test_a_signed_in_users_public_answer_is_the_teams_without_the_expert_directory(asked):
    channel, question, ticket = asked
    user = AdvocateFactory()
    _signed_in(user)
    assert not ExpertIdentity.objects.exists()

    result = _ingest(channel, question, comment(501, 7, at="2026-11-02T10:00:00Z", login=LOGIN))

    assert (result.tickets_created, result.our_replies) == (0, 1)
    answer = Message.objects.get(external_id__endswith="501")
    assert answer.kind == Message.Kind.OUR_REPLY and answer.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.first_reply_seconds == 3600


def test_the_same_answer_by_an_unlinked_account_is_the_communitys(asked):
    channel, question, ticket = asked
    _ingest(channel, question, comment(502, 7, at="2026-11-02T10:00:00Z", login=LOGIN))
    other = Message.objects.get(external_id__endswith="502")
    assert other.kind == Message.Kind.INBOUND and other.ticket == ticket


def test_a_user_who_left_no_longer_answers_for_the_team(asked):
    channel, question, ticket = asked
    _signed_in(AdvocateFactory(is_active=False))
    _ingest(channel, question, comment(503, 7, at="2026-11-02T10:00:00Z", login=LOGIN))
    other = Message.objects.get(external_id__endswith="503")
    assert other.kind == Message.Kind.INBOUND and other.ticket == ticket


def test_the_selector_says_who_in_two_queries(django_assert_num_queries):
    linked = AdvocateFactory()
    _signed_in(linked)
    both = AdvocateFactory()
    expert = Expert.objects.create(name="Vera", user=both)
    ExpertIdentity.objects.create(expert=expert, kind=KIND, handle="Vera-CI")
    only_expert = Expert.objects.create(name="Group")
    ExpertIdentity.objects.create(expert=only_expert, kind=KIND, handle="ci-group")
    SocialAccount.objects.create(user=AdvocateFactory(), provider="gitlab", uid="9", extra_data={"username": "dana"})

    with django_assert_num_queries(2):
        found = team_authors(kind=KIND, handles={f"@{LOGIN.upper()}", "vera-ci", "ci-group", "dana", "stranger"})

    assert found == {
        LOGIN: TeamMember(expert_id=None, user_id=linked.pk),
        "vera-ci": TeamMember(expert_id=expert.pk, user_id=both.pk),
        "ci-group": TeamMember(expert_id=only_expert.pk, user_id=None),
    }  # "dana" signed in on another platform, "stranger" is nobody's
