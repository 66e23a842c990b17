"""The copies the issue found after an erasure, end to end: a member asks on Hacker News with their address in the
title, an advocate answers "Hi <name>, ...", the answers index and the story detector run as beat runs them, the
desk's line about the new tickets goes to Slack, and Slack delivers it back (the app's own message) and a reply in
its thread quoting them. A manager erases them through the API, beat runs once more, and the suggestions
(`/api/tickets/{id}/suggestions/`), the stories (`/api/stories/` and a story's page there, with why each ticket
joined) and the Slack deliveries' admin pages hold none of their strings, while the answer is still offered, the
story still told and the other members' lines kept.

Shapes: the mentions are IncomingMentions as the Hacker News parser makes them (channels/adapters/hackernews);
chat.postMessage is answered as Slack documents it (the root conftest's `slack`); the deliveries are
slackapp/tests/fixtures/event_callback_bot_message.json and event_callback_thread_reply.json (Slack's documented
examples, listed in its SOURCES.md) with their ts and text set to the line the desk posted and a reply under it,
signed as Slack documents it (slackapp.tests.test_requests.signed).
Placed here because it drives api, answers, stories and slackapp together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from answers.index.follow import answers_index
from answers.tasks import index as answers_index_task
from answers.tasks import suggest as suggest_task
from answers.tasks import suggestions_refresh as suggestions_refresh_task
from api.tokens import token_create
from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions import services
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory, UserFactory
from notifications.models import SlackNotice
from notifications.tasks import slack_flush as slack_flush_task
from people.models import Identity
from slackapp.models import SlackEvent
from slackapp.tests.test_requests import SECRET, fixture, post_event
from stories.models import Membership
from stories.tasks import detect as stories_detect_task
from stories.tests.helpers import posts
from tests.erasure_scan import holders

pytestmark = pytest.mark.django_db

NAME, HANDLE, ADDRESS = "Zyxwvut Qoppa", "zyx_qoppa_42", "zyx.qoppa@example.org"
STRINGS = (NAME, HANDLE, ADDRESS, "Zyxwvut", "Qoppa")
ISSUE = "https://gitlab.com/gitlab-org/gitlab-runner/-/issues/4242"


@pytest.fixture
def slack_signing(settings):
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_BOT_TOKEN = "xoxb-test"  # noqa: S105 - a fake token: Slack's Web API is mocked
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the delivery is stored, as a worker would find it
    from slackapp.bolt import bolt_app

    bolt_app.cache_clear()
    yield
    bolt_app.cache_clear()


def said(n: int, text: str, *, handle: str, at, name: str = "", title: str = "") -> IncomingMention:
    return IncomingMention(
        external_id=f"erasure-copies-{n}",
        created_at=at,
        text=text,
        title=title,
        author_handle=handle,
        author_name=name,
        author_url=f"https://news.ycombinator.com/user?id={handle}",
        permalink=f"https://news.ycombinator.com/item?id={n}",
    )


def _token_client(user) -> Client:
    secret = token_create(user=user, name="erasure", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def beat() -> None:
    """The beat tasks that keep the copies: the answers index, the stored suggestions' refresh and the story
    detector, once each."""
    answers_index_task.apply().get()
    suggestions_refresh_task.apply().get()
    stories_detect_task.apply().get()


def test_after_an_erasure_and_a_beat_suggestions_stories_and_slack_deliveries_hold_none_of_their_strings(
    slack_signing, slack
):
    now = timezone.now().replace(microsecond=0)
    hn = ChannelFactory(slack_channel="#hn-mirror")
    first = said(
        1,
        f"I am {NAME} ({HANDLE}); the runner cache breaks after the upgrade, see {ISSUE}",
        handle=HANDLE,
        name=NAME,
        title=f"Runner cache broken after the upgrade, write to {ADDRESS}",
        at=now - timedelta(minutes=50),
    )
    others = [
        said(
            2,
            f"Runner cache broken after the upgrade here too: {ISSUE}",
            handle="vera_k",
            at=now - timedelta(minutes=40),
        ),
        said(3, f"Same runner cache bug since the upgrade {ISSUE}", handle="ola_b", at=now - timedelta(minutes=30)),
    ]
    mentions_ingest(channel=hn, mentions=[first, *others])
    theirs = Ticket.objects.get(requester_handle=HANDLE)
    advocate = AdvocateFactory()
    services.ticket_mark_replied(
        ticket=theirs,
        user=advocate,
        body=f"Hi {NAME}, clear the runner cache after the upgrade: https://docs.gitlab.com/runner/cache/",
    )
    beat()
    mentions_ingest(
        channel=hn,
        mentions=[said(4, "How do I clear the runner cache after the upgrade?", handle="dana_m", at=now)],
    )
    asking = Ticket.objects.get(requester_handle="dana_m")
    suggest_task.apply(args=([asking.pk],)).get()  # as the after-ingest hook queues it (answers.suggestions.stored)
    slack_flush_task.apply().get()
    (line,) = [p["text"] for p in posts(slack)]
    line_ts = SlackNotice.objects.get(ticket=theirs).slack_ts
    echo = fixture("event_callback_bot_message.json")
    echo["event"].update(ts=line_ts, event_ts=line_ts, text=line)
    del echo["event"]["thread_ts"]  # the line itself, not a reply
    reply = fixture("event_callback_thread_reply.json")
    reply["event"].update(thread_ts=line_ts, text=f"{NAME} (@{HANDLE}) says the cache fix did not hold")
    assert post_event(echo).status_code == 200 and post_event(reply).status_code == 200
    events = {e.key: e for e in SlackEvent.objects.all()}
    story = Membership.objects.get(ticket=theirs).story

    api = _token_client(AdvocateFactory())
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    def shown() -> dict[str, str]:
        pages = {
            "suggestions": api.get(f"/api/tickets/{asking.pk}/suggestions/"),
            "stories": api.get("/api/stories/"),
            "story": api.get(f"/api/stories/{story.pk}/"),
            **{
                f"Slack delivery {key} in admin": admin.get(reverse("admin:slackapp_slackevent_change", args=[e.pk]))
                for key, e in events.items()
            },
        }
        assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
        return {name: r.content.decode() for name, r in pages.items()}

    before = shown()
    assert NAME in before["suggestions"]  # our reply, "Hi <name>, ..."
    assert ADDRESS in before["stories"] and ADDRESS in before["story"]  # the story took their subject as its title
    assert ADDRESS in before["Slack delivery Ev0BOTMSG001 in admin"]  # the line shows their subject
    assert NAME in before["Slack delivery Ev123ABC456 in admin"]

    # The copies the issue names, and the words kept of them (stems and their counts, a story's word counts).
    copies = {"answers.Answer", "answers.Term", "stories.Story", "stories.TermDay", "slackapp.SlackEvent"}
    assert copies <= set(holders(STRINGS))

    person = Identity.objects.get(key=HANDLE).person
    erased = _token_client(ManagerFactory()).post(f"/api/people/{person.pk}/erase/")
    assert erased.status_code == 200
    beat()

    after = shown()
    left = {(page, s) for page, text in after.items() for s in STRINGS if s.casefold() in text.casefold()}
    assert left == set()
    # Nor in any table: the index's stems and counts, the detector's words, keys and day counts included.
    assert holders(STRINGS) == {}
    assert answers_index(everything=True) == 0  # a full re-index brings nothing back
    # The answer is still offered, their strings replaced; the story goes on under another member's subject.
    results = api.get(f"/api/tickets/{asking.pk}/suggestions/").json()["results"]
    assert [r["reply"]["text"] for r in results if r["ticket"] == theirs.pk] == [
        "Hi [erased], clear the runner cache after the upgrade: https://docs.gitlab.com/runner/cache/"
    ]
    detail = api.get(f"/api/stories/{story.pk}/").json()
    assert detail["title"] == f"Runner cache broken after the upgrade here too: {ISSUE}"
    # Their ticket is still in it, and the later question joined it on the beat after the erasure.
    others_ids = [Ticket.objects.get(requester_handle=h).pk for h in ("vera_k", "ola_b")]
    assert detail["tickets"] == [theirs.pk, *others_ids, asking.pk] and detail["size"] == 4
    assert SlackEvent.objects.get(key="Ev123ABC456").payload["event"]["text"] == (
        "[erased] (@[erased]) says the cache fix did not hold"
    )
    echoed = SlackEvent.objects.get(key="Ev0BOTMSG001").payload["event"]["text"]
    assert "Runner cache broken after the upgrade here too" in echoed and ": [erased] (" in echoed  # others' lines kept


def test_the_team_models_draft_and_summary_of_their_ticket_are_deleted_and_others_kept(settings):
    """The team model's outputs retell a member's words (mentions.TeamModelOutput): written by the real tasks
    against a local fake of an OpenAI-compatible endpoint (mentions/tests/openai_fake.py: OpenAI's documented
    chat-completion shapes), whose answer repeats the thread as a model's summary would, then erased."""
    from answers.tasks import team_model_draft
    from mentions.models import TeamModelOutput
    from mentions.tasks import team_model_summaries
    from mentions.tests.openai_fake import answer, endpoint_configure, fake_openai

    settings.DESK_TEAM_MODEL_SUMMARY_MESSAGES = 1
    now = timezone.now().replace(microsecond=0)
    hn = ChannelFactory()
    mentions_ingest(
        channel=hn,
        mentions=[
            said(11, f"I am {NAME}, write to {ADDRESS}: my runner cache is lost", handle=HANDLE, name=NAME, at=now),
            said(12, "Is the runner cache lost for anyone else?", handle="vera_k", at=now),
        ],
    )
    theirs, other = Ticket.objects.get(requester_handle=HANDLE), Ticket.objects.get(requester_handle="vera_k")
    with fake_openai() as fake:
        fake.respond = lambda seen: answer("The member says: " + seen.body["messages"][-1]["content"][:300])
        endpoint_configure(fake)
        for ticket in (theirs, other):
            assert team_model_draft.apply(args=(ticket.pk,)).get() is True
        assert team_model_summaries.apply().get()["summarised"] == 2
    assert {"mentions.TeamModelOutput"} <= set(holders(STRINGS))

    person = Identity.objects.get(key=HANDLE).person
    assert _token_client(ManagerFactory()).post(f"/api/people/{person.pk}/erase/").status_code == 200
    assert holders(STRINGS) == {}
    assert not TeamModelOutput.objects.filter(ticket=theirs).exists()
    kept = TeamModelOutput.objects.get(ticket=other)
    assert "Is the runner cache lost for anyone else?" in kept.draft and kept.summary
