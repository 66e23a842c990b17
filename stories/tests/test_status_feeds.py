"""Status feeds polled at the HTTP edge (`responses`), their incidents recorded once, and an ongoing incident opening
or joining the story that later tickets, stored through the real ingest, join through the detector.

Where the shapes come from (stories/tests/fixtures/SOURCES.md has the details):
- Statuspage JSON: `ZSharpe/ManagerDashboard`, `status.js` (a recorded `/api/v2/incidents.json`: `page`, then
  `incidents` with `incident_updates`); summary.json's `status`/`components` beside it as Statuspage documents them
  (`hobroker/uptime`, `packages/uptime-worker/src/services/statuspage/types.d.ts`).
- RSS 2.0: `gabrielrinaldi/Status-iOS`, `history.rss` (Parse's Statuspage incident history).
- Atom: `datocms/status-website`, `history.atom` (an incident history with CDATA html titles).
The ongoing incidents' names, ids and times are ours; the resolved ones are as recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.conf import settings
from django.urls import reverse

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.tests.factories import UserFactory
from stories.detection.detector import stories_detect
from stories.incidents.polling import status_poll
from stories.models import Key, Membership, StatusFeed, StatusIncident, Story
from stories.tests.helpers import channel_of, fixture, ingest, said

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
JSON_URL = "https://status.example.com/api/v2/incidents.json"
PAGE = "status.example.com/incidents/kq7v3b9wz1lm"  # the ongoing incident's page, normalised
ETAG = 'W/"5f1c0e-incidents"'
MODIFIED = "Fri, 20 Nov 2026 09:40:12 GMT"


def _feed(url: str = JSON_URL, **fields) -> StatusFeed:
    return StatusFeed.objects.create(name="Example status", url=url, **fields)


def _serve(mock: responses.RequestsMock, url: str = JSON_URL, name: str = "statuspage_incidents.json", **kw) -> None:
    kw.setdefault("content_type", "application/json")
    mock.get(url, body=fixture(name), **kw)


def test_statuspage_json_records_each_incident_and_opens_a_story_for_the_ongoing_one():
    feed = _feed()
    with responses.RequestsMock() as mock:
        _serve(mock)
        assert status_poll(now=NOW) == {"read": 1}
        sent = mock.calls[0].request.headers
    assert sent["User-Agent"] == settings.DESK_USER_AGENT
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent

    ongoing = StatusIncident.objects.get(feed=feed, external_id="kq7v3b9wz1lm")
    assert (ongoing.name, ongoing.status, ongoing.resolved_at) == (
        "Elevated error rates on CI pipelines",
        "investigating",
        None,
    )
    assert ongoing.url == "https://status.example.com/incidents/kq7v3b9wz1lm"
    assert ongoing.started_at == datetime(2026, 11, 20, 9, 12, 0, 412000, tzinfo=UTC)
    resolved = StatusIncident.objects.get(feed=feed, external_id="x0ljvc9m1wxj")
    assert resolved.status == "resolved" and resolved.resolved_at is not None and resolved.story is None

    story = ongoing.story
    assert story is not None and Story.objects.count() == 1
    assert (story.origin, story.title, story.first_at, story.last_at) == (
        Story.Origin.INCIDENT,
        "Elevated error rates on CI pipelines",
        ongoing.started_at,
        NOW,
    )
    assert story.term_counts == {
        "elev": ["elevated", 2],
        "error": ["error", 2],
        "rate": ["rates", 2],
        "pipelin": ["pipelines", 2],
    }
    assert set(story.terms) == {"elev", "error", "rate", "pipelin"}
    assert story.links == [PAGE, "stspg.io/4k2p9xq7m"]
    keys = set(Key.objects.filter(story=story, ticket__isnull=True, at=NOW).values_list("key", flat=True))
    assert keys == {f"l:{PAGE}", "l:stspg.io/4k2p9xq7m", "t:elev", "t:error", "t:rate", "t:pipelin"}
    feed.refresh_from_db()
    assert (feed.polled_at, feed.last_error, feed.failures) == (NOW, "", 0)
    assert feed.next_poll_at == NOW + timedelta(seconds=120)


@pytest.mark.parametrize(
    ("path", "name"),
    [("incidents/unresolved.json", "statuspage_incidents.json"), ("summary.json", "statuspage_summary.json")],
)
def test_the_unresolved_and_summary_addresses_are_read_the_same_way(path, name):
    url = f"https://status.example.com/api/v2/{path}"
    feed = _feed(url, format=StatusFeed.Format.STATUSPAGE)
    with responses.RequestsMock() as mock:
        _serve(mock, url, name, content_type="application/json; charset=utf-8")
        status_poll(now=NOW)
    ongoing = StatusIncident.objects.get(feed=feed, external_id="kq7v3b9wz1lm")
    assert ongoing.story is not None and ongoing.resolved_at is None


def test_an_rss_feed_is_read_and_its_latest_update_says_the_status():
    feed = _feed("https://status.example.com/history.rss")
    with responses.RequestsMock() as mock:
        _serve(mock, feed.url, "statuspage_history.rss", content_type="application/rss+xml; charset=utf-8")
        assert status_poll(now=NOW) == {"read": 1}
    ongoing = StatusIncident.objects.get(external_id="https://status.example.com/incidents/lzf7mjchpy20")
    assert (ongoing.name, ongoing.status) == ("Container registry pushes failing", "identified")
    assert ongoing.started_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC) and ongoing.story is not None
    old = StatusIncident.objects.get(external_id="http://status.parse.com/incidents/x7yb1mmd4721")
    assert old.status == "resolved" and old.resolved_at == datetime(2014, 1, 1, 17, 9, tzinfo=UTC)
    assert old.story is None


def test_an_atom_feed_is_recognised_by_its_first_byte():
    feed = _feed("https://status.example.com/history.atom")
    with responses.RequestsMock() as mock:
        _serve(mock, feed.url, "status_history.atom", content_type="text/plain")
        status_poll(now=NOW)
    ongoing = StatusIncident.objects.get(external_id="2026-11-20-issues-sending-emails-to-customers")
    assert (ongoing.name, ongoing.status, ongoing.resolved_at) == (
        "Issues sending emails to customers",
        "investigating",
        None,
    )
    assert ongoing.story is not None and ongoing.story.title == "Issues sending emails to customers"
    done = StatusIncident.objects.get(external_id="2026-02-18-asset-uploads-temporarily-unavailable")
    assert done.status == "resolved" and done.resolved_at is not None


def test_the_stored_validators_are_sent_and_a_304_changes_nothing_but_when_it_was_polled():
    feed = _feed()
    with responses.RequestsMock() as mock:
        _serve(mock, headers={"ETag": ETAG, "Last-Modified": MODIFIED})
        mock.get(JSON_URL, status=304)
        status_poll(now=NOW)
        assert status_poll(now=NOW + timedelta(minutes=1)) == {}  # not due yet: nothing asked
        later = NOW + timedelta(minutes=3)
        assert status_poll(now=later) == {"unchanged": 1}
        assert len(mock.calls) == 2
        sent = mock.calls[1].request.headers
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (ETAG, MODIFIED)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified, feed.polled_at) == (ETAG, MODIFIED, later)
    assert StatusIncident.objects.count() == 2 and Story.objects.count() == 1


def test_a_broken_answer_is_said_in_last_error_backs_off_and_keeps_what_was_recorded(caplog):
    feed = _feed()
    with responses.RequestsMock() as mock:
        _serve(mock, headers={"ETag": ETAG})
        mock.get(JSON_URL, body=b'{"page": {"id": "4lzy', content_type="application/json")
        mock.get(JSON_URL, status=500)  # a 502, 503 or 504 the session asks again (channels.http.ReadRetry)
        _serve(mock, headers={"ETag": ETAG})
        status_poll(now=NOW)
        second = NOW + timedelta(minutes=3)
        with caplog.at_level("WARNING", logger="stories.incidents.polling"):
            assert status_poll(now=second) == {"failed": 1}
        feed.refresh_from_db()
        assert (feed.last_error, feed.failures, feed.etag) == ("The response is not valid JSON.", 1, ETAG)
        assert feed.next_poll_at == second + timedelta(seconds=120)
        assert f"status feed {feed.pk}: The response is not valid JSON." in caplog.text
        assert StatusIncident.objects.filter(feed=feed).count() == 2 and Story.objects.count() == 1

        third = second + timedelta(minutes=3)
        assert status_poll(now=third) == {"failed": 1}
        feed.refresh_from_db()
        assert feed.last_error == (
            "The status page at https://status.example.com/api/v2/incidents.json: HTTP 500 Internal Server Error."
        )
        assert (feed.failures, feed.next_poll_at) == (2, third + timedelta(seconds=240))

        assert status_poll(now=third + timedelta(minutes=5)) == {"read": 1}
    feed.refresh_from_db()
    assert (feed.last_error, feed.failures) == ("", 0)
    assert StatusIncident.objects.filter(feed=feed).count() == 2 and Story.objects.count() == 1


def test_entities_in_a_feed_are_refused_and_a_disabled_feed_is_not_asked():
    feed = _feed("https://status.example.com/history.rss")
    _feed("https://status.example.net/history.rss", enabled=False)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><title>&b;</title></channel></rss>'
    )
    with responses.RequestsMock() as mock:
        mock.get(feed.url, body=bomb, content_type="application/rss+xml")
        assert status_poll(now=NOW) == {"failed": 1}
    feed.refresh_from_db()
    assert feed.last_error == "The feed declares XML entities or external references, which are refused."
    assert StatusFeed.objects.get(enabled=False).polled_at is None


def test_a_feed_of_an_unknown_encoding_or_nested_thousands_deep_is_refused_with_the_reason():
    # Issue 69's fuzzing: an unknown `encoding=` raised LookupError out of the reader ("an error in the desk").
    feed = _feed("https://status.example.com/history.rss")
    recorded = fixture("statuspage_history.rss")
    bogus = recorded.replace(b'encoding="UTF-8"', b'encoding="x-bogus"', 1)
    nested = recorded.replace(b"<item>", b"<item>" + b"<div>" * 5000 + b"</div>" * 5000, 1)
    with responses.RequestsMock() as mock:
        mock.get(feed.url, body=bogus, content_type="application/rss+xml")
        assert status_poll(now=NOW) == {"failed": 1}
        feed.refresh_from_db()
        assert feed.last_error == "The feed declares an encoding the desk cannot read ('x-bogus')."
        mock.replace(responses.GET, feed.url, body=nested, content_type="application/rss+xml")
        assert status_poll(now=NOW + timedelta(hours=1)) == {"failed": 1}
    feed.refresh_from_db()
    assert feed.last_error == "The feed's first entry holds elements nested more than 64 deep."
    assert not StatusIncident.objects.exists()


def test_an_update_resolves_the_incident_and_its_story_stays():
    body = fixture("statuspage_incidents.json").replace(
        b'"status": "investigating",\n      "created_at"', b'"status": "resolved",\n      "created_at"'
    )
    body = body.replace(
        b'"resolved_at": null,\n      "impact": "major"',
        b'"resolved_at": "2026-11-20T10:20:00.000Z",\n      "impact": "major"',
    )
    _feed()
    with responses.RequestsMock() as mock:
        _serve(mock)
        mock.get(JSON_URL, body=body, content_type="application/json")
        status_poll(now=NOW)
        status_poll(now=NOW + timedelta(minutes=30))
    incident = StatusIncident.objects.get(external_id="kq7v3b9wz1lm")
    assert incident.status == "resolved" and incident.resolved_at == datetime(2026, 11, 20, 10, 20, tzinfo=UTC)
    assert incident.story is not None and Story.objects.count() == 1


def test_a_long_incident_keeps_its_story_open_to_new_tickets():
    _feed()
    with responses.RequestsMock() as mock:
        _serve(mock)
        _serve(mock)
        status_poll(now=NOW)
        later = NOW + timedelta(hours=30)  # past the story window, still unresolved
        status_poll(now=later)
    story = StatusIncident.objects.get(external_id="kq7v3b9wz1lm").story
    assert story is not None and story.last_at == later
    assert set(Key.objects.filter(story=story).values_list("at", flat=True)) == {later}
    ingest(
        channel_of("hackernews"),
        said("CI down: https://stspg.io/4k2p9xq7m", at=later + timedelta(minutes=1)),
    )
    assert stories_detect().joined == 1 and Membership.objects.get().story == story


def test_later_tickets_linking_to_the_incident_or_sharing_its_words_join_its_story():
    _feed()
    with responses.RequestsMock() as mock:
        _serve(mock)
        status_poll(now=NOW)
    story = StatusIncident.objects.get(external_id="kq7v3b9wz1lm").story
    assert story is not None
    x, reddit = channel_of("twitter"), channel_of("reddit")
    ingest(
        x,
        said(
            "Is CI broken? https://status.example.com/incidents/kq7v3b9wz1lm?utm_source=twitter",
            at=NOW + timedelta(minutes=2),
        ),
    )
    ingest(
        reddit,
        said(
            "Seeing elevated error rates in our pipelines since this morning",
            title="Pipelines erroring",
            at=NOW + timedelta(minutes=4),
        ),
        said("How do I cache node_modules between jobs?", title="Caching node_modules", at=NOW + timedelta(minutes=5)),
    )

    assert stories_detect().joined == 2
    joined = dict(Membership.objects.filter(story=story).values_list("ticket__subject", "via"))
    assert joined == {
        "Is CI broken? https://status.example.com/incidents/kq7v3b9wz1lm?utm_source=twitter": Membership.Via.LINK,
        "Pipelines erroring": Membership.Via.TERMS,
    }
    assert not Membership.objects.filter(ticket=Ticket.objects.get(subject="Caching node_modules")).exists()
    story.refresh_from_db()
    assert story.size == 2 and Story.objects.count() == 1


def test_an_incident_joins_the_live_story_its_tickets_already_tell():
    hn = ChannelFactory()
    thread = "https://forum.example.com/t/ci-pipelines-failing/991"
    ingest(
        hn,
        *[
            said(
                f"Elevated error rates on every pipeline here too {thread}",
                title=f"CI pipelines failing {n}",
                at=NOW - timedelta(minutes=40 - n),
            )
            for n in range(3)
        ],
    )
    stories_detect()
    told = Story.objects.get()
    assert told.origin == Story.Origin.LINK and told.size == 3

    _feed()
    with responses.RequestsMock() as mock:
        _serve(mock)
        assert status_poll(now=NOW) == {"read": 1}
    assert StatusIncident.objects.get(external_id="kq7v3b9wz1lm").story == told and Story.objects.count() == 1
    told.refresh_from_db()
    assert told.links == ["forum.example.com/t/ci-pipelines-failing/991", PAGE, "stspg.io/4k2p9xq7m"]
    assert Key.objects.filter(story=told, key=f"l:{PAGE}").exists()

    ingest(hn, said("Down for us: https://status.example.com/incidents/kq7v3b9wz1lm", at=NOW + timedelta(minutes=1)))
    stories_detect()
    told.refresh_from_db()
    assert told.size == 4


def test_admin_refuses_a_feed_address_that_is_not_http(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:stories_statusfeed_add")
    data = {"name": "Example", "url": "ftp://status.example.com/history.rss", "format": "auto", "enabled": "on"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "Give an http:// or https:// address of the status page's JSON or feed."
    ]
    assert "Give an http:// or https:// address" in response.content.decode()
    response = client.post(url, {**data, "url": "https://status.example.com/api/v2/incidents.json"})
    assert response.status_code == 302 and StatusFeed.objects.get().format == "auto"
    assert client.get(reverse("admin:stories_statusfeed_changelist")).status_code == 200
