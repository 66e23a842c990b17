"""When no earlier answer fits (praise, events, small talk), the Answers panel says so (the API's empty list:
api/tests/test_suggestions_api.py); the product's own words (as the channels follow it) and everyday words are
no evidence; a repeat still finds its answer. No platform is called: tickets and our replies are stored as the
ingest stores them (mentions factories; their channels follow "gitlab", with the account "gitlabhq")."""

from __future__ import annotations

import pytest

from answers.index.follow import answers_index
from answers.product import channel_words, product_stems
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.ranking import ticket_suggestions
from answers.suggestions.stored import suggestions_store
from answers.tests.test_suggestions import answered, asking
from channels.models import Channel
from mentions.meaning import ticket_vectors
from mentions.models import Ticket

pytestmark = pytest.mark.django_db

NONE = "No earlier answer fits this mention"


PRAISE = "Just want to say @gitlab is great, thank you team, have a good week! Love the product"
REPEAT = ("Runner offline again", "our runner is offline after the upgrade and every job is stuck pending")


def gitlab_desk() -> dict[str, Ticket]:
    """Earlier answers as a GitLab desk holds them: the product's name in most questions, with everyday words."""
    return {
        "runner": answered(
            "GitLab runner offline",
            "@gitlab our runner shows offline since this morning, great start of the week. jobs stuck pending",
            "Re-register the runner with its authentication token: https://docs.example.com/runner/register",
        ),
        "registry": answered(
            "Registry login denied",
            "docker login to the gitlab container registry says denied, thanks for any help team",
            "Log in with a deploy token that has read_registry: https://docs.example.com/registry/auth",
        ),
        "pages": answered(
            "Pages site shows 404",
            "my gitlab pages site is a 404 after the pipeline passed, good news is the build works",
            "Publish the site to public/ in a job called pages: https://docs.example.com/pages",
        ),
        "mirror": answered(
            "Push mirror to GitHub fails",
            "gitlab push mirror to github fails with authentication failed every night",
            "Use a GitHub token with repo scope as the mirror's password: https://docs.example.com/mirror",
        ),
        "backup": answered(
            "Backup restore version mismatch",
            "restoring a gitlab backup on the new server fails with version mismatch, love the product otherwise",
            "Install the exact version the backup was made with, restore, then upgrade.",
        ),
    }


@pytest.fixture
def desk() -> dict[str, Ticket]:
    return gitlab_desk()


def test_praise_gets_no_suggestion_and_the_panel_says_so_calmly_while_a_repeat_gets_its_answer(desk, advocate_client):
    answers_index()
    # It shares "great", "week" with one answer, "love", "product" with another, "team", "good" with others: chance
    # matches of everyday words, under the floor. (Three or more with one answer would pass it: docs/answers.md.)
    praise = asking("", PRAISE)
    suggestions_store([praise.pk])  # as the worker does when the ticket arrives (answers.suggestions.stored)
    html = advocate_client.get(f"/tickets/{praise.pk}/panels/answers/").content.decode()
    assert [s.why for s in ticket_suggestions(praise)] == []
    assert NONE in html
    assert 'data-testid="answer-suggestion"' not in html
    assert "error" not in html.split('data-testid="answer-none"')[1].split("</p>")[0]  # a plain muted line

    repeat = asking(*REPEAT)
    suggestions_store([repeat.pk])
    html = advocate_client.get(f"/tickets/{repeat.pk}/panels/answers/").content.decode()
    assert NONE not in html
    assert f'data-ticket="{desk["runner"].pk}"' in html


def test_the_products_words_as_the_channels_follow_it_are_no_evidence(desk):
    answers_index()
    # "gitlab" is in every question here: as the product's name it explains nothing, and "why" does not name it.
    repeat = asking("", "@gitlab gitlab mirror?")
    answers_meaning_fill()
    ticket_vectors([repeat.pk])  # as the worker does at intake
    found = ticket_suggestions(repeat)
    assert found[0].ticket_id == desk["mirror"].pk
    assert found[0].why[0] == "shares: mirror"
    assert product_stems() == {"gitlab", "gitlabhq"}

    # The desk now follows another product (saved as in admin): "gitlab" is a word like any other again.
    for channel in Channel.objects.all():
        channel.config = {"keywords": ["acme"]}
        channel.our_accounts = ["acme_team"]
        channel.save()
    assert product_stems() == {"acm", "team"}  # stems, as the questions' words are compared
    assert ticket_suggestions(repeat)[0].why[0] == "shares: mirror, gitlab"


def test_the_words_each_kind_of_channel_follows_the_product_by():
    assert channel_words({"keywords": ["gitlab", "gitlab ci"]}, ["gitlabhq"]) == ["gitlab", "gitlab ci", "gitlabhq"]
    assert channel_words({"site": "stackoverflow", "tags": ["gitlab-ci"]}, ["9071001"]) == ["gitlab-ci"]
    assert channel_words({"forum": "gitlab"}, []) == ["gitlab"]
    x = {
        "handles": [{"username": "gitlab", "user_id": "2244994945", "role": "main"}],
        "search_queries": ['"gitlab ci" -is:retweet lang:en', "from:gitlabstatus"],
    }
    # X's operators are not words of the product; "from:" names our handle.
    assert [w for w in channel_words(x, ["gitlab"]) if w] == ["gitlab", '"gitlab', 'ci"', "gitlabstatus", "gitlab"]
    # A mailbox's address is no handle; the subreddits, projects and forum addresses may be anyone's words.
    assert channel_words({"subreddits": ["devops"], "projects": ["acme/api"]}, ["community@example.com"]) == []
