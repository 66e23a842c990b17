"""The team's own language model, used by the worker only (issue 56, item 6; docs/team-model.md).

An OpenAI-compatible chat endpoint the admin configures (mentions.models.TeamModelEndpoint). No web process
imports this package's `client`, `calls`, `judge` or `summary` (tests/test_embedded_default.py reads sys.modules
after serving pages); the admin's "Test the connection" asks the worker (`mentions.team_model_test`). The parts:

- `client`: one POST to {base}/chat/completions, the answer read whole or streamed, within one deadline;
- `calls`: the endpoint as configured for a use, the opt-out, the daily budget, the fallback and its log;
- `judge`: a verdict on a mention the desk's own model is unsure of (the lead's judgement run calls it);
- `thread`: a ticket's public conversation as the model reads it (also for answers' drafts);
- `summary`: a summary at the top of a long thread, refreshed as it grows;
- `connection`: the admin's connection test;
- `demo` and `demo_answers`: the demo's endpoint answered on this machine (DESK_DEMO_REPLAY, `make run`), its
  answers composed from the request, never generated.
"""
