"""Macros say what they do before they are applied, and one that misses something is disabled with the reason
and refused in the same words (issue 28). The handbook's seeded macros, on PostgreSQL; no HTTP is made (Slack
is either not configured, or configured and never reached because nothing here posts)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from experts.tests.factories import ExpertFactory
from mentions.models import Macro, MacroAction, Ticket
from mentions.services import macro_apply
from mentions.services.drafts import draft_append
from mentions.services.macro_needs import macro_summary
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db

COMMUNITY = "Involving experts::Community involvement"


def _says(name: str) -> str:
    return macro_summary(Macro.objects.get(name=name)).says


def test_each_handbook_macro_says_what_it_does(handbook_macros, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    assert _says("Expert responded") == (
        "Submits as Solved and moves on; takes the answer's link as the first reply; adds tags expert-responded"
    )
    assert _says("Spam report") == (
        "Prefills the reply (you send it); posts to Slack #abuse; adds tags spam-report; adds an internal note"
    )
    assert _says("Downtime: check status page") == "Prefills the reply (you send it); adds tags downtime"
    assert _says(COMMUNITY) == (
        "Submits as Solved and moves on; posts to Slack #community-involvement; adds tags community-involvement; "
        "adds an internal note"
    )
    assert _says("Reached out to expert") == (
        "Submits as Open and moves on; records an outreach to the expert you pick; needs a link; "
        "adds tags reached-out-to-expert; adds an internal note"
    )


def test_a_macro_of_any_actions_is_described_from_them():
    macro = Macro.objects.create(name="Triage")
    for kind, value in [
        (MacroAction.Kind.REMOVE_TAGS, "new  untriaged"),
        (MacroAction.Kind.ASSIGN_TO_ME, ""),
        (MacroAction.Kind.SET_STATUS, "pending"),
        (MacroAction.Kind.ANSWER_LINK, ""),
    ]:
        MacroAction.objects.create(macro=macro, kind=kind, value=value)
    assert macro_summary(macro).says == (
        "Submits as Pending and moves on; takes the answer's link as the first reply; "
        "removes tags new, untriaged; assigns the ticket to you"
    )
    assert macro_summary(macro).missing == ""


@override_settings(SLACK_BOT_TOKEN="")
def test_without_slack_the_community_macro_is_unavailable_and_refused_in_the_same_words(handbook_macros):
    macro = Macro.objects.get(name=COMMUNITY)
    missing = macro_summary(macro).missing
    assert missing.startswith("Slack is not connected to the desk.")
    ticket = TicketFactory()
    with pytest.raises(ValidationError) as refused:
        macro_apply(ticket=ticket, user=AdvocateFactory(), macro=macro)
    assert refused.value.messages == [f"“{COMMUNITY}” cannot run, so nothing was applied: {missing}"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and not ticket.events.exists()


def test_reached_out_is_unavailable_until_the_directory_has_an_expert(handbook_macros):
    macro = Macro.objects.get(name="Reached out to expert")
    assert "no active expert" in macro_summary(macro).missing
    vera = ExpertFactory(name="Vera")
    ExpertFactory(name="Gone", active=False)
    summary = macro_summary(macro)
    assert summary.missing == "" and summary.experts == ((vera.pk, "Vera"),)


@override_settings(SLACK_BOT_TOKEN="")
def test_the_ticket_page_renders_a_slack_macro_disabled_with_its_reason(handbook_macros, client):
    macro = Macro.objects.get(name=COMMUNITY)
    client.force_login(AdvocateFactory())
    html = client.get(TicketFactory().get_absolute_url()).content.decode()
    option = html[html.index(f'<option value="{macro.pk}"') :]
    option = option[: option.index("</option>")]
    assert " disabled" in option and 'data-missing="Slack is not connected to the desk.' in option
    assert "— unavailable: Slack is not connected to the desk." in option
    assert f"<li>“{COMMUNITY}” is unavailable: Slack is not connected to the desk." in html
    spam = Macro.objects.get(name="Spam report")
    assert f'<option value="{spam.pk}" data-name="Spam report"' in html and "Spam report — Prefills the reply" in html


@override_settings(SLACK_BOT_TOKEN="")
def test_applying_it_anyway_is_refused_with_the_reason_beside_the_picker(handbook_macros, client):
    from django.urls import reverse

    from mentions.tests.factories import seen
    from mentions.tests.pages import refused_page, result_slot

    macro = Macro.objects.get(name=COMMUNITY)
    ticket = TicketFactory()
    client.force_login(AdvocateFactory())
    url = reverse("mentions:ticket-macro", args=[ticket.pk])
    reason = "cannot run, so nothing was applied: Slack is not connected"
    response = client.post(url, {"seen": seen(ticket), "macro": macro.pk})
    assert result_slot(refused_page(client, response, ticket, "macro"), "macro").count(reason) == 1
    response = client.post(url, {"seen": seen(ticket), "macro": macro.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400  # with htmx: the error alone, for the picker's slot
    assert result_slot(response.content.decode(), "macro").count(reason) == 1


def test_a_prefill_follows_the_draft_after_a_blank_line(handbook_macros):
    assert draft_append("We've passed this on to the team that handles abuse.  \n", "Thanks!") == (
        "We've passed this on to the team that handles abuse.\n\nThanks!"
    )
    assert draft_append("", "Thanks!") == "Thanks!"
    ticket = TicketFactory(reply_draft="Hi there,")
    macro_apply(ticket=ticket, user=AdvocateFactory(), macro=Macro.objects.get(name="Downtime: check status page"))
    ticket.refresh_from_db()
    assert ticket.reply_draft.startswith("Hi there,\n\nSorry for the trouble, ")
    assert ticket.status != Ticket.Status.SOLVED  # a prefill leaves sending to the advocate


def _option(html: str, macro: Macro) -> str:
    option = html[html.index(f'<option value="{macro.pk}"') :]
    return option[: option.index("</option>")]


def test_the_pickers_kept_summaries_follow_slack_the_directory_and_the_outreach_settings(handbook_macros, client):
    """The ticket page's macro picker (mentions.ticket_page.macro_picker) is kept in memory per macros' version; what
    the macros' needs read retires it: the Slack token, the expert directory, the outreach settings' channel."""
    from experts.models import OutreachSettings

    community, reached = Macro.objects.get(name=COMMUNITY), Macro.objects.get(name="Reached out to expert")
    client.force_login(AdvocateFactory())
    url = TicketFactory().get_absolute_url()
    with override_settings(SLACK_BOT_TOKEN=""):
        html = client.get(url).content.decode()
        assert " disabled" in _option(html, community) and " disabled" in _option(html, reached)
    with override_settings(SLACK_BOT_TOKEN="xoxb-test"):
        assert " disabled" not in _option(client.get(url).content.decode(), community)
        ExpertFactory(name="Ravi Runner")
        html = client.get(url).content.decode()
        assert " disabled" not in _option(html, reached) and ">Ravi Runner</option>" in html
        settings_row = OutreachSettings.current()
        settings_row.community_channel = "#wider-community"
        settings_row.save()
        assert "posts to Slack #wider-community" in _option(client.get(url).content.decode(), community)


@pytest.mark.django_db
def test_a_fresh_install_reads_the_macro_summaries_once_and_writes_nothing_on_a_page_load(client, handbook_macros):
    """The community macro's summary reads the outreach settings; before an admin saves them, reading gives the
    defaults and writes no row (a write retired the summaries just built: the next page read them again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from experts.models import OutreachSettings

    OutreachSettings.objects.all().delete()
    ticket = TicketFactory()
    client.force_login(AdvocateFactory())
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            client.get(ticket.get_absolute_url())
        counts.append(len(captured))
    assert counts[1] == counts[2] < counts[0]
    assert not OutreachSettings.objects.exists()
    community = Macro.objects.get(name="Involving experts::Community involvement")
    assert "posts to Slack #community-involvement" in macro_summary(community).does  # the defaults, read
