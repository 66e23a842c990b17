"""Exclusion terms learned from the desk's history (mentions.judgement.exclusions): suggested per channel with exact
counts, recomputed without undoing a person's decision, and, once accepted, used by the worker's judgement
(mentions.judgement.run.tickets_judge, with the real embedding model). Tickets are made with the project's factories
and labelled as the team's work labels them (labels.py's rules: a correction, a reply, solved without one); the
texts are written here, in the shapes people post about Hugo's other senses and about Hugo the site generator."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.models import Channel
from mentions.judgement.exclusions import exclusions_suggest
from mentions.judgement.run import tickets_judge
from mentions.models import ExclusionSuggestion, JudgedBy, ProductProfile, Ticket
from mentions.services.exclusions import exclusions_decide
from mentions.services.judgement import judgement_correct
from mentions.tasks import exclusions_suggest as exclusions_suggest_task
from mentions.tests.factories import AdvocateFactory, ChannelFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db
State = ExclusionSuggestion.State

NOISE = [
    "Victor Hugo's Les Misérables is still the best novel about Paris",
    "Reading Les Misérables by Victor Hugo for the third time",
    "Victor Hugo quote: even the darkest night will end",
    "Les Misérables musical tickets, any tips?",
    "Hugo Awards finalists announced",
    "Who wins the Hugo Awards best novella?",
    "Hugo Awards ceremony livestream this weekend",
    "Hugo spritz recipe: elderflower, prosecco, mint",
    "Summer cocktail: the Hugo spritz this weekend",
    "Ordered a Hugo spritz at the bar this weekend",
]
PRODUCT = [
    "How do I add a custom shortcode in Hugo?",
    "Hugo build fails after upgrading: template error in partials",
    "Is there a way to paginate taxonomies in Hugo?",
    "Upgrading Hugo this weekend, what breaks?",
    "Spent the weekend writing a Hugo theme, the partials are confusing",
]


@pytest.fixture(autouse=True)
def hugo():
    ProductProfile.objects.create(
        name="Hugo",
        other_names="gohugo.io",
        description="Hugo, the static site generator written in Go: themes, templates, shortcodes, content files, "
        "taxonomies, Hugo modules, builds and deploys.",
    )


def _channel(name: str = "Reddit r/hugo") -> Channel:
    return ChannelFactory(name=name, config={"keywords": ["hugo"]})


def mention(channel: Channel, text: str, how: str = "") -> Ticket:
    """A ticket whose first mention is `text`, labelled `how`: "noise" (solved without a reply, judged noise by the
    desk), "corrected:<judgement>" (an advocate's correction), "answered", "open" or "" (the desk's judgement
    only: no label)."""
    ticket = TicketFactory(channel=channel, subject=text)
    MessageFactory(ticket=ticket, title="", body=text)
    now = timezone.now()
    fields: dict = {"judgement": "worth_knowing", "judged_by": JudgedBy.DESK, "judged_at": now}
    if how.startswith("corrected:"):  # a correction corrects what the desk had judged otherwise
        fields["judgement"] = "needs_response" if how == "corrected:noise" else "noise"
    elif how == "noise":
        fields.update(judgement="noise", status=Ticket.Status.SOLVED, solved_at=now)
    elif how == "answered":
        fields.update(first_reply_at=now, status=Ticket.Status.SOLVED, solved_at=now)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    if how.startswith("corrected:"):
        judgement_correct(ticket, how.split(":", 1)[1], AdvocateFactory())
    return ticket


def history(channel: Channel) -> None:
    """The channel's labelled past: half its noise solved as noise, half corrected to noise; the product answered or
    corrected to worth knowing."""
    for n, text in enumerate(NOISE):
        mention(channel, text, "noise" if n % 2 else "corrected:noise")
    for n, text in enumerate(PRODUCT):
        mention(channel, text, "corrected:worth_knowing" if n == 0 else "answered")


def suggested(channel: Channel) -> dict[str, tuple[int, int, int, str]]:
    rows = ExclusionSuggestion.objects.filter(channel=channel)
    return {r.term: (r.noise_count, r.would_exclude, r.answered, r.state) for r in rows}


def test_terms_are_learned_from_noise_and_never_from_what_the_team_answered():
    reddit = _channel()
    history(reddit)

    result = exclusions_suggest_task.apply().get()  # the task, as beat runs it

    terms = suggested(reddit)
    assert {"victor hugo", "les misérables", "hugo awards", "hugo spritz"} <= set(terms)
    assert result["learned"] == len(terms) and result["withdrawn"] == 0
    assert all(state == State.SUGGESTED for *_, state in terms.values())
    # The answered tickets' words ("shortcode", "partials") and the product's own never; "weekend" is in three noise
    # tickets but also two of the product's.
    assert not {"hugo", "shortcode", "partials", "weekend"} & set(terms)


def test_counts_are_exact_for_the_channels_first_mentions():
    reddit, forum = _channel(), _channel("Hugo forum")
    history(reddit)
    mention(reddit, "Anyone tried the Hugo spritz at the new bar?", "open")  # unlabelled: still a past mention
    mention(reddit, "Made a Hugo theme named after the Hugo spritz, how do I add a shortcode?", "answered")
    mention(forum, "Hugo spritz emoji in my Hugo theme?", "open")  # another channel: not counted for reddit
    merged = mention(reddit, "Hugo spritz merged away")
    Ticket.objects.filter(pk=merged.pk).update(merged_into=mention(reddit, "the ticket it joined"))
    later = mention(reddit, "How do I set a Hugo base URL?", "answered")
    MessageFactory(ticket=later, body="Thanks! Celebrating with a Hugo spritz")  # not its first mention

    exclusions_suggest()

    # 3 noise + the open one + the answered one; of those, the answered one was answered.
    assert suggested(reddit)["hugo spritz"] == (3, 5, 1, State.SUGGESTED)
    assert suggested(reddit)["victor hugo"] == (3, 3, 0, State.SUGGESTED)
    assert "hugo spritz" not in suggested(forum)  # nothing labelled noise there


def test_recompute_keeps_accepted_and_declined_and_withdraws_what_is_no_longer_learned():
    reddit = _channel()
    anna = AdvocateFactory(username="anna", first_name="Anna")
    history(reddit)
    exclusions_suggest()
    rows = {r.term: r for r in ExclusionSuggestion.objects.filter(channel=reddit)}
    exclusions_decide([rows["victor hugo"].pk], State.ACCEPTED, anna)
    exclusions_decide([rows["hugo awards"].pk], State.DECLINED, anna)
    # The team answers two mentions of the spritz and of the awards: neither is a sense any more.
    mention(reddit, "Hugo spritz theme for a cocktail blog: how do I add a recipe shortcode?", "answered")
    mention(reddit, "My Hugo spritz site won't build", "answered")
    mention(reddit, "The Hugo Awards site is built with Hugo? How do they paginate?", "answered")
    mention(reddit, "Hugo Awards winners page template, how?", "answered")
    mention(reddit, "Victor Hugo fan site on Hugo, build error", "open")

    assert exclusions_suggest()["withdrawn"] >= 1
    exclusions_suggest()  # twice: idempotent

    terms = suggested(reddit)
    assert "hugo spritz" not in terms  # a suggestion no longer learned is withdrawn
    assert terms["hugo awards"] == (3, 5, 2, State.DECLINED)  # declined stays declined, with fresh counts
    assert terms["victor hugo"] == (3, 4, 0, State.ACCEPTED)
    accepted = ExclusionSuggestion.objects.get(channel=reddit, term="victor hugo")
    assert (accepted.decided_by, accepted.decided_at is not None) == (anna, True)


def test_the_recompute_costs_the_same_queries_for_more_tickets_channels_and_terms():
    reddit = _channel()
    history(reddit)
    exclusions_suggest()
    ExclusionSuggestion.objects.filter(term="hugo awards").update(state=State.DECLINED)
    with CaptureQueriesContext(connection) as small:
        exclusions_suggest()
    for name in ("Hugo forum", "Mastodon #hugo", "Stack Overflow [hugo]"):
        history(_channel(name))
    for text in ("Hugo Boss suit on sale", "New Hugo Boss fragrance", "The Hugo Boss store opens"):
        mention(reddit, text, "noise")
    ExclusionSuggestion.objects.filter(term="hugo spritz").update(state=State.ACCEPTED)

    with CaptureQueriesContext(connection) as large:
        exclusions_suggest()

    assert ExclusionSuggestion.objects.count() > 4 * 4
    assert len(large) == len(small), [q["sql"][:120] for q in large]


def test_an_accepted_term_makes_the_worker_judge_a_new_mention_noise_and_a_declined_one_does_not():
    reddit = _channel()
    history(reddit)
    Ticket.objects.update(judged_at=timezone.now())  # the past is judged; only the new mentions are
    exclusions_suggest()
    anna = AdvocateFactory(username="anna", first_name="Anna")
    rows = {r.term: r.pk for r in ExclusionSuggestion.objects.filter(channel=reddit)}
    exclusions_decide([rows["victor hugo"]], State.ACCEPTED, anna)
    exclusions_decide([rows["hugo awards"]], State.DECLINED, anna)

    excluded = mention(reddit, "Victor HUGO exhibition at the Maison de Victor-Hugo: how do I get tickets?", "")
    declined = mention(reddit, "Hugo Awards 2027 shortlist announced", "")
    elsewhere = mention(_channel("Hugo forum"), "Victor Hugo exhibition at the Maison, how do I get tickets?", "")
    corrected = mention(reddit, "Victor Hugo themed Hugo site: how do I add a gallery?", "")
    Ticket.objects.filter(pk__in=[excluded.pk, declined.pk, elsewhere.pk, corrected.pk]).update(
        judged_at=None, judged_by="", judgement=""
    )
    judgement_correct(Ticket.objects.get(pk=corrected.pk), "needs_response", anna)

    assert tickets_judge()["judged"] == 3

    got = Ticket.objects.get(pk=excluded.pk)
    assert (got.judgement, got.intent, got.judgement_confidence, got.judged_by) == ("noise", "other", 0.95, "desk")
    assert got.judgement_reason == "Excluded term “victor hugo” (accepted by Anna)"
    assert got.status != Ticket.Status.SOLVED and got.merged_into_id is None  # still a ticket, never dropped
    for other in (declined, elsewhere):
        assert not Ticket.objects.get(pk=other.pk).judgement_reason.startswith("Excluded term")
    # An advocate's own judgement wins.
    assert Ticket.objects.get(pk=corrected.pk).judgement == "needs_response"
