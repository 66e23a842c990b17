"""The hybrid suggestions (answers.suggestions.hybrid, answers.suggestions.cells, answers.fit.label): the plain
full-text list is the evaluation's baseline query served by its index, the meaning list reads the whole index (through
k-means cells once there are enough answers), every suggestion carries its features and P(fit), and weights learnt later
are taken as they are. Tickets and our replies are stored as the ingest stores them (mentions factories)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection

from answers.evaluation import naive_ranked
from answers.fit.label import COLD_WEIGHTS, FIT_FEATURES, FIT_NEXT, FIT_THRESHOLD, fit_probability
from answers.index.follow import answers_index
from answers.models import Answer, MeaningCell
from answers.suggestions import cells as cells_module
from answers.suggestions.cells import cells_refresh, nearest_cells
from answers.suggestions.hybrid import fused, meaning_list, plain_list
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.ranking import text_suggestions, ticket_suggestions
from answers.tests.test_suggestions import answered, asking
from mentions.meaning import ticket_vectors
from mentions.models import Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cells_kept():
    cache.delete_many([cells_module.CACHE_KEY.format(model=m) for m in ("all-MiniLM-L6-v2-onnx-int8",)])


def _library() -> dict[str, int]:
    out = {
        "pending": answered(
            "Jobs stay pending",
            "my pipeline jobs sit in pending forever and never get picked up, the runner shows green",
            "The jobs ask for tags your runner lacks: add the tag or allow untagged jobs on the runner.",
        ),
        "tls": answered(
            "Renew the TLS certificate", "how do I renew the TLS cert of my pages site", "Pages renews it."
        ),
        "billing": answered(
            "Invoice address", "where do I change the billing address on invoices", "Billing page, Company info."
        ),
        "registry": answered(
            "Registry cleanup keeps old tags",
            "the container registry cleanup policy is not deleting old image tags",
            "The policy runs only on projects created after it was enabled: run it by hand once.",
        ),
        "mirror": answered(
            "Push mirror fails", "push mirror to github fails every night", "Use a token with repo scope."
        ),
    }
    answers_index()
    answers_meaning_fill()
    return {name: t.pk for name, t in out.items()}


def test_the_plain_list_is_the_baselines_query_served_by_its_index():
    ids = _library()
    question = {"title": "Pending jobs", "question": "jobs pending forever, the runner never picks them up"}
    text = question["title"] + "\n" + question["question"]
    assert plain_list(text, []) == naive_ranked(question)[: len(plain_list(text, []))]
    assert plain_list(text, [])[0] == ids["pending"]
    assert ids["pending"] not in plain_list(text, [ids["pending"]])
    with connection.cursor() as cursor:  # the stored column, so no answer's tsvector is built per question
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'answer_plain_idx'")
        assert "gin (plain)" in cursor.fetchone()[0]


def test_a_repeat_sharing_no_rare_word_is_found_by_meaning_over_the_whole_index():
    ids = _library()
    repeat = asking("", "our image store only ever grows, the automatic purge never fires")
    ticket_vectors([repeat.pk])  # as the worker does at intake
    from mentions.meaning import ticket_vector

    near = meaning_list(ticket_vector(repeat.pk), [repeat.pk])
    assert near[0][0] == ids["registry"]
    assert len(near) == 5  # every answer: one cell below CELL_MIN
    found = ticket_suggestions(repeat)
    assert [s.ticket_id for s in found][:1] == [ids["registry"]]
    assert "alike in meaning" in found[0].why


def test_cells_are_learnt_once_the_index_is_large_and_a_question_reads_only_the_nearest(monkeypatch):
    ids = _library()
    monkeypatch.setattr(cells_module, "CELL_MIN", 4)
    monkeypatch.setattr(cells_module, "PROBE", 1)
    assert cells_refresh() == 2  # √5 rounded, at least 2
    assert MeaningCell.objects.count() == 2
    cell = dict(Answer.objects.values_list("ticket_id", "cell"))
    assert set(cell.values()) == {0, 1}
    from mentions.meaning import ticket_vector

    repeat = asking("", "my image registry cleanup never deletes the old tags")
    ticket_vectors([repeat.pk])
    vector = ticket_vector(repeat.pk)
    assert vector is not None
    probed = nearest_cells(vector)
    assert probed == [cell[ids["registry"]]]
    near = meaning_list(vector, [repeat.pk])
    assert near[0][0] == ids["registry"]
    assert {pk for pk, _ in near} == {pk for pk, c in cell.items() if c == probed[0]}  # the other cell is not read
    assert cells_refresh() == 2  # not learnt again before the answers have doubled
    monkeypatch.setattr(cells_module, "CELL_MIN", 100)
    assert cells_refresh() == 0  # below the minimum again: one cell, every answer read
    assert not MeaningCell.objects.exists()
    assert set(Answer.objects.values_list("cell", flat=True)) == {None}
    assert len(meaning_list(vector, [repeat.pk])) == 5


def test_every_suggestion_carries_its_features_and_p_fit_and_learnt_weights_are_taken():
    ids = _library()
    t = asking("Jobs stay pending", "my pipeline jobs sit in pending forever, the runner never picks them up")
    ticket_vectors([t.pk])
    found = ticket_suggestions(t)
    assert found[0].ticket_id == ids["pending"]
    assert set(found[0].features) == set(FIT_FEATURES)
    assert found[0].fit == pytest.approx(fit_probability(found[0].features))
    assert found[0].fit >= FIT_THRESHOLD  # the likeliest decides whether anything is shown
    assert all(s.fit >= FIT_NEXT for s in found)
    assert [s.fit for s in found] == sorted((s.fit for s in found), reverse=True)
    # Weights the desk learns later, same names: one that trusts nothing says no answer fits.
    assert fit_probability(found[0].features, {**COLD_WEIGHTS, "intercept": -50.0}) < 0.01
    assert fit_probability({"meaning": 1.0}, {"intercept": 0.0, "meaning": 2.0}) == pytest.approx(1 / (1 + np.exp(-2)))
    # Ungated, the fused top answers, every one with its features: what the weights are learnt from.
    everything = text_suggestions(t.subject, "jobs pending", exclude=[t.pk], gate=False, limit=10)
    assert {s.ticket_id for s in everything} >= {ids["pending"]}
    assert all(0.0 <= s.fit <= 1.0 and set(s.features) == set(FIT_FEATURES) for s in everything)


def test_spam_and_merged_answers_are_in_no_list():
    ids = _library()
    spam = Answer.objects.get(pk=ids["registry"]).ticket
    spam.tags.add(Tag.objects.get_or_create(name="spam")[0])
    repeat = asking("Registry cleanup keeps old tags", "registry cleanup policy not deleting old image tags")
    ticket_vectors([repeat.pk])
    assert ids["registry"] not in [s.ticket_id for s in ticket_suggestions(repeat)]
    assert ids["registry"] not in [
        s.ticket_id for s in text_suggestions("", "registry cleanup old tags", gate=False, limit=10)
    ]


def test_reciprocal_rank_fusion_lifts_what_lists_agree_on():
    scores = fused([[1, 2, 3], [2, 1], [2]])
    assert max(scores, key=lambda pk: scores[pk]) == 2
    assert scores[3] < scores[1]


def test_when_the_words_match_too_many_answers_the_plain_list_ranks_those_holding_the_rarer_ones(monkeypatch):
    """At 1,000,000 tickets an OR of every word of a question matched most of the index and took 10-15 s to rank: once a
    word is in more than PLAIN_BUDGET answers, only the answers holding one of the question's rarer words are
    ranked (by all the words); below it, exactly the naive query."""
    from answers.suggestions import hybrid
    from answers.suggestions.ranking import _weighted, _words

    common = [answered(f"Pipeline {n}", "pipeline failing again", "retry the pipeline").pk for n in range(6)]
    rare = answered("Zeppelin pipeline", "zeppelin pipeline failing", "pin the zeppelin runner").pk
    answers_index()
    text = "zeppelin pipeline failing"
    terms, _, _ = _weighted(list(_words(text)), [], frozenset())
    assert hybrid.plain_among(terms, _words(text)) is None  # 7 answers: nothing left out
    assert set(plain_list(text, [])) == {rare, *common}

    monkeypatch.setattr(hybrid, "PLAIN_BUDGET", 3)
    among = hybrid.plain_among(terms, _words(text))
    assert among == "zeppelin"
    assert plain_list(text, [], among=among) == [rare]
