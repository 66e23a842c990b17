"""The suggestions find earlier answers at least as well as a plain full-text query on every set, and keep quiet
when none fits, the blind sets first: Sentry (answers/eval/heldout_sentry.json, written blind by a helper who read no
code, scored once before this test held it), then Supabase and Tailscale (held out when written, read since), then the
development set (answers/eval/dataset.json: 325 answered tickets on one product's vocabulary, 48 questions asked again
in other words, a third with almost no distinctive word in common with the first asking, and 32 mentions no earlier
answer fits) and the two held-out sets seen since (Render, Ghost: 64 answered tickets, 47 repeats, 43 that nothing fits
each). Recall at 3 and the mean reciprocal rank of the desk and of the naive full-text OR baseline, and the share of
the mentions nothing fits that got no suggestion, on PostgreSQL. The floors sit at or just below the figures measured
(docs/answers.md) so that a change that makes either clearly worse fails here; the desk is never below the baseline
on any set (issue 74; answers.fit.plain_first keeps the baseline's first among the three shown)."""

from importlib import import_module

import pytest
from django.apps import apps

from answers.evaluation import BLIND_SEEN, DATASET, EARLIER, HELDOUT, NEWER, SEEN, dataset_load, evaluate
from answers.models import Synonyms

pytestmark = pytest.mark.django_db

# Per set: (recall at 3, silent share) floors; measured, blind sets first (2026-11-30): Sentry 42/47 and 30/43, Supabase
# 42/47 and 28/43, Tailscale 44/47 and 33/43; then 37/48 and 30/32, 41/47 and 38/43, 37/47 and 34/43.
FLOORS = {
    HELDOUT: (0.87, 0.65),
    BLIND_SEEN: (0.87, 0.6),
    NEWER: (0.91, 0.72),
    DATASET: (0.75, 0.9),
    EARLIER: (0.85, 0.85),
    SEEN: (0.76, 0.76),
}


@pytest.fixture(autouse=True)
def seeded_synonyms():
    """The synonyms the initial migration seeds (a transactional test elsewhere may have flushed them); rerun safely."""
    import_module("answers.migrations.0001_squashed_0012_stored_suggestion_shown").synonyms_seed(apps, None)


@pytest.mark.parametrize(
    "path",
    [HELDOUT, BLIND_SEEN, NEWER, DATASET, EARLIER, SEEN],
    ids=["sentry-blind", "supabase", "tailscale", "development", "render", "ghost"],
)
def test_on_every_set_the_desk_is_never_below_the_naive_query_and_keeps_quiet_when_none_fits(path):
    desk, naive = evaluate(dataset_load(path))
    recall, silent = FLOORS[path]
    assert desk.queries == naive.queries
    assert desk.at_3 >= naive.at_3  # never below the plain query on any set
    assert desk.mrr >= naive.mrr
    assert desk.recall_at_3 >= recall
    assert desk.silent_share >= silent  # praise, events, small talk: no suggestion
    assert desk.by_overlap["high"][0] == desk.by_overlap["high"][1]  # every close repeat is found
    assert naive.silent <= 1  # the baseline always has a best


def test_without_synonyms_it_still_finds_the_close_repeats_and_keeps_quiet():
    Synonyms.objects.update(is_active=False)
    desk, naive = evaluate(dataset_load())
    assert desk.by_overlap["high"] == (16, 16)
    assert desk.at_3 >= naive.at_3
    assert desk.silent_share >= 0.9
