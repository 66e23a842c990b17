"""Judgement and meaning (issue 42): where sentence embeddings come from (advocacy.embeddings) and how mentions
are judged at intake (mentions.judgement)."""

from .environment import env

# An OpenAI-compatible embeddings endpoint of the team's own (Ollama, vLLM, llama.cpp's server). Empty: the
# model installed with the desk runs on the worker's CPU.
DESK_EMBEDDINGS_URL = env.str("DESK_EMBEDDINGS_URL", default="")
DESK_EMBEDDINGS_MODEL = env.str("DESK_EMBEDDINGS_MODEL", default="all-minilm")
DESK_EMBEDDINGS_KEY = env.str("DESK_EMBEDDINGS_KEY", default="")
DESK_EMBEDDINGS_TIMEOUT = env.float("DESK_EMBEDDINGS_TIMEOUT", default=30.0)
