"""The demo's team model (`make run`): with DESK_DEMO_REPLAY the endpoint seed_demo configures is answered on this
machine (mentions.assistant.demo), so the worker's own tasks judge the unsure mentions, draft and summarise through
the real client, and the pages say it was the demo, never a model. Nothing of it resolves or connects to a host.

Shapes: the requests are the desk's own (mentions.assistant.judge, .summary, answers.team_draft); the answers are
OpenAI's chat completions as mentions/assistant/demo.py documents them (OpenAI's API reference, "The chat completion
object" and "streaming"; Ollama's docs/openai.md), the same the tests' fake serves (mentions/tests/openai_fake.py).
The tickets are the demo week's, polled through the demo mailbox (channels/adapters/email/replay.py) or seeded by
seed_demo, as `make run` does."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from answers.tasks import team_model_draft
from channels.demo.week import THREADS
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import poll
from mentions.assistant.judge import TeamModelInput, team_model_judgements
from mentions.judgement.classify import Verdict
from mentions.judgement.features import MentionText
from mentions.judgement.product import product_load
from mentions.judgement.second_opinion import team_model_second_opinion
from mentions.models import TeamModelEndpoint, TeamModelOutput, Ticket
from mentions.models.team_model import DEMO_BASE_URL, DEMO_MODEL
from mentions.services.team_model import team_model_demo_ensure
from mentions.tasks import judgement_run, team_model_summaries, team_model_test
from mentions.tests.factories import AdvocateFactory, UserFactory
from mentions.tests.openai_fake import answer, endpoint_configure, fake_openai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then
LONG = next(t for t in THREADS if t.title == "Open-source programme application stuck")  # six messages
LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_outside_host(monkeypatch):
    """Every name resolved and every socket connected, recorded: the database and Redis are on this machine, and
    anything else would be the demo reaching out (refused, and named by the test)."""
    outside: list[str] = []
    resolve, connect = socket.getaddrinfo, socket.socket.connect

    def resolving(host, *args, **kwargs):
        if str(host) not in LOCAL:
            outside.append(f"resolve {host}")
            raise socket.gaierror(socket.EAI_NONAME, "the demo resolves no name")
        return resolve(host, *args, **kwargs)

    def connecting(sock, address, *args):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOCAL and not host.startswith("/"):
            outside.append(f"connect {host}")
            raise ConnectionRefusedError("the demo connects to nothing outside this machine")
        return connect(sock, address, *args)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    monkeypatch.setattr(socket.socket, "connect", connecting)
    yield outside
    assert outside == []


@pytest.fixture
def mailbox():
    """The demo's mailbox polled as `make run` polls it, and the demo's endpoint as seed_demo makes it."""
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel("email", ANCHOR)
        assert poll(channel).status == "ok"
    team_model_demo_ensure(replay=True)
    return Ticket.objects.get(channel=channel, subject=LONG.title)


def test_the_seed_makes_the_demo_endpoint_only_once_and_only_on_with_the_replay():
    assert "the demo's replay, made, off" in team_model_demo_ensure(replay=False)
    row = TeamModelEndpoint.objects.get()
    assert (row.base_url, row.model, row.enabled, row.is_demo) == (DEMO_BASE_URL, DEMO_MODEL, False, True)
    row.delete()
    assert "the demo's replay, made, on" in team_model_demo_ensure(replay=True)
    row = TeamModelEndpoint.objects.get()
    assert row.enabled and row.judge_unsure and row.drafts and row.summaries
    # A team's own endpoint is theirs: the seed never touches it.
    TeamModelEndpoint.objects.filter(pk=row.pk).update(base_url="http://127.0.0.1:11434/v1", model="llama3.1:8b")
    assert "llama3.1:8b" in team_model_demo_ensure(replay=True) and TeamModelEndpoint.objects.count() == 1
    assert TeamModelEndpoint.objects.get().model == "llama3.1:8b"


def test_the_draft_task_writes_the_demos_draft_and_the_composer_says_it_is_the_demo(mailbox, client):
    assert team_model_draft.apply(args=(mailbox.pk,)).get() is True
    output = TeamModelOutput.objects.get(ticket=mailbox)
    assert output.draft_model == DEMO_MODEL and output.draft_demo
    # Thanks fitting the member's last words ("Any news from the programme team?"), and a promise to check: the
    # demo has no earlier answer or page for this one, and says nothing it was not given.
    assert output.draft.startswith("Thanks for your patience")
    assert "checking this with the team" in output.draft
    client.force_login(AdvocateFactory())
    page = client.get(mailbox.get_absolute_url()).content.decode()
    assert "Draft from the demo's model" in page and 'data-testid="team-draft-demo"' in page
    assert "not a language model" in page and DEMO_MODEL not in page


def test_the_summaries_beat_summarises_the_long_thread_from_its_own_words(mailbox, client):
    assert team_model_summaries.apply().get() == {"summarised": 1, "due": 1}
    output = TeamModelOutput.objects.get(ticket=mailbox)
    lines = output.summary.splitlines()
    assert output.summary_model == DEMO_MODEL and output.summary_messages == 6 and len(lines) <= 5
    assert lines[0] == f"Member 1 writes: {LONG.text}"
    assert lines[1].startswith("The team replied 2 times; last: I've passed it to the programme team")
    assert "Latest, Member 1: Any news from the programme team?" in lines
    assert lines[-1] == "Open: the last word is a member's; a reply from the team is due."
    client.force_login(AdvocateFactory())
    page = client.get(mailbox.get_absolute_url()).content.decode()
    assert 'data-testid="team-summary-demo"' in page and "by the demo's model (a demo" in page
    # Written once per thread size: the next minute's run asks nothing.
    assert team_model_summaries.apply().get()["summarised"] == 0


def test_an_unsure_mention_gets_the_demos_second_opinion_said_as_the_demos(mailbox):
    """The judgement run's second opinion for what the desk is unsure of: the week's opening post gets the week's
    reading; its reason says it is the demo's."""
    unsure = Verdict(judgement="needs_response", intent="other", sentiment="neutral", language="en",
                     confidence=0.48, reason="Unsure, leans needs a response (48%): …")  # fmt: skip
    mention = MentionText(title=LONG.title, text=LONG.text, author=LONG.author, platform="email")
    found = team_model_second_opinion({mailbox.pk: unsure}, {mailbox.pk: mention}, product_load())
    verdict = found[mailbox.pk]
    assert (verdict.judgement, verdict.intent, verdict.confidence) == ("needs_response", "other", 0.6)
    assert verdict.reason == (
        "The demo's model: Needs a response: waits to hear back from the team (the demo week's reading of this post)"
    )


def test_a_mention_not_of_the_week_is_read_by_the_demos_rules_and_says_so():
    team_model_demo_ensure(replay=True)
    product = product_load()

    def judged(text: str, title: str = "") -> tuple[str, str, str]:
        item = TeamModelInput(title=title, text=text, platform="reddit", product_name=product.name,
                              product_description=product.description)  # fmt: skip
        verdict = team_model_judgements({1: item})[1]
        return verdict.judgement, verdict.intent, verdict.reason

    asks = judged("Does the container registry support OCI artifacts? We'd like to push Helm charts there.")
    assert asks == ("needs_response", "question", "Needs a response: asks “Does the container registry support "
                    "OCI artifacts?” (read from its words by the demo's rules)")  # fmt: skip
    assert judged("Since this morning every job fails with 'no space left on device'.")[:2] == ("needs_response", "bug")
    assert judged("PSA: the 18.6 helper image moved registries, update your pin.")[0] == "worth_knowing"
    assert judged("Spent the weekend migrating our repos, went smoothly.")[0] == "worth_knowing"


def test_streamed_answers_are_the_same_and_another_model_is_not_answered(mailbox):
    team_model_draft.apply(args=(mailbox.pk,)).get()
    plain = TeamModelOutput.objects.get(ticket=mailbox).draft
    TeamModelOutput.objects.all().delete()
    TeamModelEndpoint.objects.update(stream=True)
    assert team_model_draft.apply(args=(mailbox.pk,)).get() is True
    assert TeamModelOutput.objects.get(ticket=mailbox).draft == plain
    # Only the demo's name is answered, so whatever the pages call the demo's came from the demo.
    TeamModelOutput.objects.all().delete()
    TeamModelEndpoint.objects.update(model="llama3.1:8b")
    assert team_model_draft.apply(args=(mailbox.pk,)).get() is False
    row = TeamModelEndpoint.objects.get()
    assert row.last_error == "drafts: answered 404: check the base URL (…/v1) and the model's name"


def test_the_connection_test_answers_ok_and_admin_says_it_is_the_demos(client):
    team_model_demo_ensure(replay=True)
    said = team_model_test.apply().get()
    assert said.startswith(f"OK: {DEMO_MODEL} answered in ") and "tokens" not in said  # the demo counts none
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    row = TeamModelEndpoint.objects.get()
    listed = client.get(reverse("admin:mentions_teammodelendpoint_changelist")).content.decode()
    assert "The demo&#x27;s model (a replay on this machine, not a language model)" in listed
    page = client.get(reverse("admin:mentions_teammodelendpoint_change", args=[row.pk])).content.decode()
    assert "This is the demo&#x27;s model: a replay on this machine" in page


def test_with_the_replay_another_endpoint_outside_this_machine_is_refused_unresolved(no_outside_host):
    """A team trying its hosted API on a demo desk: the demo network refuses it before any name is resolved."""
    TeamModelEndpoint.objects.create(enabled=True, base_url="https://api.example.com/v1", model="gpt-4o-mini")
    assert team_model_test.apply().get() == "Failed: not reached (ConnectionError)."
    assert no_outside_host == []


def test_with_the_replay_a_model_on_this_machine_is_still_reached(no_outside_host):
    """A team trying its own Ollama on the demo desk: this machine is connected to, as for the platforms' fakes."""
    with fake_openai() as fake:
        fake.replies = [answer("OK")]
        endpoint_configure(fake)
        assert team_model_test.apply().get().startswith("OK: llama3.1:8b answered in ")
        assert fake.requests == 1
    assert no_outside_host == []


def test_make_runs_seed_then_the_worker_show_all_three_on_the_long_thread(client, no_outside_host):
    """seed_demo, then what `make run`'s worker and beat do: judge the week (the unsure mentions go to the demo's
    model), draft for what needs a response, summarise the long threads. The demo's long thread (the e-mail to the
    open-source programme) is one the desk is unsure of: its page shows all three, each said to be the demo's."""
    with time_machine.travel(ANCHOR, tick=False):
        call_command("seed_demo", stdout=StringIO())
    assert TeamModelEndpoint.objects.get().is_demo
    # As beat does every 20 s until the week is judged: one run judges for about 15 s, which on a loaded machine is
    # not all of the demo's 430 tickets (300 in a full-suite run, without the long thread).
    for _ in range(10):
        if not judgement_run.apply().get()["judged"]:
            break
    second = Ticket.objects.filter(judgement_reason__startswith="The demo's model: ")
    assert second.count() >= 5
    ticket = Ticket.objects.get(subject=LONG.title)
    assert ticket in second and ticket.judgement == "needs_response"
    assert team_model_draft.apply(args=(ticket.pk,)).get() is True
    assert team_model_summaries.apply().get()["summarised"] >= 1
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert output.draft_demo and output.summary_demo
    client.force_login(AdvocateFactory())
    page = client.get(ticket.get_absolute_url()).content.decode()
    # The reason is the ticket's (escaped); the labels are the templates' own words.
    for shown in ("Draft from the demo's model", "team-summary-demo", "The demo&#x27;s model: Needs a response"):
        assert shown in page
    assert no_outside_host == []
