""" "Nothing fits" learnt from the desk's own use (answers.fit.use): what advocates did with the suggestions becomes
the weights that decide what the panel shows, only when they predict the newest labels better.

The labels here are SuggestionFeedback rows as answers.suggestions.feedback records them (inserted, dismissed, ignored),
each with the features its suggestion had (answers.fit.label.FIT_FEATURES); no platform is involved."""

from __future__ import annotations

import random

import pytest
from django.core.cache import cache

from answers.fit.label import COLD_WEIGHTS, FIT_FEATURES, FIT_THRESHOLD, fit_probability
from answers.fit.use import MIN_LABELS, fit_learn, labels_read
from answers.fit_models import FIT_WEIGHTS_CACHE, active_fit_weights
from answers.index.follow import answers_index
from answers.models import FitWeights, SuggestionFeedback
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.ranking import ticket_suggestions
from answers.tests.test_suggestions import answered, asking, library  # noqa: F401 - the fixture
from mentions.meaning import ticket_vectors
from mentions.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

Outcome = SuggestionFeedback.Outcome

# Two kinds of suggestion the cold start shows (P(fit) 0.64 and 0.70): one very alike in meaning, first in two lists,
# sharing a few of the question's words; one less alike sharing many.
ALIKE_ONLY = {"meaning": 0.8, "meaning_lead": 0.25, "rr_meaning": 1.0, "rr_words": 1.0, "rr_plain": 0.5, "lists": 3.0,
              "evidence": 3.0, "coverage": 0.4, "words_share": 1.0, "meaning_gap": 0.12, "evidence_gap": 0.5,
              "coverage_gap": 0.1, "top_both": 1.0}  # fmt: skip
SHARED_WORDS = {"meaning": 0.62, "meaning_lead": 0.1, "rr_meaning": 0.5, "rr_plain": 1.0, "rr_words": 1.0,
                "lists": 3.0, "evidence": 7.0, "coverage": 0.8, "words_share": 1.0, "evidence_gap": 3.0,
                "coverage_gap": 0.4, "top_both": 0.0}  # fmt: skip


def _features(base: dict[str, float], rng: random.Random) -> dict[str, float]:
    jittered = {name: round(value * rng.uniform(0.9, 1.1), 4) for name, value in base.items()}
    return {name: jittered.get(name, 0.0) for name in FIT_FEATURES}


def _label(rows: list[tuple[dict[str, float], Outcome]], *, rank: int = 1) -> None:
    """One feedback row per (ticket, suggested answer), recorded in this order (oldest first), each of a suggestion
    shown at `rank` (1: the likeliest, which decides whether anything is shown)."""
    asked = [TicketFactory() for _ in range(len(rows))]
    offered = TicketFactory()
    for ticket, (features, outcome) in zip(asked, rows, strict=True):
        SuggestionFeedback.objects.create(
            ticket=ticket, answer_ticket=offered, outcome=outcome, rank=rank, features=features
        )


def _desk_that_dismisses_meaning_alone(n: int, *, seed: int = 1) -> list[tuple[dict[str, float], Outcome]]:
    """A desk whose product's own words make unrelated mentions alike in meaning: its advocates dismiss what mostly
    meaning brought (some simply answer beside it: ignored) and insert what shares many of the question's words."""
    rng = random.Random(seed)
    rows = []
    for n_ in range(n):
        if n_ % 2:
            rows.append((_features(SHARED_WORDS, rng), Outcome.INSERTED))
        else:
            rows.append((_features(ALIKE_ONLY, rng), Outcome.DISMISSED if n_ % 4 else Outcome.IGNORED))
    return rows


def test_too_few_labels_learn_nothing_and_the_cold_start_decides():
    _label(_desk_that_dismisses_meaning_alone(MIN_LABELS - 1))

    assert fit_learn() is None
    assert not FitWeights.objects.exists() and active_fit_weights() is None


def test_a_desk_that_dismisses_meaning_alone_learns_to_keep_quiet_about_it_and_keeps_what_shares_words():
    cache.delete(FIT_WEIGHTS_CACHE)
    alike, shared = _features(ALIKE_ONLY, random.Random(7)), _features(SHARED_WORDS, random.Random(7))
    assert fit_probability(alike) >= FIT_THRESHOLD  # the cold start shows it: nothing taught it otherwise
    _label(_desk_that_dismisses_meaning_alone(120))

    version = fit_learn()

    assert version is not None and version.outcome == FitWeights.Outcome.ACTIVE
    assert version.labels == 120 and version.labels_fit == 60 and version.scored_on == 30
    assert version.loss_after < version.loss_before and version.accuracy_after >= version.accuracy_before
    learnt = active_fit_weights()
    assert learnt == version.weights
    assert fit_probability(alike, learnt) < FIT_THRESHOLD <= fit_probability(shared, learnt)


def test_a_version_that_predicts_the_newest_labels_worse_is_kept_aside_and_the_active_one_stays():
    cache.delete(FIT_WEIGHTS_CACHE)
    _label(_desk_that_dismisses_meaning_alone(120))
    first = fit_learn()
    assert first is not None and first.outcome == FitWeights.Outcome.ACTIVE
    # Then the desk's advocates turn the other way for a while: the oldest labels (the habit) outnumber the newest,
    # so a version learnt from the oldest predicts the newest worse than the active one does.
    rng = random.Random(3)
    turned = [(_features(ALIKE_ONLY, rng), Outcome.INSERTED) for _ in range(20)]
    turned += [(_features(SHARED_WORDS, rng), Outcome.DISMISSED) for _ in range(20)]
    rng.shuffle(turned)
    _label(turned)

    second = fit_learn()

    assert second is not None and second.outcome == FitWeights.Outcome.REFUSED
    assert second.loss_after >= second.loss_before
    assert FitWeights.objects.get(outcome=FitWeights.Outcome.ACTIVE) == first
    assert active_fit_weights() == first.weights


def test_the_second_opinions_turned_down_teach_nothing_only_the_likeliest_is_learnt_from():
    """Measured by time through the desk's path, a team that turned down the second opinions below a right answer
    taught the model that nothing fits, and the desk fell below the plain query (docs/answers.md): only the likeliest
    (rank 1) is learnt from, as the cold start is."""
    rng = random.Random(5)
    _label([(_features(SHARED_WORDS, rng), Outcome.INSERTED) for _ in range(60)])
    _label([(_features(ALIKE_ONLY, rng), Outcome.DISMISSED) for _ in range(60)], rank=2)

    assert len(labels_read()) == 60
    assert fit_learn() is None  # inserted ones only: nothing to tell apart yet
    assert active_fit_weights() is None


def test_a_version_that_buys_silence_with_recall_is_refused_however_well_it_predicts():
    """A team that inserts one in ten of a kind of suggestion the cold start shows: a model that hides them all
    predicts the labels better, and would keep the other nine quiet, but would no longer show the tenth."""
    cache.delete(FIT_WEIGHTS_CACHE)
    rng = random.Random(11)
    rows = [(_features(ALIKE_ONLY, rng), Outcome.INSERTED if n % 10 == 0 else Outcome.DISMISSED) for n in range(120)]
    _label(rows)
    assert fit_probability(_features(ALIKE_ONLY, rng)) >= FIT_THRESHOLD  # the cold start shows every one of them

    version = fit_learn()

    assert version is not None and version.loss_after < version.loss_before  # it does predict them better
    assert version.outcome == FitWeights.Outcome.REFUSED  # yet the inserted ones would be hidden: refused
    assert active_fit_weights() is None


def test_the_learnt_weights_decide_what_the_worker_suggests(library):  # noqa: F811 - the fixture
    cache.delete(FIT_WEIGHTS_CACHE)
    answers_index()
    answers_meaning_fill()
    t = asking("artifacts expire", "Our job artifacts expire after a day: can we keep them longer?")
    ticket_vectors([t.pk])
    before = ticket_suggestions(t)
    assert [s.ticket_id for s in before][:1] == [library["artifacts"].pk]
    assert before[0].fit == pytest.approx(fit_probability(before[0].features, COLD_WEIGHTS))
    # The advocates of this desk dismissed every suggestion like it: the learnt weights keep it back.
    rng = random.Random(5)
    rows = [(_features(before[0].features, rng), Outcome.DISMISSED) for _ in range(60)]
    rows += [(_features(SHARED_WORDS, rng) | {"evidence": 12.0, "coverage": 1.0}, Outcome.INSERTED) for _ in range(12)]
    rng.shuffle(rows)
    _label(rows)
    version = fit_learn()
    assert version is not None and version.outcome == FitWeights.Outcome.ACTIVE

    after = ticket_suggestions(t)

    assert [s.ticket_id for s in after if s.ticket_id == library["artifacts"].pk] == []
