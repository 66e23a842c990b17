"""Answers found by meaning (issue 42): the worker fills each answer's vector behind the index; a question asked
again in other words is offered the answer nearest in meaning (answers.suggestions.hybrid), and a web process only reads
stored vectors (it never loads the model)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from answers.index.follow import answers_index
from answers.models import Answer
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.ranking import ticket_suggestions
from answers.tests.test_suggestions import answered, asking
from mentions.meaning import ticket_vectors

pytestmark = pytest.mark.django_db


def _library():
    runner = answered(
        "Jobs stay pending",
        "my pipeline jobs sit in pending forever and never get picked up, runner shows green",
        "The jobs ask for tags your runner lacks: add the tag or allow untagged jobs on the runner.",
    )
    answered("Renew the TLS certificate", "how do I renew the TLS cert of my pages site", "Pages renews it itself.")
    answered("Invoice address", "where do I change the billing address on invoices", "Billing page, Company info.")
    answers_index()
    return runner


def test_the_worker_fills_each_answer_once_newest_first():
    _library()
    assert Answer.objects.filter(meaning__isnull=True).count() == 3
    assert answers_meaning_fill(batch=2) == 3
    assert answers_meaning_fill() == 0
    assert set(Answer.objects.values_list("meaning_model", flat=True)) == {"all-MiniLM-L6-v2-onnx-int8"}


def test_a_question_in_other_words_is_offered_by_meaning_and_small_talk_is_not():
    runner = _library()
    answers_meaning_fill()
    same = asking("", "my jobs never leave pending, why does no runner take them?")
    chat = asking("", "what a lovely morning, coffee and a pipeline of podcasts before work")
    ticket_vectors([same.pk, chat.pk])  # as the worker does at intake
    found = ticket_suggestions(same)
    assert [s.ticket_id for s in found][:1] == [runner.pk]
    assert found[0].features["rr_meaning"] == 1.0  # first in meaning
    assert ticket_suggestions(chat) == []


def test_a_web_process_reading_suggestions_never_loads_the_model():
    code = (
        "import django, sys; django.setup(); import answers.views, answers.suggestions.ranking, mentions.meaning; "
        "print('onnxruntime' in sys.modules, 'tokenizers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "advocacy.settings_test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.split() == ["False", "False"]
