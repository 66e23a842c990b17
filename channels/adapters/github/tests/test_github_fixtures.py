"""Every recorded GitHub payload in `fixtures/` (SOURCES.md) parsed with exact expectations: the issue pages octokit
recorded, PyGithub's recordings of issues with pull requests, issue comments, discussions (GraphQL), and the
webhook deliveries octokit/webhooks keeps; plus a saved payload through `manage.py ingest_payload`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from channels.adapters.base import Media, PayloadError
from channels.adapters.github import GitHubAdapter
from channels.adapters.github.page import parse_page
from channels.adapters.github.parse import Context, images
from mentions.models import Message

from .shapes import github_channel, issue, load

adapter = GitHubAdapter()
TEAM = Context(team=frozenset({"OWNER", "MEMBER", "COLLABORATOR"}))


def test_octokits_recorded_issue_pages_parse_each_issue_as_its_own_thread():
    pages = [load(f"issues_page{n}.json") for n in range(1, 6)]
    parsed = adapter.parse_page(pages)
    assert not parsed.rejected
    assert [m.title for m in parsed.mentions] == [f"Test issue {n}" for n in range(13, 0, -1)]
    first = parsed.mentions[0]
    assert (first.external_id, first.thread_id) == ("I_kwDOHrjtpM5OBUhj", "I_kwDOHrjtpM5OBUhj")
    assert first.text == "Test issue 13"  # no body: the title
    assert (first.author_handle, first.author_url) == (
        "octokit-fixture-user-a",
        "https://github.com/octokit-fixture-user-a",
    )
    repo = "octokit-fixture-org/tmp-scenario-paginate-issues-20220719043836917-izyoe"  # the recorder's own repository
    assert first.permalink == f"https://github.com/{repo}/issues/13"
    assert first.raw["repository"] == repo and first.raw["number"] == 13


def test_pull_requests_in_the_issue_list_are_skipped_not_rejected():
    items = load("issues_with_pulls.json")
    parsed = adapter.parse_page(items)
    assert [m.raw["number"] for m in parsed.mentions] == [3042, 3038, 3037, 3036]
    assert parsed.rejected == []
    assert sum("pull_request" in i for i in items) == 2
    assert parsed.mentions[0].text.startswith("/repos/{owner}/{repo}/automated-security-fixes allows for GET")


def test_recorded_comments_join_their_issue_and_the_team_is_told_by_its_association():
    comments = [c for n in (1, 2, 3) for c in load(f"issue_comments_page{n}.json")]
    parsed = parse_page([load("issue_1136.json"), comments], TEAM)
    opening, *follow_ups = parsed.mentions
    assert opening.external_id == "MDU6SXNzdWU0NTQ4MjI0MTE=" and len(follow_ups) == 7
    assert {(m.parent_id, m.thread_id) for m in follow_ups} == {(opening.external_id, opening.external_id)}
    ours = [m.author_handle for m in follow_ups if m.by_us]
    assert ours == ["EnricoMi", "EnricoMi"]  # COLLABORATOR; the others are NONE
    edited = {m.external_id: m.edited_at for m in follow_ups if m.edited_at}
    assert list(edited) == ["IC_kwDOADYVqs5wCuh5", "IC_kwDOADYVqs54NjX1"]  # updated_at after created_at
    assert follow_ups[1].permalink == "https://github.com/PyGithub/PyGithub/issues/1136#issuecomment-1879739410"


def test_a_comment_without_its_issue_stands_alone_until_the_channel_knows_the_issue():
    alone = adapter.parse_page(load("issue_comment_20227753.json")).mentions[0]
    assert alone.thread_id == "" and alone.author_handle == "stuglaser"
    known = Context(issues={(("pygithub/pygithub"), 28): load("issue_28.json")["node_id"]})
    [joined] = parse_page(load("issue_comment_20227753.json"), known).mentions
    assert joined.thread_id == joined.parent_id == "MDU6SXNzdWU0NjUzNzU3"


def test_a_recorded_discussion_parses_and_its_id_only_comments_are_rejected_with_the_reason():
    parsed = adapter.parse_page(load("discussion_2993.json"))
    [discussion] = parsed.mentions
    assert discussion.external_id == "D_kwDOADYVqs4AaHoG" and discussion.thread_id == discussion.external_id
    assert discussion.title == "How to get a list of custom repository properties?"
    assert discussion.permalink == "https://github.com/PyGithub/PyGithub/discussions/2993"
    assert (
        discussion.raw["discussion_id"] == "D_kwDOADYVqs4AaHoG" and discussion.raw["repository"] == "PyGithub/PyGithub"
    )
    assert [r.external_id for r in parsed.rejected] == ["DC_kwDOADYVqs4AnxkU", "DC_kwDOADYVqs4AoA2V"]
    assert all("node id and creation time" in r.error for r in parsed.rejected)


def test_a_recorded_discussions_page_brings_each_discussion_and_its_comments():
    parsed = adapter.parse_page(load("discussions_page.json"))
    assert not parsed.rejected
    discussions = [m for m in parsed.mentions if m.raw["type"] == "discussion"]
    comments = [m for m in parsed.mentions if m.raw["type"] == "discussion_comment"]
    assert [m.raw["number"] for m in discussions] == [3044, 3033, 2993, 2205, 2938]
    assert len(comments) == 6 and all(c.thread_id.startswith("D_kwDOADYVqs") for c in comments)
    answer = next(c for c in comments if c.external_id == "DC_kwDOADYVqs4AnxkU")
    assert answer.parent_id == answer.thread_id == "D_kwDOADYVqs4AaHoG" and answer.author_handle == "dawngerpony"
    assert answer.raw["reply_to"] == "DC_kwDOADYVqs4AnxkU"  # a reply to it goes in its thread
    assert discussions[0].text == "Automaticlly look for access tokens in standard places"  # no body asked: the title


@pytest.mark.parametrize(
    "name, kinds",
    [
        ("issues.opened.json", ["issue"]),
        ("issues.opened.with-empty-body.json", ["issue"]),
        ("issue_comment.created.json", ["issue", "issue_comment"]),
        ("issue_comment.edited.json", ["issue", "issue_comment"]),
        ("issue_comment.deleted.json", ["issue", "issue_comment"]),
        ("discussion.created.json", ["discussion"]),
        ("discussion_comment.created.json", ["discussion", "discussion_comment"]),
        ("discussion_comment.edited.json", ["discussion", "discussion_comment"]),
    ],
)
def test_recorded_webhook_deliveries_parse_as_the_poll_parses(name, kinds):
    parsed = parse_page(load(f"webhooks/{name}"), TEAM)
    assert [m.raw["type"] for m in parsed.mentions] == kinds and not parsed.rejected
    if len(kinds) == 2:
        parent, child = parsed.mentions
        assert child.thread_id == child.parent_id == parent.external_id
        assert child.by_us  # Codertocat is the repository's OWNER
        assert child.deleted == name.endswith("deleted.json")
        assert not parent.deleted and parent.edited_at is None
    if name == "issue_comment.edited.json":  # edited a second after it was written; GitHub's discussion example
        assert parsed.mentions[1].edited_at is not None  # shows an edit at the very second it was written


def test_the_recorded_webhook_issue_reads_its_fields():
    [opened] = adapter.parse_page(load("webhooks/issues.opened.json")).mentions
    assert (opened.external_id, opened.title) == ("MDU6SXNzdWU0NDQ1MDAwNDE=", "Spelling error in the README file")
    assert opened.text == "It looks like you accidently spelled 'commit' with two 't's."
    assert opened.raw["repository"] == "Codertocat/Hello-World" and opened.raw["number"] == 1
    [empty] = adapter.parse_page(load("webhooks/issues.opened.with-empty-body.json")).mentions
    assert empty.text == "Spelling error in the README file"


@pytest.mark.parametrize(
    "name",
    [
        "error_bad_credentials_401.json",
        "error_not_found_404.json",
        "error_validation_422.json",
        "error_rate_limit_403.json",
    ],
)
def test_recorded_error_bodies_are_refused_as_errors(name):
    with pytest.raises(PayloadError, match="GitHub error response"):
        adapter.parse_page(load(name))


@pytest.mark.parametrize("name", ["webhooks/ping.json", "user.json", "installation_token.json"])
def test_other_recorded_answers_are_not_mentions(name):
    with pytest.raises(PayloadError, match="expected GitHub issues"):
        adapter.parse_page(load(name))


def test_markdown_and_html_images_are_the_mentions_media():
    body = (
        "Plan output: ![plan output](https://user-images.githubusercontent.com/5421/plan.png)\n"
        '<img width="400" alt="the error" src="https://github.com/user-attachments/assets/abc-123">\n'
        "![same](https://user-images.githubusercontent.com/5421/plan.png) and ![bad](javascript:alert(1))"
    )
    [found] = adapter.parse_page([issue(7, at="2026-01-05T10:00:00Z", body=body)]).mentions
    assert found.media == (
        Media(kind="image", url="https://user-images.githubusercontent.com/5421/plan.png", alt="plan output"),
        Media(kind="image", url="https://github.com/user-attachments/assets/abc-123", alt="the error"),
    )
    # The text says where each image was (its link is listed under the message); no Markdown around an address is
    # left for the page's linker to read as one ("http://output](https://…").
    assert found.text == (
        "Plan output: [image: plan output]\n[image: the error]\n[image: same] and ![bad](javascript:alert(1))"
    )
    assert images("x" * 70_000 + "![") == ()


def test_a_markdown_link_reads_as_its_words_and_its_address():
    body = (
        "See [the provider docs](https://registry.terraform.io/providers/gitlabhq/gitlab) and ![](https://x.io/a.png)"
    )
    [found] = adapter.parse_page([issue(8, at="2026-01-05T10:00:00Z", body=body)]).mentions
    assert found.text == "See the provider docs (https://registry.terraform.io/providers/gitlabhq/gitlab) and [image]"


@pytest.mark.django_db
def test_ingest_payload_takes_a_saved_issue_with_its_comments(tmp_path):
    channel = github_channel(slug="gh", config={"repositories": ["PyGithub/PyGithub"]}, our_accounts=["EnricoMi"])
    saved = tmp_path / "issue.json"
    saved.write_text(json.dumps([load("issue_1136.json"), load("issue_comments_page1.json")]))
    call_command("ingest_payload", "--channel", "gh", str(saved), stdout=StringIO())
    messages = Message.objects.filter(channel=channel).order_by("platform_created_at")
    assert messages.count() == 4 and len({m.ticket_id for m in messages}) == 1
    assert [m.kind for m in messages][-1] == Message.Kind.OUR_REPLY  # EnricoMi is our account here
    assert (
        messages[0].ticket is not None
        and messages[0].ticket.subject == "Paginated list reversed only gives the first page of results backwards"
    )
