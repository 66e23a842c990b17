"""The Community page's figures (metrics.community) equal counts taken from the raw rows here, on both paths (the
CommunityDay rollups on PostgreSQL and the source rows the embedded SQLite default reads), and the page and its CSV
say the same (the API's: api/tests/test_analytics.py). No platform shapes: tickets are made with the factories, on
channels of three registered kinds (metrics/tests/community_desk.py)."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from mentions.models import Intent, Judgement, Message, Target, Ticket
from mentions.services.judgement import judgement_correct
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.community import active, members, rollup, topics, trust, volume
from metrics.community.counted import subject_terms
from metrics.rollups import rollups_read, rollups_refresh
from metrics.tests.community_desk import END, START, _at, _expected_volume, desk_build, newcomer_days_as_recounted
from people.models import Contribution, Identity, Person, Requester
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_build()


@pytest.mark.parametrize("by", volume.PERIODS)
@pytest.mark.parametrize("group", volume.GROUPS)
def test_every_volume_series_is_the_count_of_the_raw_rows(desk, by, group):
    with rollups_read():
        assert volume.volume_rows(start=START, end=END, by=by, group=group) == _expected_volume(
            desk["rows"], by=by, group=group
        )
        reddit = desk["channels"]["reddit"].pk
        assert volume.volume_rows(start=START, end=END, by=by, group=group, channel_id=reddit) == _expected_volume(
            desk["rows"], by=by, group=group, channel_id=reddit
        )


def test_the_rollup_and_the_source_rows_agree_through_changes(desk):
    def agree():
        rollups_refresh()
        for columns in (("channel_id",), ("channel_id", "sentiment"), ("intent",), ("judgement", "intent")):
            for channel_id, by in ((None, "day"), (None, "week"), (desk["channels"]["email"].pk, "month")):
                kwargs: dict[str, Any] = {
                    "start": START - timedelta(days=7),
                    "end": END,
                    "by": by,
                    "channel_id": channel_id,
                    "columns": columns,
                }
                assert volume.period_counts_rollup(**kwargs) == volume.period_counts_source(**kwargs)
        for channel_id in (None, desk["channels"]["hackernews"].pk):
            kwargs = {"start": START, "end": END, "channel_id": channel_id}
            assert topics.terms_counts_rollup(**kwargs) == topics.terms_counts_source(**kwargs)

    agree()
    tickets = [r["ticket"] for r in desk["rows"]]
    # A correction, a merge, an unmerge, a channel moved, a ticket deleted: each marks its day again.
    advocate = AdvocateFactory()
    judgement_correct(tickets[3], Judgement.NOISE, advocate, Intent.PRAISE)
    Ticket.objects.filter(pk=tickets[5].pk).update(merged_into=tickets[6], sentiment="positive")
    Ticket.objects.filter(pk=tickets[8].pk).update(channel=desk["channels"]["email"])
    tickets[10].delete()
    agree()
    Ticket.objects.filter(pk=tickets[5].pk).update(merged_into=None)
    agree()


def test_the_private_message_kind_the_sql_names_is_the_models():
    assert rollup.PRIVATE == Message.Kind.PRIVATE


def test_terms_are_cut_the_same_way_in_sql_and_python(desk):
    ticket = desk["rows"][0]["ticket"]
    subject = "Ünïcode CI/CD: the RUNNER's 2026 cache-key, ÉTÉ k8s-runner x86_64 1234 aaaa " + "z" * 33
    Ticket.objects.filter(pk=ticket.pk).update(subject=subject, requested_at=_at(END, 20))
    rollups_refresh()
    rolled = topics.terms_counts_rollup(start=END, end=END, channel_id=ticket.channel_id)
    assert set(rolled) >= subject_terms(subject)
    assert {"runner", "cache", "aaaa"} <= subject_terms(subject) and "1234" not in subject_terms(subject)


def test_sentiment_shares_are_of_the_judged_mentions(desk):
    with rollups_read():
        rows = volume.sentiment_shares(start=START, end=END, by="week")
    for row in rows:
        mine = [
            r
            for r in desk["rows"]
            if START <= r["day"] <= END
            and volume.period_of(r["day"], "week") == row["period"]
            and row["platform"] in ("all", r["kind"])
        ]
        said = Counter(r["sentiment"] for r in mine)
        judged = len(mine) - said[""]
        assert (row["positive"], row["negative"], row["unjudged"], row["judged"]) == (
            said["positive"],
            said["negative"],
            said[""],
            judged,
        )
        assert row["positive_pct"] == (round(100 * said["positive"] / judged, 1) if judged else None)


def test_the_pages_sentiment_per_platform_over_the_range_is_the_count_of_the_raw_rows(desk):
    with rollups_read():
        rows = volume.sentiment_over_range(volume.sentiment_shares(start=START, end=END, by="day"))
    mine = [r for r in desk["rows"] if START <= r["day"] <= END]
    assert rows[0]["platform"] == "all" and len(rows) == 1 + len({r["kind"] for r in mine})
    for row in rows:
        said = Counter(r["sentiment"] for r in mine if row["platform"] in ("all", r["kind"]))
        judged = sum(said.values()) - said[""]
        assert (row["positive"], row["negative"], row["judged"], row["unjudged"]) == (
            said["positive"],
            said["negative"],
            judged,
            said[""],
        )
        assert row["negative_pct"] == (round(100 * said["negative"] / judged, 1) if judged else None)


def test_topics_rising_count_the_two_periods(desk):
    previous_start = START - timedelta(days=28)
    with rollups_read():
        terms = {t["term"]: t for t in topics.terms_rising(start=START, end=END, limit=100)}
    for term, row in terms.items():
        current = sum(1 for r in desk["rows"] if START <= r["day"] <= END and term in subject_terms(r["subject"]))
        previous = sum(
            1 for r in desk["rows"] if previous_start <= r["day"] < START and term in subject_terms(r["subject"])
        )
        assert (row["current"], row["previous"], row["change"]) == (current, previous, current - previous)
    assert "pipeline" in terms


def _expected_returning(rows, *, now, by):
    first: dict[int, dict] = {}
    for r in sorted(rows, key=lambda r: (r["requested_at"], r["ticket"].pk)):
        first.setdefault(r["person"], r)
    tally: Counter = Counter()
    for person, f in first.items():
        if not START <= f["day"] <= END:
            continue
        seconds = f.get("first_reply_seconds")
        group = members.WITHIN if seconds is not None and seconds <= 7 * 3600 else members.NOT_WITHIN
        key = (volume.period_of(f["day"], by), group)
        tally[(*key, "members")] += 1
        for days in (30, 90):
            # Decided once the window has passed for the whole day of the first mention (UTC).
            if now >= _at(f["day"] + timedelta(days=days + 1), 0):
                tally[(*key, f"decided_{days}")] += 1
                tally[(*key, f"returned_{days}")] += any(
                    r["person"] == person
                    and r["ticket"].pk != f["ticket"].pk
                    and f["requested_at"] <= r["requested_at"] <= f["requested_at"] + timedelta(days=days)
                    for r in rows
                )
    return tally


@pytest.mark.parametrize("now", [_at(END, 23), _at(date(2026, 11, 20)), _at(date(2027, 3, 1))])
def test_returning_members_count_each_window_once_it_has_passed(desk, now):
    # New members whose first mentions fall in the range: two come back, one does not.
    newcomers = [PersonFactory(name=f"New {i}") for i in range(3)]
    channel = desk["channels"]["hackernews"]
    for i, person in enumerate(newcomers):
        identity = IdentityFactory(person=person, platform="hackernews", handle=f"new{i}")
        first_at = _at(START + timedelta(days=3 + i), 10)
        ticket = ticket_from(identity, channel=channel, requested_at=first_at, first_reply_seconds=3600 * (2 + 8 * i))
        desk["rows"].append(
            {"ticket": ticket, "person": person.pk, "kind": "hackernews", "day": first_at.date(),
             "requested_at": first_at, "first_reply_seconds": 3600 * (2 + 8 * i), "subject": ticket.subject}
        )  # fmt: skip
        if i < 2:
            back_at = first_at + timedelta(days=20 + 40 * i)
            again = ticket_from(identity, channel=channel, requested_at=back_at)
            desk["rows"].append(
                {"ticket": again, "person": person.pk, "kind": "hackernews", "day": back_at.date(),
                 "requested_at": back_at, "subject": again.subject}
            )  # fmt: skip
    expected = _expected_returning(desk["rows"], now=now, by="month")
    with rollups_read():
        rows = members.returning_rows(start=START, end=END, by="month", now=now)
    assert rows, "newcomers in the range"
    for row in rows:
        key = (row["period"], row["group"])
        assert row["members"] == expected[(*key, "members")]
        for days in (30, 90):
            decided, returned = expected[(*key, f"decided_{days}")], expected[(*key, f"returned_{days}")]
            assert (row[f"decided_{days}"], row[f"returned_{days}"]) == (decided, returned)
            assert row[f"returned_{days}_pct"] == (round(100 * returned / decided, 1) if decided else None)
    if now == _at(END, 23):
        assert all(row["returned_30_pct"] is None for row in rows)  # no window has passed: not yet known


def test_the_returning_rollup_and_the_tickets_agree_through_changes(desk):
    """The CommunityMember rollup (PostgreSQL) against the tickets, through what changes a member's first mention:
    a merge of two people (an identity moved), a requester removed, a ticket merged away, a ticket moved earlier, a new
    member's ticket, a ticket deleted, a person deleted."""
    hackernews = desk["channels"]["hackernews"].pk

    def agree():
        rollups_refresh()
        for start, channel_id in (
            (START - timedelta(days=7), None),
            (START, None),
            (START - timedelta(days=7), hackernews),
        ):
            kwargs: dict[str, Any] = {"start": start, "end": END, "channel_id": channel_id}
            assert members.first_mentions_rollup(**kwargs) == members.first_mentions_source(**kwargs), kwargs
            # Each period, and a now before, inside and after the windows of the range's days.
            for by, now in itertools.product(volume.PERIODS, (START + timedelta(days=40), END + timedelta(days=40),
                                                              END + timedelta(days=120))):  # fmt: skip
                tally: dict[str, Any] = {**kwargs, "by": by, "now": _at(now, 0), "targets": Target.hours()}
                rolled = members.returning_tally_rollup(**tally)
                assert rolled == {k: dict(v) for k, v in members.returning_tally_source(**tally).items()}, tally
        newcomer_days_as_recounted()

    agree()
    people, tickets = desk["people"], [r["ticket"] for r in desk["rows"]]
    Identity.objects.filter(person=people[1]).update(person=people[2])  # people[1] merged into people[2]
    agree()
    Requester.objects.filter(ticket=tickets[0]).delete()
    Ticket.objects.filter(pk=tickets[1].pk).update(merged_into=tickets[2])
    Ticket.objects.filter(pk=tickets[20].pk).update(requested_at=_at(START - timedelta(days=9)))
    agree()
    newcomer = IdentityFactory(person=PersonFactory(name="New"), platform="hackernews", handle="newcomer")
    ticket_from(newcomer, channel=desk["channels"]["hackernews"], requested_at=_at(START + timedelta(days=2)))
    tickets[4].delete()
    people[3].delete()
    agree()
    assert members.first_mentions_rollup(start=START, end=END)  # the newcomer at least


def test_most_active_members_count_mentions_answers_and_contributions(desk):
    person = desk["people"][2]
    Contribution.objects.create(person=person, kind=Contribution.Kind.FORUM_ANSWER, date=START, title="a")
    Contribution.objects.create(person=person, kind=Contribution.Kind.TALK, date=END, title="t")
    Contribution.objects.create(person=person, kind=Contribution.Kind.TALK, date=END + timedelta(days=1), title="x")
    with rollups_read():
        rows = active.most_active(start=START, end=END, limit=6)
    by_person = {r["person"]: r for r in rows}
    for p in desk["people"]:
        mentions = sum(1 for r in desk["rows"] if r["person"] == p.pk and START <= r["day"] <= END)
        assert by_person.get(p.pk, {"mentions": 0})["mentions"] == mentions, p.pk
    assert (by_person[person.pk]["answers"], by_person[person.pk]["contributions"]) == (1, 1)
    assert by_person[person.pk]["url"] == person.get_absolute_url()
    assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)


def test_the_most_active_members_agree_on_both_paths_through_changes(desk):
    """The identity-day rollup's top of the list against the tickets' counts, through a merge of two people, a
    requester removed, a ticket merged away and a person erased; only the top is read from the rollup (the kept
    past ranking and today merged: metrics/tests/test_community_active.py)."""
    hackernews = desk["channels"]["hackernews"].pk
    people, tickets = desk["people"], [r["ticket"] for r in desk["rows"]]
    Contribution.objects.create(person=people[5], kind=Contribution.Kind.TALK, date=START, title="t")

    def agree():
        for channel_id in (None, hackernews):
            for limit in (1, 2, 6):
                kwargs: dict[str, Any] = {"start": START, "end": END, "channel_id": channel_id, "limit": limit}
                with rollups_read():
                    rolled = active.most_active(**kwargs)
                with mock.patch.object(active, "rollups_supported", return_value=False):
                    assert rolled == active.most_active(**kwargs), kwargs

    agree()
    Identity.objects.filter(person=people[1]).update(person=people[2])
    Requester.objects.filter(ticket=tickets[12]).delete()
    Ticket.objects.filter(pk=tickets[13].pk).update(merged_into=tickets[14])
    agree()
    Person.objects.filter(pk=people[0].pk).update(erased_at=_at(END))
    agree()
    with rollups_read():
        shown = {row["person"] for row in active.most_active(start=START, end=END)}
    assert people[0].pk not in shown and people[5].pk in shown


def test_trust_counts_the_intents_advocates_corrected(desk):
    advocate = AdvocateFactory()
    in_range = [r["ticket"] for r in desk["rows"] if START <= r["day"] <= END and r["intent"]]
    judgement_correct(in_range[0], Judgement.NOISE, advocate, Intent.OTHER if in_range[0].intent != "other" else "bug")
    judgement_correct(in_range[1], Judgement.NOISE, advocate)  # the judgement alone: not an intent corrected
    with rollups_read():
        figures = trust.trust_figures(start=START, end=END)
    assert figures["intent_judged"] == len(in_range)
    assert figures["intent_corrected"] == 1
    assert figures["sentiment_judged"] == sum(1 for r in desk["rows"] if START <= r["day"] <= END and r["sentiment"])


# --- The page, its CSV and the API -----------------------------------------------------------------------------

PAGE = reverse("metrics:community")
QUERY = f"from={START}&to={END}"


def test_the_page_shows_every_table_for_managers_only(desk, client, django_assert_max_num_queries):
    client.force_login(AdvocateFactory())
    assert client.get(f"{PAGE}?{QUERY}").status_code == 403
    client.force_login(ManagerFactory())
    client.get(f"{PAGE}?{QUERY}")  # the first read builds the rollups
    # 23: one a figure, the most active members' stamp of their kept past ranking (metrics.community.active_past), the
    # returning members' check of the targets their day rollup was counted with, and the sample checks of the range.
    with django_assert_max_num_queries(23):
        response = client.get(f"{PAGE}?{QUERY}&by=week")
    assert response.status_code == 200
    body = response.content.decode()
    for testid in ("community-platform", "community-sentiment", "community-sentiment-platforms", "community-intent",
                   "community-members", "community-returning", "trust-intent", "trust-sentiment"):  # fmt: skip
        assert f'data-testid="{testid}"' in body
    assert body.count("<svg") >= 4
    total = sum(1 for r in desk["rows"] if START <= r["day"] <= END)
    assert f"{total} mentions in the range" in body
    with django_assert_max_num_queries(6):  # a second view while nothing changed: the figures' fragment is kept
        again = client.get(f"{PAGE}?{QUERY}&by=week").content.decode()
    figures = slice(body.index('<p class="muted">A mention'), body.rindex("</section>"))
    assert again[figures] == body[figures]
    assert reverse("metrics:community") in client.get(reverse("metrics:dashboard")).content.decode()


def test_the_cached_figures_follow_a_new_mention_and_a_new_contribution(desk, client):
    client.force_login(ManagerFactory())
    total = sum(1 for r in desk["rows"] if START <= r["day"] <= END)
    assert f"{total} mentions in the range" in client.get(f"{PAGE}?{QUERY}").content.decode()
    identity = IdentityFactory(person=PersonFactory(name="Zed Newcomer"), platform="reddit", handle="zed")
    ticket_from(identity, channel=desk["channels"]["reddit"], requested_at=_at(END, 12))
    body = client.get(f"{PAGE}?{QUERY}").content.decode()
    assert f"{total + 1} mentions in the range" in body
    member = desk["people"][4]

    def contributions_shown() -> str:
        body = client.get(f"{PAGE}?{QUERY}").content.decode()
        row = re.search(rf'{member.get_absolute_url()}">[^<]*</a></td>((?:<td class="num">\d+</td>){{3}})', body)
        assert row, "the member is listed"
        return re.findall(r"\d+", row.group(1))[-1]

    assert contributions_shown() == "0"
    Contribution.objects.create(person=member, kind=Contribution.Kind.TALK, date=END, title="t")
    assert contributions_shown() == "1"


def test_a_wrong_filter_is_said_on_the_page(client):
    client.force_login(ManagerFactory())
    response = client.get(f"{PAGE}?by=year")
    assert response.status_code == 400
    assert "By:" in response.content.decode()


def _csv(client, table: str, query: str) -> list[list[str]]:
    response = client.get(reverse("metrics:export", args=[table]) + f"?{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("group", volume.GROUPS)
def test_the_csv_says_what_the_raw_rows_count(desk, client, group):
    client.force_login(ManagerFactory())
    lines = _csv(client, f"community_{group}", QUERY + "&by=week")
    assert lines[0] == ["period", group, "mentions"]
    expected = _expected_volume(desk["rows"], by="week", group=group)
    assert lines[1:] == [[str(r["period"]), r["group"], str(r["mentions"])] for r in expected]


def test_every_community_csv_answers(desk, client):
    client.force_login(ManagerFactory())
    for table in ("community_sentiment_share", "community_stories", "community_terms", "community_tags",
                  "community_members", "community_returning"):  # fmt: skip
        assert _csv(client, table, QUERY)[0], table


def test_a_range_with_no_window_passed_points_to_the_latest_one_that_has(desk, client):
    """The page opens on the last 30 days, where no first mention is 30 days past: the returning table is all "not
    yet known", so it links to the latest range of the same length whose windows have passed, which has figures."""
    client.force_login(ManagerFactory())
    today = date.today()
    recent = client.get(f"{PAGE}?from={today - timedelta(days=29)}&to={today}").content.decode()
    link = re.search(r'data-testid="returning-decided">[^<]*<a href="\?from=([\d-]+)&amp;to=([\d-]+)', recent)
    assert link, "the pointer is shown"
    start, end = date.fromisoformat(link.group(1)), date.fromisoformat(link.group(2))
    assert (end - start).days == 29 and end == members.last_decided_day(30, timezone.now())
    assert members.decided_range(start=start, end=end, now=timezone.now()) is None
    older = client.get(f"{PAGE}?from={start}&to={end}").content.decode()
    assert 'data-testid="returning-decided"' not in older
