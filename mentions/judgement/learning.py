"""The desk learns its own product (issue 56): `judgement_learn` trains a new version of the judgement on this
desk's labelled tickets (labels.py) beside the shipped examples, scores it and the active version on the desk's
newest labelled tickets that neither trained on, and makes it active only when it does better there. Every
version is kept (JudgementModel); `active_model` is what the worker judges with: the desk's active version, or the
shipped cold start before there is one.

Per product (issue 71): a product learns from its own tickets only (JudgedProducts.scope), its versions are stored under
it (`JudgementModel.product`, empty for the desk's first product) and one of them is active for it, so learning one
product's work never moves another's verdicts.

Run by beat (`mentions.judgement_learn`, daily) and from admin ("Learn now"), in the worker: `judgement_learn_each`
learns every product in turn."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from django.db import transaction

from advocacy import embeddings
from advocacy.versioned import version_bump, versioned
from mentions.judgement.examples import shipped as shipped_examples
from mentions.judgement.features import FEATURES_VERSION, feature_matrix
from mentions.judgement.fitting import cpu_seconds
from mentions.judgement.gate import NOISE_PRECISION_FLOOR, cost, silence
from mentions.judgement.gate import refusal as gate_refusal
from mentions.judgement.gate import told as gate_told
from mentions.judgement.labels import WEIGHT_SHIPPED, Label, desk_labels
from mentions.judgement.learned import CLASSES, NOISE_FLOOR_LEARNED, LearnedModel, fit
from mentions.judgement.product import JudgedProducts, Product, product_load, products_load
from mentions.judgement.reading import first_mentions
from mentions.judgement.scoring import Scores, scores
from mentions.judgement.shipped_model import shipped_model, shipped_rows
from mentions.meaning import ticket_vectors
from mentions.models import JudgementModel

MODEL_VERSION = "judgement-model"
LEARN_MAX = 10_000  # the newest labelled tickets a version learns from
HOLDOUT = 200  # the newest labelled tickets it is scored on, and not trained on
MIN_LABELS = 40
LEAN_STEP = 0.1  # the respond bias's step (a logit); the noise floor moves by half of it (a probability)
LEAN_RECALL = 0.93  # the needs-a-response recall a version leans to on its own newest rows (the gate's floor: 0.9)
BIAS_MIN = 0.0  # the lowest respond bias a version leans to (the shipped model's is 0.3)
BIAS_MAX = 5.0  # a logit of 5 calls nearly everything "needs a response": no version leans further


def _active_row(product_id: int | None) -> tuple[int, bytes] | None:
    row = (
        JudgementModel.objects.filter(
            product_id=product_id,
            outcome=JudgementModel.Outcome.ACTIVE,
            features_version=FEATURES_VERSION,
            embedding_model=embeddings.model_name(),
        )
        .values_list("pk", "weights")
        .first()
    )
    return (row[0], bytes(row[1])) if row else None


def active_model(product_id: int | None = None) -> LearnedModel | None:
    """The version that judges a product's mentions: its active one, else the shipped cold start (None: no learned
    judgement for this embedding model; the hand-written one stands alone). `product_id` as the versions are stored
    (JudgedProducts.stored): empty for the desk's first product."""
    row = versioned(MODEL_VERSION, f"active:{product_id}", lambda: _active_row(product_id), ttl=3600)
    if row is not None:
        return LearnedModel.from_bytes(row[1], version=row[0])
    return shipped_model()


def desk_features(ticket_ids: list[int], product: Product | None = None) -> tuple[list[int], np.ndarray]:
    """The feature rows of tickets with a first mention and a stored vector (in `ticket_ids`' order)."""
    mentions = first_mentions(ticket_ids)
    vectors = ticket_vectors([i for i in ticket_ids if i in mentions])
    ids = [i for i in ticket_ids if i in mentions and i in vectors]
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    product = product or product_load()
    matrix, _ = feature_matrix(
        [mentions[i] for i in ids],
        np.vstack([vectors[i] for i in ids]),
        product,
        shipped_examples(product.name, product.description),
    )
    return ids, matrix


def model_fit(
    features: np.ndarray, labels: list[str], weights: np.ndarray, *, without: str = "", apart: bool = False
) -> LearnedModel:
    """A version trained on the shipped rows (`without` one set, when measuring on it) and these labelled rows of
    a desk; `apart`: fitted in a child process (learned.fit)."""
    rows, shipped_labels = shipped_rows(without=without)
    return fit(
        np.vstack([rows, features]) if len(features) else rows,
        [*shipped_labels, *labels],
        # A shipped row weighs 1, a desk's history 2, a correction 5: measured on the seen sets' learning curves,
        # a lighter prior (all shipped rows weighing 250 or 400 together) did worse at every k.
        np.concatenate([np.full(len(shipped_labels), WEIGHT_SHIPPED), weights]),
        noise_floor=NOISE_FLOOR_LEARNED,
        apart=apart,
    )


def leaning_chosen(
    fitted: LearnedModel, features: np.ndarray, labels: list[str], weights: np.ndarray, current: LearnedModel | None
) -> LearnedModel:
    """`fitted` with its respond bias and noise floor chosen on its own training rows (newest first): the lowest
    respond bias that keeps needs-a-response recall at LEAN_RECALL there (or the active version's, when lower), then
    the lowest noise floor that keeps noise precision at the gate's floor (or the active version's, when lower).

    Why the lowest bias and not the active version's recall (issue 56): a cold start that calls nearly everything
    "needs a response" has a recall of 1.0, and matching it bought recall back with all the precision a version had
    learned (issue 68). LEAN_RECALL sits above the gate's floor (gate.RECALL_FLOOR) by a margin, since the slice is
    small and the hold-out newer.

    Why on a slice of the training rows and not on the rows it was fitted on: a model judges the rows it learned
    from too well (on an imported Caddy history its own rows asked for a bias of about 0.5, which still lost recall
    on the newest tickets). So a probe is fitted on the older three quarters of the training part and the bias and
    floor are chosen on its newest quarter, then set on the version fitted on the whole of it. The hold-out it is
    scored on stays unseen by both."""
    tune = len(labels) // 4
    if current is None or tune == 0:
        return fitted
    probe = model_fit(features[tune:], labels[tune:], weights[tune:], apart=True)
    truth, rows = labels[:tune], features[:tune]
    target = scores(truth, current.judge(rows)[0])

    def probed(bias: float, floor: float) -> Scores:
        return scores(truth, replace(probe, respond_bias=bias, noise_floor=floor).judge(rows)[0])

    wanted = min(LEAN_RECALL, target.needs_response_recall if target.needs_response_recall is not None else 1.0)
    quiet = min(NOISE_PRECISION_FLOOR, silence(target))
    bias, floor = BIAS_MIN, fitted.noise_floor
    # Each step only adds needs-a-response calls (bias) or removes noise calls (floor); the ends (every mention
    # needs a response, none is noise) meet any target, so both loops stop.
    # A slice with nothing that needs a response asks for no lean (its recall is None, not 0).
    while bias < BIAS_MAX and _found(probed(bias, floor)) < wanted:
        bias = round(bias + LEAN_STEP, 2)
    while floor < 1.0 and silence(probed(bias, floor)) < quiet:
        floor = round(floor + LEAN_STEP / 2, 2)
    return replace(fitted, respond_bias=bias, noise_floor=floor)


def _found(s: Scores) -> float:
    return 1.0 if s.needs_response_recall is None else s.needs_response_recall


def judgement_learn_each() -> dict[str, object]:
    """Every product learns in turn (beat's and admin's run): the first product's answer, as with one product, and
    with several the others' under "products" (by slug)."""
    products = products_load()
    keys: list[int | None] = [p.pk for p in products.desk.products] or [None]
    results = {key: judgement_learn(key, products=products) for key in keys}
    first = results[keys[0]]
    if len(keys) == 1:
        return first
    slugs: dict[int | None, str] = {p.pk: p.slug for p in products.desk.products}
    return {**first, "products": {slugs[key]: result for key, result in results.items()}}


def judgement_learn(product_id: int | None = None, *, products: JudgedProducts | None = None) -> dict[str, object]:
    """Train, score and keep a new version of one product's judgement (empty: the desk's first product), from its own
    tickets (active only when it beats that product's active one). Idempotent enough to run twice: a second version
    trained on the same labels scores the same and is refused."""
    started = cpu_seconds()
    products = products or products_load()
    key = products.key(product_id)
    stored = products.stored(key)
    labels: list[Label] = desk_labels(
        limit=LEARN_MAX, embedding_model=embeddings.model_name(), where=products.scope(key)
    )
    ids, matrix = desk_features([label.ticket_id for label in labels], products.of(key))
    by_id = {label.ticket_id: label for label in labels}
    labelled = [by_id[i] for i in ids]
    if len(labelled) < MIN_LABELS:
        return {"learned": False, "why": f"{len(labelled)} labelled tickets; {MIN_LABELS} needed"}
    hold = min(HOLDOUT, len(labelled) // 4)
    truth = [label.judgement for label in labelled[:hold]]
    train = [label.judgement for label in labelled[hold:]]
    weights = np.array([x.weight for x in labelled[hold:]])
    current = active_model(stored)
    new = model_fit(matrix[hold:], train, weights, apart=True)  # apart: scikit-learn stays out of the worker
    new = leaning_chosen(new, matrix[hold:], train, weights, current)
    new_judged = new.judge(matrix[:hold])[0]
    current_judged = current.judge(matrix[:hold])[0] if current else None
    new_scores = scores(truth, new_judged)
    current_scores = scores(truth, current_judged) if current_judged else Scores(0, *([None] * 5))
    refusal = gate_refusal(truth, new_judged, current_judged)
    wins = not refusal
    with transaction.atomic():
        if wins:
            JudgementModel.objects.filter(product_id=stored, outcome=JudgementModel.Outcome.ACTIVE).update(
                outcome=JudgementModel.Outcome.KEPT
            )
        row = JudgementModel.objects.create(
            product_id=stored,
            outcome=JudgementModel.Outcome.ACTIVE if wins else JudgementModel.Outcome.REFUSED,
            weights=new.to_bytes(),
            features_version=FEATURES_VERSION,
            embedding_model=embeddings.model_name(),
            labels_desk=len(labelled) - hold,
            labels_corrected=sum(x.how == "corrected" for x in labelled[hold:]),
            labels_shipped=len(shipped_rows()[1]),
            scored_on=hold,
            compared_with={
                "version": current.version if current else None,
                **current_scores.as_dict(),
                "cost": cost(truth, current_judged) if current_judged else None,
                "cost_new": cost(truth, new_judged),
            },
            cpu_seconds=round(cpu_seconds() - started, 2),
            note=refusal or gate_told(hold),
            **{k: v for k, v in new_scores.as_dict().items() if k != "count"},
        )
    if wins:  # every worker reads the new version: now, and once this transaction commits
        version_bump(MODEL_VERSION)
        transaction.on_commit(lambda: version_bump(MODEL_VERSION))
    return {
        "learned": True,
        "version": row.pk,
        "active": wins,
        "respond_bias": round(new.respond_bias, 2),
        "noise_floor": round(new.noise_floor, 2),
        **new_scores.as_dict(),
    }


__all__ = ["CLASSES", "active_model", "desk_features", "judgement_learn", "judgement_learn_each", "model_fit", "scores"]
