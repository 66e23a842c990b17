"""What an advocate sees of the desk's judgement and of the team's model, in Debian's chromium at 1366 and 375 px,
each screen saved as test-artifacts/e2e-judgement-<what>-<width>.png:

- an unsure chip ("Unsure", which way the desk leans and why) and a sure one whose reason names the earlier ticket
  of this desk the team answered;
- the learned version's sentence ("Precision on your last N labelled mentions: ...") in admin's list of versions
  and on the KPI page, the same words;
- the team model's summary at the top of a long thread and its draft in the composer, put in the reply box to edit
  and never sent.

Nothing is stored by hand: the tickets are judged by the worker's own function (mentions.judgement.run
.tickets_judge, the shipped models and the embedding model, offline), the version is learned by
mentions.judgement.learning.judgement_learn from a desk's history (the development set's mentions,
mentions/judgement/eval/dev.json, answered or solved as mentions/tests/test_judgement_learning.py does), and the
summary and the draft are written by the worker's tasks (mentions.team_model_summaries, answers.team_model_draft).

The team's endpoint is the local fake of mentions/tests/openai_fake.py; its shapes are those its docstring cites:
OpenAI's API reference, "Create chat completion" (POST /v1/chat/completions), as Ollama's OpenAI compatibility
(docs/openai.md) and llama.cpp's server (tools/server/README.md) serve them. No platform is reached: `responses`
lets the fake's address alone through."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from advocacy.versioned import version_bump
from answers.index.follow import answers_index
from answers.tasks import team_model_draft
from answers.tests.test_suggestions import answered
from channels.tests.factories import ChannelFactory
from mentions.judgement.evaluation import DEVELOPMENT
from mentions.judgement.learning import MODEL_VERSION, judgement_learn
from mentions.judgement.run import tickets_judge
from mentions.models import JudgementModel, Message, ReplySend, TeamModelOutput, Ticket
from mentions.services.judgement_learned import learned_active, learned_said
from mentions.tasks import team_model_summaries
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory
from mentions.tests.openai_fake import FakeOpenAI, Reply, Seen, answer, endpoint_configure, fake_openai
from tests.e2e.login import sign_in
from tests.e2e.test_keyboard_browser import _browser, _desk_page, _log_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 375]
# Whether people of the desk should answer it is a fair doubt: a question, but to other users.
# Mentions a learned version is seldom sure of (a question of opinion); the first the desk judged unsure is shown.
UNSURE_TEXTS = (
    "gitlab runners on spot instances: worth it?",
    "thinking about gitlab for the team, thoughts?",
    "gitlab pages or netlify for our docs site?",
    "is gitlab premium worth it for ten devs",
    "self-hosted gitlab or gitlab.com for a small agency?",
)
# dev-001 of the development set, as another member would ask it again.
ASKED_BEFORE_ID = "dev-001"
ASKED_AGAIN = {
    "title": "GitLab CI cache not restored between jobs",
    "text": "I set cache:key to ${CI_COMMIT_REF_SLUG} and paths to node_modules/, but the second job always starts "
    "with an empty cache. Docker executor on our own VM. What am I missing?",
}
SUMMARY = (
    "Asks why the runner cache is lost after upgrading to 17.5.\n"
    "We asked for the runner's config.toml; it uses the S3 cache behind a proxy.\n"
    "Still open: whether the proxy strips the signed URL's headers."
)
DRAFT = (
    "Thanks for the config! With the S3 cache behind a proxy, the runner needs the proxy to pass the signed URL "
    "through unchanged. Could you try with ServerAddress pointing at S3 directly and tell us if the cache restores?"
)
# Nothing may be wider than the screen: the document's widest box.
PAGE_WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@contextmanager
def _signed_in(live_server, width: int, username: str) -> Iterator[Page]:
    """Debian's chromium at `width`, `username` signed in on a page of its own."""
    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, username, viewport={"width": width, "height": 800})
        yield page
        browser.close()


def _shot(page: Page, what: str, width: int) -> None:
    page.screenshot(path=str(ARTIFACTS / f"e2e-judgement-{what}-{width}.png"))


def _fits(page: Page, width: int) -> None:
    assert page.evaluate(PAGE_WIDTH) <= width, f"{page.url} is wider than {width} px"


def _mentions_judged(channel, mentions: list[dict]) -> list[Ticket]:
    """Each mention stored as the ingest stores one (a ticket and its inbound message), then judged by the worker."""
    made = []
    for m in mentions:
        ticket = TicketFactory(channel=channel, subject=m.get("title") or "")
        MessageFactory(ticket=ticket, title=m.get("title") or "", body=m["text"], author_handle=m["author"])
        made.append(ticket)
    tickets_judge([t.pk for t in made], batches=10)
    return made


@pytest.fixture
def desk():
    """A GitLab desk with a history that taught it: the development set's 163 mentions in a shuffled order (the
    newest labelled, which a version is scored on, a mix of all three words), the team's reply to each one that
    needs a response and the rest solved unanswered; then the worker learns its version."""
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    mentions = json.loads(DEVELOPMENT.read_text(encoding="utf-8"))["mentions"]
    random.Random(56).shuffle(mentions)
    tickets = _mentions_judged(channel, mentions)
    now = timezone.now()
    for ticket, m in zip(tickets, mentions, strict=True):
        if m["label"]["judgement"] == "needs_response":
            Ticket.objects.filter(pk=ticket.pk).update(first_reply_at=now, status=Ticket.Status.OPEN)
        else:
            Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED, solved_at=now)
    version_bump(MODEL_VERSION)  # the worker reads the labelled history again (the evidence of a reason)
    learned = judgement_learn()
    assert learned["active"] is True, learned
    by_id = {m["id"]: t for t, m in zip(tickets, mentions, strict=True)}
    return {"channel": channel, "asked_before": by_id[ASKED_BEFORE_ID]}


@pytest.mark.parametrize("width", WIDTHS)
def test_an_unsure_chip_says_which_way_it_leans_and_a_sure_one_names_the_earlier_ticket(live_server, desk, width):
    AdvocateFactory(username="ada")
    *candidates, sure = _mentions_judged(
        desk["channel"],
        [
            *({"title": "", "text": t, "author": f"kenji{n}"} for n, t in enumerate(UNSURE_TEXTS)),
            {**ASKED_AGAIN, "author": "marta_k"},
        ],
    )
    for candidate in candidates:
        candidate.refresh_from_db()
    unsure = min(candidates, key=lambda t: t.judgement_confidence or 1.0)
    unsure.refresh_from_db()
    sure.refresh_from_db()
    asked_before = desk["asked_before"]
    # As the worker stored them: the unsure one below the line, served as needing a response.
    assert unsure.judgement_confidence is not None
    assert unsure.judgement_confidence < settings.DESK_JUDGEMENT_UNSURE_BELOW
    assert unsure.judgement == "needs_response" and unsure.judgement_reason.startswith("Unsure, leans ")
    assert sure.judgement_confidence is not None
    assert sure.judgement_confidence >= settings.DESK_JUDGEMENT_UNSURE_BELOW
    assert sure.judgement == "needs_response"
    assert sure.judgement_reason == f"Like #{asked_before.pk}, which the team answered"
    ARTIFACTS.mkdir(exist_ok=True)

    with _signed_in(live_server, width, "ada") as page:
        page.goto(f"{live_server.url}{unsure.get_absolute_url()}")
        chip = page.get_by_test_id("judgement-chip")
        expect(chip).to_be_visible()
        expect(chip.locator("strong")).to_have_text("Unsure")
        expect(chip).to_contain_text(f"{unsure.judgement_confidence:.0%}".replace("%", "\u00a0% sure"))
        reason = page.get_by_test_id("judgement-reason")
        expect(reason).to_be_visible()
        expect(reason).to_have_text(unsure.judgement_reason)
        leans = "needs a response" if "leans needs a response" in unsure.judgement_reason else "worth knowing"
        expect(reason).to_contain_text(f"leans {leans}")
        # The chip says the lean in words, from the same reason (mentions.models.judgement.sure_said).
        expect(chip).to_contain_text("it needs a response" if leans == "needs a response" else "does not need")
        _fits(page, width)
        page.get_by_test_id("judgement").scroll_into_view_if_needed()
        _shot(page, "unsure", width)

        page.goto(f"{live_server.url}{sure.get_absolute_url()}")
        expect(chip.locator("strong")).to_have_text("Needs a response")
        expect(chip).not_to_contain_text("Unsure")
        expect(page.get_by_test_id("judgement-sure")).to_have_text(
            f"{sure.judgement_confidence:.0%}".replace("%", "\u00a0% sure")
        )
        expect(reason).to_be_visible()
        expect(reason).to_have_text(f"Like #{asked_before.pk}, which the team answered")
        _fits(page, width)
        page.get_by_test_id("judgement").scroll_into_view_if_needed()
        _shot(page, "sure", width)

        page.get_by_test_id("judgement-earlier").click()  # the evidence, one click away
        expect(page).to_have_url(f"{live_server.url}{asked_before.get_absolute_url()}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_learned_versions_precision_in_admin_and_on_the_kpi_page(live_server, desk, width):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    ManagerFactory(username="mo")
    row = JudgementModel.objects.get(outcome=JudgementModel.Outcome.ACTIVE)
    said = learned_said(learned_active())
    assert said.startswith(f"Precision on your last {row.scored_on} labelled mentions: needs a response ")
    assert f"version {row.pk}, learned " in said
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = _browser(pw)
        admin = browser.new_page(viewport={"width": width, "height": 800})
        sign_in(admin, f"{live_server.url}/admin/login/?next=/admin/", "root")
        admin.goto(f"{live_server.url}/admin/mentions/judgementmodel/")
        learned = admin.get_by_test_id("judgement-learned")
        expect(learned).to_be_visible()
        expect(learned).to_have_text(said)
        expect(admin.locator("#result_list tbody tr")).to_have_count(1)
        expect(admin.locator("#result_list tbody tr")).to_contain_text("Active")
        _fits(admin, width)
        _shot(admin, "admin-learned", width)

        kpi = browser.new_context().new_page()
        kpi.set_viewport_size({"width": width, "height": 800})
        _log_in(kpi, live_server.url, "mo")
        kpi.goto(f"{live_server.url}/kpi/")
        shown = kpi.get_by_test_id("judgement-learned")
        shown.scroll_into_view_if_needed()
        expect(shown).to_be_visible()
        expect(shown).to_have_text(f"The learned judgement: {said}.")
        _fits(kpi, width)
        _shot(kpi, "kpi-learned", width)
        browser.close()


def _long_thread(channel) -> Ticket:
    """A member's question, our two answers and their three follow-ups: six public messages, the newest theirs."""
    ticket = TicketFactory(
        channel=channel, subject="Runner cache lost after upgrading to 17.5", requester_handle="priya_r"
    )
    said = [
        "Since we upgraded our runners to 17.5 the cache is never restored: every job downloads node_modules again.",
        "Thanks for the report! Could you share your runner's config.toml (without the secrets)?",
        "Here it is: [runners.cache] Type = s3, Shared = true, ServerAddress = minio.internal behind our proxy.",
        "Does the job log show 'Failed to extract cache' or nothing at all about the cache?",
        "It says 'Checking cache for default-protected... WARNING: Retrying...' and then gives up after 3 tries.",
        "Anything else we can try? Our pipelines take 12 minutes longer since the upgrade.",
    ]
    for i, body in enumerate(said):
        ours = i in (1, 3)
        MessageFactory(
            ticket=ticket,
            kind=Message.Kind.OUR_REPLY if ours else Message.Kind.INBOUND,
            author_handle="gitlabhq" if ours else "priya_r",
            author_name="GitLab" if ours else "Priya R.",
            title=ticket.subject if i == 0 else "",
            body=body,
            platform_created_at=ticket.requested_at + timedelta(minutes=20 * i),
        )
    return ticket


def _by_request(seen: Seen) -> Reply:
    """The fake answers each use with its own text, told apart by the system prompt the desk sent."""
    system = seen.body["messages"][0]["content"]
    return answer(DRAFT if "You draft a reply" in system else SUMMARY)


@pytest.fixture
def fake():
    with fake_openai() as server:
        server.respond = _by_request
        yield server


@pytest.mark.parametrize("width", WIDTHS)
@responses.activate  # a platform's address would fail here: nothing is posted anywhere
def test_the_team_models_summary_tops_the_thread_and_its_draft_waits_in_the_composer(
    live_server, fake: FakeOpenAI, width
):
    responses.add_passthru(fake.base_url)  # the team's endpoint alone is reached
    AdvocateFactory(username="ada")
    channel = ChannelFactory()
    answered(
        "Runner cache not restored with S3 behind a proxy",
        "Our S3 cache behind a corporate proxy is never restored by the runner.",
        "The proxy must pass the signed URL through unchanged; or point ServerAddress at S3 directly.",
        channel=channel,
    )
    answers_index()
    ticket = _long_thread(channel)
    endpoint_configure(fake, drafts=True, summaries=True)

    assert team_model_summaries.apply().get()["summarised"] == 1
    assert team_model_draft.apply(args=(ticket.pk,)).get() is True
    assert fake.requests == 2
    assert all(s.path == "/v1/chat/completions" for s in fake.seen)
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert (output.summary, output.draft, output.summary_messages) == (SUMMARY, DRAFT, 6)
    ARTIFACTS.mkdir(exist_ok=True)

    with _signed_in(live_server, width, "ada") as page:
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")

        summary = page.get_by_test_id("team-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("Summary by llama3.1:8b of the first 6 messages")
        expect(page.get_by_test_id("team-summary-text")).to_have_text(SUMMARY.replace("\n", ""))
        top, first = summary.bounding_box(), page.get_by_test_id("message").first.bounding_box()
        assert top and first and top["y"] + top["height"] <= first["y"]  # above the thread's first message
        _fits(page, width)
        if width > 760:  # the menus beside the title, together at its right (on a phone they come under it)
            snooze, more = page.get_by_test_id("snooze-menu").bounding_box(), page.get_by_test_id("more-actions")
            more_box = more.bounding_box()
            assert snooze and more_box and 0 <= more_box["x"] - (snooze["x"] + snooze["width"]) <= 24
        _shot(page, "summary", width)

        draft = page.get_by_test_id("team-draft")
        draft.scroll_into_view_if_needed()
        expect(page.get_by_test_id("team-draft-from")).to_have_text("Draft from llama3.1:8b")
        expect(draft).to_contain_text("nothing is sent until you send it")
        expect(page.get_by_test_id("team-draft-text")).to_have_text(DRAFT)
        reply = page.locator("form[data-keys-reply] textarea")
        expect(reply).to_have_value("")
        page.get_by_test_id("team-draft-use").click()
        expect(reply).to_have_value(DRAFT)
        reply.press("End")
        reply.type(" Thanks, Ada")
        expect(reply).to_have_value(DRAFT + " Thanks, Ada")
        _fits(page, width)
        reply.scroll_into_view_if_needed()
        _shot(page, "draft", width)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and ticket.first_reply_at is None
    assert not ReplySend.objects.exists()
    assert ticket.messages.count() == 6  # nothing added: no reply sent, none recorded
    assert len(responses.calls) == 0  # no platform was called
    assert fake.requests == 2  # opening the page asked the team's model nothing more
