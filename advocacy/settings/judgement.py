"""Judgement and meaning (issue 42): where sentence embeddings come from (advocacy.embeddings) and how mentions
are judged at intake (mentions.judgement)."""

from .environment import env

# An OpenAI-compatible embeddings endpoint of the team's own (Ollama, vLLM, llama.cpp's server). Empty: the
# model installed with the desk runs on the worker's CPU.
DESK_EMBEDDINGS_URL = env.str("DESK_EMBEDDINGS_URL", default="")
DESK_EMBEDDINGS_MODEL = env.str("DESK_EMBEDDINGS_MODEL", default="all-minilm")
DESK_EMBEDDINGS_KEY = env.str("DESK_EMBEDDINGS_KEY", default="")
DESK_EMBEDDINGS_TIMEOUT = env.float("DESK_EMBEDDINGS_TIMEOUT", default=30.0)

# The team's own language model (mentions.assistant, docs/team-model.md) is configured in admin; only this is a
# setting: a thread of this many public messages (mentions and our replies) or more gets a summary at its top.
DESK_TEAM_MODEL_SUMMARY_MESSAGES = env.int("DESK_TEAM_MODEL_SUMMARY_MESSAGES", default=6)

# The learned judgement (issue 56, docs/judgement.md): below this confidence (the probability that a mention
# needs a response when judged so, that it does not otherwise) a judgement is "Unsure", stored as
# needs_response and shown so; intent and sentiment are shown only at or above it.
DESK_JUDGEMENT_UNSURE_BELOW = env.float("DESK_JUDGEMENT_UNSURE_BELOW", default=0.6)
