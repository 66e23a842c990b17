"""The Mastodon adapter without a poll: config errors in words, handles in full, a status's HTML as text, the length
Mastodon counts, the instance's limits, `manage.py ingest_payload`, and test_connection.

Shapes: statuses and notifications are the recorded ones (fixtures/SOURCES.md) with the fields a test is about
replaced (`shapes.py`); the instance's answer is the recorded ``GET /api/v2/instance`` (`instance_v2_test_server.json`)
and mastodon.social's documented one; ``verify_credentials`` is the recorded account."""

import json
from io import StringIO

import pytest
import responses
from django.core.management import call_command

from channels.adapters.base import AuthError, ConfigError
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon.config import full_handle
from channels.adapters.mastodon.content import content_text
from channels.adapters.mastodon.length import instance_limits, status_length
from channels.adapters.mastodon.platform import PLATFORM
from channels.http import build_session
from channels.models import Channel
from channels.tests.harness import stored

from .shapes import ALICE, BASE, BOB, CONFIG, DOMAIN, TEAM, ago, channel, load, mention, rate, status

adapter = MastodonAdapter()


@pytest.mark.parametrize(
    "config, words",
    [
        ({}, '"base_url" is required'),
        ({"base_url": "http://social.example"}, "must start with https://"),
        ({"base_url": "https://social.example/@gitlab"}, "not a page or API address"),
        ({"base_url": "https://u:p@social.example"}, "user name or password"),
        ({"base_url": BASE, "mentions": False}, "Read something"),
        ({"base_url": BASE, "mentions": "yes"}, "true or false"),
        ({"base_url": BASE, "hashtags": ["two words"]}, "is not a hashtag"),
        ({"base_url": BASE, "hashtags": "gitlab"}, "list of hashtags"),
        ({"base_url": BASE, "handles": ["not a handle!"]}, "is not a Mastodon handle"),
        ({"base_url": BASE, "keywords": ["x" * 201]}, "at most 200 characters"),
        ({"base_url": BASE, "max_requests_per_poll": 0}, "whole number from 1 to 150"),
        ({"base_url": BASE, "instance": "x"}, "Unknown Mastodon setting(s): instance"),
    ],
)
def test_config_errors_say_what_to_fix(config, words):
    with pytest.raises(ConfigError) as raised:
        adapter.validate_config(config)
    assert words in str(raised.value)


def test_a_config_is_normalised_and_the_team_handles_written_in_full():
    config = adapter.validate_config(
        {
            "base_url": "https://Social.Example/",
            "hashtags": ["#GitLab", "gitlab"],
            "handles": ["@gitlab", "ops@Other.Example"],
        }
    )
    assert config["base_url"] == "https://social.example"
    assert config["hashtags"] == ["GitLab"]
    assert config["handles"] == [f"gitlab@{DOMAIN}", "ops@other.example"]
    assert adapter.own_accounts(config) == [f"gitlab@{DOMAIN}", "ops@other.example"]


def test_handles_are_name_at_server():
    assert full_handle("alice", DOMAIN) == f"alice@{DOMAIN}"
    assert full_handle("@bob@Mastodon.Social", DOMAIN) == "bob@mastodon.social"
    assert full_handle("not a handle", DOMAIN) == ""


@pytest.mark.django_db
def test_the_team_handles_become_our_accounts():
    made = channel(our_accounts=["support@elsewhere.example"])
    assert made.our_accounts == ["support@elsewhere.example", f"{TEAM}@{DOMAIN}"]


def test_mentions_and_hashtags_are_their_labels_and_links_stay_visible():
    html = (
        '<p><span class="h-card" translate="no"><a href="https://social.example/@gitlab" class="u-url mention">'
        '@<span>gitlab</span></a></span> the <a href="https://social.example/tags/runner" class="mention hashtag" '
        'rel="tag">#<span>runner</span></a> docs say <a href="https://docs.gitlab.com/runner/" rel="nofollow '
        'noopener" target="_blank">the install page</a><br>but it fails &amp; <script>x()</script>stops</p>'
    )
    assert content_text(html) == (
        "@gitlab the #runner docs say the install page (https://docs.gitlab.com/runner/)\nbut it fails & stops"
    )


def test_mastodon_counts_a_link_as_23_and_a_remote_handle_by_its_name():
    assert status_length("hello") == 5
    long_link = "https://docs.gitlab.com/runner/install/linux-repository/#installing-the-runner"
    assert status_length(f"see {long_link} ok") == 4 + 23 + 3
    assert status_length("@alice@mastodon.social thanks!") == len("@alice thanks!")
    assert status_length("gitlab.com without its https:// is no link") == len(
        "gitlab.com without its https:// is no link"
    )
    assert PLATFORM.reply_rule.length(f"@{ALICE}@elsewhere.example {long_link}") == len(f"@{ALICE} ") + 23


@responses.activate
def test_the_instances_limit_is_asked_once_and_kept():
    instance = load("instance_v2_test_server.json")
    instance["configuration"]["statuses"]["max_characters"] = 11000  # an instance that allows longer posts
    responses.get(f"{BASE}/api/v2/instance", json=instance)
    first = instance_limits(build_session(), BASE)
    again = instance_limits(build_session(), BASE)
    assert first == again and (first.max_characters, first.url_weight) == (11000, 23)
    assert len(responses.calls) == 1


@responses.activate
def test_an_instance_that_cannot_be_asked_has_mastodons_defaults():
    responses.get(f"{BASE}/api/v2/instance", status=404, json=load("error_404_status.json"))
    limits = instance_limits(build_session(), BASE)
    assert (limits.max_characters, limits.url_weight) == (500, 23)
    documented = load("docs_instance_v2.json")["configuration"]["statuses"]
    assert (documented["max_characters"], documented["characters_reserved_per_url"]) == (500, 23)


def test_a_status_twice_in_a_payload_is_read_once_and_other_notifications_are_not_mentions():
    post = status(9001, at=ago(5), acct=ALICE)
    boosted = {**load("notifications_mentions.json")[0], "type": "reblog", "status": status(9002, at=ago(4))}
    same_uri = {**status(9003, at=ago(3)), "uri": post["uri"]}  # the same post under another id
    parsed = adapter.parse_page([mention(1, post), post, boosted, same_uri])
    assert [m.external_id for m in parsed.mentions] == ["9001"] and parsed.rejected == []


def test_an_unreadable_item_is_rejected_by_its_status_id_and_the_rest_kept():
    broken = mention(5, status(9005, at="yesterday"))
    parsed = adapter.parse_page([broken, status(9006, at=ago(1), acct=BOB)])
    assert [m.external_id for m in parsed.mentions] == ["9006"]
    [rejected] = parsed.rejected
    assert rejected.external_id == "9005" and "created_at" in rejected.error


@pytest.mark.django_db
def test_ingest_payload_takes_a_saved_page_of_notifications(tmp_path):
    made = channel()
    saved = tmp_path / "notifications.json"
    question = status(9101, at=ago(30), acct=ALICE, html="<p>@gitlab is the runner down?</p>")
    answer = status(9102, at=ago(20), acct=TEAM, reply_to=9101, html="<p>@alice looking into it</p>")
    saved.write_text(json.dumps([mention(2, answer), mention(1, question)]))
    call_command("ingest_payload", "--channel", made.slug, str(saved), stdout=StringIO())
    assert stored(made) == ["9101", "9102"]


@pytest.mark.django_db
@responses.activate
def test_test_connection_says_whose_token_it_is_and_the_length_allowed():
    made = channel()
    me = {**load("verify_credentials.json"), "acct": TEAM, "followers_count": 1234}
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", json=me, headers=rate(298))
    responses.get(f"{BASE}/api/v2/instance", json=load("instance_v2_test_server.json"))
    said = adapter.test_connection(channel=made, session=build_session())
    assert said.startswith(f"Mastodon ({DOMAIN}) answered: the token is @{TEAM}@{DOMAIN}'s (1,234 followers)")
    assert "posts may be 500 characters there" in said and "298 requests left" in said
    assert responses.calls[0].request.headers["Authorization"] == "Bearer desk-token-abc123"


@pytest.mark.django_db
@responses.activate
def test_a_refused_token_is_an_auth_error_without_the_token():
    made = channel()
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", status=401, json=load("error_401_invalid_token.json"))
    with pytest.raises(AuthError, match="The access token is invalid") as raised:
        adapter.test_connection(channel=made, session=build_session())
    assert "desk-token-abc123" not in str(raised.value)


@pytest.mark.django_db
def test_a_channel_without_a_token_cannot_be_read():
    made = Channel(kind="mastodon", name="m", slug="m", config=dict(CONFIG))
    with pytest.raises(AuthError, match='no "access_token"'):
        adapter.test_connection(channel=made, session=build_session())
