"""The learned judgement's confidence on the desk (issue 56, docs/judgement.md "On the desk"): an unsure ticket
says "Unsure" and how sure in words on its page, in the list and the queue, without its intent and sentiment; a
sure one says how sure; a correction makes it the advocate's word (confidence 1, never unsure again); the list
filters the unsure ones. The columns are set as the worker's task stores them (mentions.judgement.run's update,
reasons as mentions.judgement.combine writes them). No platform is called."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentions.models import JudgedBy, Rule, Ticket, TicketEvent
from mentions.services.judgement import judgement_correct, noise_undo
from mentions.services.judgement_rules import judged_rules_run
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, seen
from mentions.tests.pages import page_queries
from mentions.ticket_page.history import history_lines

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
LEANS_WORTH = "Unsure, leans worth knowing (46%): A question to other users, nothing asked of the team"
LEANS_RESPOND = "Unsure, leans needs a response (55%): Asks"


def stored(ticket: Ticket, judgement: str, confidence: float | None, **more: object) -> Ticket:
    """As the worker's task stores a verdict: the columns and the confidence in one update, judged_by="desk"."""
    fields = {"intent": "", "sentiment": "", "language": "", "judgement_reason": "", **more}
    Ticket.objects.filter(pk=ticket.pk).update(
        judgement=judgement,
        judgement_confidence=confidence,
        judged_by=JudgedBy.DESK,
        judged_at=timezone.now(),
        **fields,
    )
    ticket.refresh_from_db()
    return ticket


def unsure(ticket: Ticket | None = None, reason: str = LEANS_WORTH, confidence: float = 0.46, **more: object) -> Ticket:
    more = {"intent": "question", "sentiment": "negative", "language": "fr", **more}
    return stored(ticket or TicketFactory(), "needs_response", confidence, judgement_reason=reason, **more)


def _chip(html: str) -> str:
    start = html.index('<p class="judgement-chip')
    return html[start : html.index("</p>", start)]


def test_an_unsure_ticket_says_unsure_and_which_way_in_words_without_intent_or_sentiment(advocate_client):
    ticket = unsure()
    MessageFactory(ticket=ticket)
    assert ticket.judgement_unsure

    chip = _chip(advocate_client.get(ticket.get_absolute_url()).content.decode())

    assert f"<strong>Unsure</strong>: 46{NBSP}% sure it does not need a response" in chip
    assert "judgement-unsure" in chip and "judgement-needs_response" not in chip  # its own look, not the red one
    assert "Question" not in chip and "negative" not in chip  # guesses of the same doubt
    assert 'lang="fr">fr</span>' in chip  # the language always
    assert "The desk's judgement: </span>" in chip  # screen readers hear the same words
    assert f'title="{LEANS_WORTH}"' in chip  # and the reason, which way it leans

    leaning_respond = unsure(reason=LEANS_RESPOND, confidence=0.55)
    chip = _chip(advocate_client.get(leaning_respond.get_absolute_url()).content.decode())
    assert f"<strong>Unsure</strong>: 55{NBSP}% sure it needs a response" in chip


def test_a_sure_ticket_says_how_sure_and_a_corrected_one_shows_its_intent_without_a_figure(advocate_client):
    sure = stored(
        TicketFactory(), "needs_response", 0.93, intent="question", sentiment="neutral", language="en",
        judgement_reason="Like #12, which the team answered",
    )  # fmt: skip
    chip = _chip(advocate_client.get(sure.get_absolute_url()).content.decode())
    assert "<strong>Needs a response</strong> · Question · neutral ·" in chip
    assert f'data-testid="judgement-sure">93{NBSP}% sure</span>' in chip
    assert "judgement-needs_response" in chip

    before = stored(TicketFactory(), "worth_knowing", None, intent="praise")  # judged before the confidence existed
    chip = _chip(advocate_client.get(before.get_absolute_url()).content.decode())
    assert "<strong>Worth knowing</strong> · Praise" in chip and "% sure" not in chip

    corrected = unsure()
    judgement_correct(corrected, "worth_knowing", advocate_client.user, intent="praise")
    chip = _chip(advocate_client.get(corrected.get_absolute_url()).content.decode())
    assert "<strong>Worth knowing</strong> · Praise · negative ·" in chip and "(corrected)" in chip
    assert "Unsure" not in chip and "% sure" not in chip


def test_the_list_and_my_tickets_show_unsure_instead_of_the_judgement_badge(advocate_client):
    doubt = unsure(TicketFactory(subject="Runner cache", assignee=advocate_client.user))
    sure = stored(TicketFactory(subject="Logo", assignee=advocate_client.user), "needs_response", 0.9)

    for url in (reverse("mentions:tickets"), reverse("mentions:queue")):
        html = advocate_client.get(url).content.decode()
        assert (
            f'<span class="judgement-badge judgement-unsure" data-testid="judgement-{doubt.pk}" title="{LEANS_WORTH}">'
            "Unsure</span>"
        ) in html, url
        assert f'judgement-needs_response" data-testid="judgement-{sure.pk}">Needs a response</span>' in html, url


def test_unsure_costs_no_query_on_the_page_the_list_or_the_queue(advocate_client):
    from tests.test_ticket_page_load import PAGE_QUERIES

    ticket = TicketFactory(assignee=advocate_client.user)
    MessageFactory(ticket=ticket)
    others = [TicketFactory(assignee=advocate_client.user) for _ in range(3)]
    urls = (ticket.get_absolute_url(), reverse("mentions:tickets"), reverse("mentions:queue"))
    plain = [page_queries(advocate_client, url)[0] for url in urls]
    unsure(ticket)
    for other in others:
        unsure(other)
    counted = [page_queries(advocate_client, url) for url in urls]
    assert [n for n, _ in counted] == plain
    assert plain[0] == PAGE_QUERIES
    assert all("Unsure" in html for _, html in counted)


def test_a_correction_makes_the_judgement_sure_and_confirming_an_unsure_one_counts(advocate_client):
    anna = AdvocateFactory(username="anna", first_name="Anna")
    changed = unsure()
    assert judgement_correct(changed, "noise", anna) is True
    changed.refresh_from_db()
    assert (changed.judgement_confidence, changed.judgement_unsure) == (1.0, False)
    event = TicketEvent.objects.get(ticket=changed, kind=TicketEvent.Kind.JUDGEMENT)
    assert event.data["from"] == "needs_response" and event.data["confidence"] == 0.46

    # "Needs a response" is how an unsure ticket is stored: the advocate saying so is their word, not a no-op.
    ticket = unsure(assignee=None)
    MessageFactory(ticket=ticket)
    url = reverse("mentions:ticket-judgement", args=[ticket.pk])
    response = advocate_client.post(url, {"judgement": "needs_response", "seen": seen(ticket)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Judgement confirmed: Needs a response." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.judged_by, ticket.judgement_confidence, ticket.judgement_unsure) == ("advocate", 1.0, False)
    assert ticket.judgement_reason.startswith("Confirmed by ")
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.JUDGEMENT)
    [line] = history_lines(ticket, [event])
    assert line.text.endswith("confirmed the judgement the desk was unsure of: Needs a response")
    # Once the advocate's, the same word again is a no-op as before.
    assert judgement_correct(ticket, "needs_response", anna) is False


def test_not_noise_makes_the_judgement_sure():
    from advocacy.versioned import version_bump_now
    from mentions.services.judgement_precision import LABELLED_MIN, VERSION_KEY
    from mentions.tests.labelled import labelled

    labelled("noise", "solved", LABELLED_MIN)  # the desk's noise right 30 times of 30: a rule may solve on it
    version_bump_now(VERSION_KEY)
    Rule.objects.create(name="Solve noise", enabled=True, judgements=["noise"], close_without_reply=True)
    ticket = stored(TicketFactory(), "noise", 0.97)
    MessageFactory(ticket=ticket)
    judged_rules_run([ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == "solved"

    noise_undo(ticket, AdvocateFactory(), "worth_knowing")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.judgement, ticket.judgement_confidence) == ("open", "worth_knowing", 1.0)


def test_the_list_filters_the_unsure_and_offers_it_in_its_filter_bar(advocate_client):
    doubt = unsure()
    sure = stored(TicketFactory(), "needs_response", 0.9)
    corrected = unsure()
    Ticket.objects.filter(pk=corrected.pk).update(judged_by=JudgedBy.ADVOCATE)  # an advocate's word is never unsure
    older = stored(TicketFactory(), "needs_response", None)

    def listed(query: str) -> set[int]:
        html = advocate_client.get(f"{reverse('mentions:tickets')}?{query}").content.decode()
        return {t.pk for t in (doubt, sure, corrected, older) if f'data-ticket="{t.pk}"' in html}

    assert listed("judgement=unsure") == {doubt.pk}
    assert listed("judgement=needs_response") == {doubt.pk, sure.pk, corrected.pk, older.pk}  # as stored
    page = advocate_client.get(f"{reverse('mentions:tickets')}?judgement=unsure").content.decode()
    assert '<option value="unsure" selected>Unsure</option>' in page
    # The search's ranked path (words given) filters the same way.
    for ticket in (doubt, sure):
        MessageFactory(ticket=ticket, body="The runner cache is never restored")
    assert listed("q=runner&judgement=unsure") == {doubt.pk}
    assert listed("q=runner&judgement=needs_response") == {doubt.pk, sure.pk}
