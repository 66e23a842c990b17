"""Sentence embeddings (advocacy.embeddings): the installed model runs offline and puts texts that mean the same
nearer than texts that share words; an OpenAI-compatible endpoint is used when configured.

The endpoint's shapes are OpenAI's documented embeddings API (POST /v1/embeddings with {"model", "input"};
answer {"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage"}), which
Ollama, vLLM and llama.cpp's server also speak."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import requests
import responses

from advocacy import embeddings


@pytest.fixture(autouse=True)
def _fresh_embedder():
    embeddings.embedder_reset()
    yield
    embeddings.embedder_reset()


def test_the_installed_model_ranks_meaning_over_shared_words():
    outage, release, down = embeddings.embed(
        [
            "the site keeps returning 502 errors and pull requests will not open",
            "version 18.6 is out with quicker merge pipelines",
            "is it down for everyone or just me?",
        ]
    )
    assert outage.shape == (384,)
    assert np.isclose(np.linalg.norm(outage), 1.0, atol=1e-3)
    assert outage @ down > outage @ release


def test_a_vector_survives_storage_at_half_precision():
    (vector,) = embeddings.embed(["jobs stuck in pending since noon"])
    back = embeddings.from_bytes(embeddings.to_bytes(vector))
    assert len(embeddings.to_bytes(vector)) == 768
    assert float(vector @ back) > 0.999


def test_a_batch_embeds_each_text_as_alone():
    texts = ["runner offline", "love the new release", ""]
    together = embeddings.embed(texts)
    alone = np.vstack([embeddings.embed([t]) for t in texts])
    assert together.shape == (3, 384)
    assert np.allclose(together, alone, atol=1e-4)


def _endpoint(settings):
    settings.DESK_EMBEDDINGS_URL = "http://models.internal:11434/v1/"
    settings.DESK_EMBEDDINGS_MODEL = "nomic-embed-text"
    settings.DESK_EMBEDDINGS_KEY = "sk-secret-value"
    settings.DESK_EMBEDDINGS_TIMEOUT = 5.0


@responses.activate
def test_an_endpoint_is_asked_in_the_openai_shape_and_its_rows_put_back_in_order(settings):
    _endpoint(settings)

    def answer(request):
        body = json.loads(request.body)
        assert body == {"model": "nomic-embed-text", "input": ["first", "second"]}
        assert request.headers["Authorization"] == "Bearer sk-secret-value"
        data = [
            {"object": "embedding", "index": 1, "embedding": [0.0, 3.0, 4.0]},
            {"object": "embedding", "index": 0, "embedding": [2.0, 0.0, 0.0]},
        ]
        return 200, {}, json.dumps({"object": "list", "data": data, "model": "nomic-embed-text", "usage": {}})

    responses.add_callback(responses.POST, "http://models.internal:11434/v1/embeddings", callback=answer)
    matrix = embeddings.embed(["first", "second"])
    assert np.allclose(matrix, [[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]])
    assert embeddings.embedder().model == "endpoint:nomic-embed-text"


@responses.activate
@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "json": {"error": "model not loaded"}},
        {"status": 200, "json": {"data": [{"index": 0}]}},
        {"status": 200, "body": "<html>proxy</html>"},
        {"body": requests.ConnectionError("refused")},
    ],
)
def test_an_endpoint_failure_is_one_clear_error_and_the_key_is_never_logged(settings, caplog, reply):
    _endpoint(settings)
    responses.add(responses.POST, "http://models.internal:11434/v1/embeddings", **reply)
    with caplog.at_level(logging.WARNING), pytest.raises(embeddings.EmbeddingError, match=r"models\.internal"):
        embeddings.embed(["first"])
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "embeddings endpoint failed" in logged
    assert "sk-secret-value" not in logged


@responses.activate
def test_an_endpoint_that_answers_fewer_rows_than_asked_is_refused(settings):
    _endpoint(settings)
    data = [{"object": "embedding", "index": 0, "embedding": [1.0, 0.0]}]
    responses.add(responses.POST, "http://models.internal:11434/v1/embeddings", json={"data": data})
    with pytest.raises(embeddings.EmbeddingError, match="1 of 2"):
        embeddings.embed(["first", "second"])


def test_the_model_process_gives_back_a_batchs_memory():
    """Issue 58: after each call the process that runs the model gives glibc's free heap back to the system
    (embeddings.malloc_trim): a batch of 64 long texts left about 50 MiB behind before, 10 now."""
    code = (
        "import django; django.setup()\n"
        "from advocacy import embeddings\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) / 1024\n"
        "embeddings.embedder()\n"
        "before = rss()\n"
        "embeddings.embed([('word%d ' % i) * 200 for i in range(64)])\n"
        "print(round(rss() - before))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings_test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert int(done.stdout.split()[-1]) < 30
