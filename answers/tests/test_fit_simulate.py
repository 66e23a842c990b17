"""answers.fit.simulate: the labels an advocate's use leaves, as the desk records them (answers.suggestions.feedback),
on rows shaped as answers.evaluation.fit_rows makes them (features made up here, on the scale of
answers.fit.label's)."""

from __future__ import annotations

from answers.fit.simulate import use_labels, use_simulate

SURE = {"meaning": 0.9, "meaning_lead": 0.4, "evidence": 10.0, "coverage": 1.0, "rr_meaning": 1.0, "top_both": 1.0}
WEAK = {"meaning": 0.3, "evidence": 0.5, "coverage": 0.1, "rr_meaning": 0.2}


def _row(query: str, fits: bool, features: dict, *, unfit: bool = False) -> dict:
    return {"query": query, "overlap": "low", "unfit": unfit, "position": 1, "fits": fits, "features": features}


ROWS = {
    "hit": [_row("hit", True, SURE)],  # shown, the answer: inserted
    "wrong": [_row("wrong", False, SURE)],  # shown, not the answer: the top one ignored
    "quiet": [_row("quiet", False, WEAK, unfit=True)],  # nothing shown: the likeliest kept unshown
}


def test_the_use_labels_what_was_inserted_ignored_and_kept_unshown():
    labels = use_labels(ROWS, list(ROWS), unshown=True)
    assert labels.y.tolist() == [1.0, 0.0, 0.0] and labels.w.tolist() == [1.0, 0.5, 0.5]
    # As the desk did before the unshown were kept: a question nothing was shown for leaves no label.
    assert use_labels(ROWS, list(ROWS), unshown=False).y.tolist() == [1.0, 0.0]


def test_every_question_is_scored_once_by_weights_that_did_not_learn_from_it():
    rows = [
        r
        for n in range(30)
        for r in ([_row(f"q{n}", True, SURE)] if n % 2 else [_row(f"q{n}", False, WEAK, unfit=True)])
    ]
    got = use_simulate(rows)
    assert got["cold"]["repeats"] + got["cold"]["unfit"] == 30 == got["learnt"]["repeats"] + got["learnt"]["unfit"]
    assert got["cold"]["hits"] == 15 and got["cold"]["silent"] == 15
