"""Play never serves a mention the desk is sure is noise before one it judges needs a response (issue 68, item 5):
held back (judged noise by an advocate, or by the desk at least NOISE_HELD_AT sure), it comes after everything else
on both orders, and the rules on the judgement still solve it. Judgements are stored as the worker's task stores
them (one update of the columns, judged_by="desk") or corrected through `judgement_correct`; the rule runs through
`judged_rules_run`, as after the worker's update. No platform is called; tickets come from mentions.tests.factories."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentions.models import JudgedBy, Message, Rule, Ticket, View
from mentions.models.play_order import HELD_BACK_KEY, NOISE_HELD_AT, held_back
from mentions.services import ticket_claim_next
from mentions.services.judgement import judgement_correct
from mentions.services.judgement_rules import judged_rules_run
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory

pytestmark = pytest.mark.django_db


def judged(ticket: Ticket, judgement: str, confidence: float | None) -> Ticket:
    """As the worker's task stores a judgement: the columns in one update, judged_by="desk"."""
    Ticket.objects.filter(pk=ticket.pk).update(
        judgement=judgement, judged_by=JudgedBy.DESK, judged_at=timezone.now(), judgement_confidence=confidence
    )
    ticket.refresh_from_db()
    return ticket


def _served(view: View, n: int) -> list[int | None]:
    """What Play serves `n` advocates in turn, each pressing once."""
    return [t.pk if t else None for t in (ticket_claim_next(view=view, user=AdvocateFactory()) for _ in range(n))]


def _desk(**due) -> dict[str, Ticket]:
    """Oldest first: noise the desk is 95 % sure of (a release bot's entry), noise an advocate corrected, noise the
    desk is only 85 % sure of, then one that needs a response, one worth knowing, one not judged yet."""
    made = {
        name: TicketFactory(**due.get(name, {})) for name in ("sure", "corrected", "unsure", "needs", "worth", "new")
    }
    judged(made["sure"], "noise", 0.95)
    judged(made["corrected"], "needs_response", 0.7)
    judgement_correct(made["corrected"], "noise", AdvocateFactory())
    judged(made["unsure"], "noise", 0.85)
    judged(made["needs"], "needs_response", 0.97)
    judged(made["worth"], "worth_knowing", 0.8)
    return made


def test_oldest_first_serves_sure_noise_after_every_newer_ticket_and_unsure_noise_in_its_place():
    made = _desk()
    served = _served(ViewFactory(order=View.Order.OLDEST), 7)
    expected = [made[name].pk for name in ("unsure", "needs", "worth", "new", "sure", "corrected")]
    assert served == [*expected, None]


def test_deadline_first_serves_sure_noise_after_every_other_ticket_whatever_its_deadline():
    now = timezone.now()
    # The sure noise is due first (an urgent one even): without the held-back key it would be served first.
    due: dict[str, dict[str, object]] = {
        name: {"sla_due_at": now + timedelta(hours=i + 1)} for i, name in enumerate(("sure", "corrected", "unsure"))
    }
    due["sure"]["priority"] = Ticket.Priority.URGENT
    due |= {name: {"sla_due_at": now + timedelta(hours=5)} for name in ("needs", "worth", "new")}
    made = _desk(**due)
    served = _served(ViewFactory(order=View.Order.DEADLINE), 7)
    # Not held back: the deadline, then at the same due time the judgement's rank (needs, not judged, worth knowing).
    expected = [made[name].pk for name in ("unsure", "needs", "new", "worth", "sure", "corrected")]
    assert served == [*expected, None]


def test_a_ticket_that_is_not_held_back_arriving_while_play_serves_sure_noise_comes_first():
    """The claim reads from the last ticket it claimed (mentions.services.play_floor): from a held-back one it still
    finds a newer ticket that is not, and from one that is not held back it still serves the oldest held-back ticket,
    not the held-back ones after its floor."""
    noise = [judged(TicketFactory(), "noise", 0.99) for _ in range(3)]
    first = judged(TicketFactory(), "needs_response", 0.9)
    later_noise = judged(TicketFactory(), "noise", 0.99)
    view = ViewFactory()
    assert _served(view, 2) == [first.pk, noise[0].pk]
    arrived = TicketFactory()
    assert _served(view, 5) == [arrived.pk, noise[1].pk, noise[2].pk, later_noise.pk, None]


def test_held_back_in_python_is_the_indexed_expression():
    """The claim's floor reads `held_back` of the claimed row; the order and the index read HELD_BACK_KEY."""
    cases = [
        ("noise", JudgedBy.DESK, NOISE_HELD_AT),
        ("noise", JudgedBy.DESK, 0.95),
        ("noise", JudgedBy.DESK, 0.85),
        ("noise", JudgedBy.DESK, None),  # judged before the desk measured how sure: not sure
        ("noise", JudgedBy.ADVOCATE, 1.0),
        ("noise", JudgedBy.ADVOCATE, None),
        ("needs_response", JudgedBy.ADVOCATE, 1.0),
        ("worth_knowing", JudgedBy.DESK, 0.99),
        ("", "", None),
    ]
    tickets = [
        TicketFactory(judgement=judgement, judged_by=by, judgement_confidence=confidence)
        for judgement, by, confidence in cases
    ]
    in_sql = dict(Ticket.objects.annotate(held=HELD_BACK_KEY).values_list("pk", "held"))
    in_python = {t.pk: int(held_back(t.judgement, t.judged_by, t.judgement_confidence)) for t in tickets}
    assert in_sql == in_python
    assert list(in_python.values()) == [1, 1, 0, 0, 1, 1, 0, 0, 0]


@pytest.fixture
def precise():
    """A history in which the desk's noise judgement was right 30 times of 30: precise enough for a rule to solve
    on it (mentions.services.judgement_precision)."""
    from advocacy.versioned import version_bump_now
    from mentions.services.judgement_precision import LABELLED_MIN, VERSION_KEY
    from mentions.tests.labelled import labelled

    labelled("noise", "solved", LABELLED_MIN)
    version_bump_now(VERSION_KEY)


@pytest.mark.usefixtures("precise")
def test_a_rule_on_the_judgement_still_solves_held_back_noise_and_tags_it():
    Rule.objects.create(name="Solve noise", enabled=True, judgements=["noise"], close_without_reply=True)
    Rule.objects.create(name="Mark noise", enabled=True, judgements=["noise"], add_tags="bot")
    sure = judged(TicketFactory(), "noise", 0.95)
    MessageFactory(ticket=sure)
    assert held_back(sure.judgement, sure.judged_by, sure.judgement_confidence)

    assert judged_rules_run([sure.pk]) == 2  # each rule once

    sure.refresh_from_db()
    assert sure.status == Ticket.Status.SOLVED
    assert list(sure.tags.values_list("name", flat=True)) == ["bot"]
    assert Message.objects.filter(ticket=sure, kind=Message.Kind.NOTE, body__startswith="Solved as noise").exists()
