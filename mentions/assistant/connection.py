"""The admin's "Test the connection": one tiny request, in the worker, its result in words beside the endpoint in
admin (`test_result`). Made whether or not the endpoint is enabled (a team tests before switching it on), counted
in the day's budget like any other. The words are the client's own: the status or the error, the time it took,
never the key and never what the model said."""

from __future__ import annotations

import time

from django.utils import timezone

from mentions.assistant.calls import TEST, Assistant, endpoint_of, endpoint_row
from mentions.models import TeamModelEndpoint

MESSAGES = [{"role": "user", "content": "Reply with the word OK."}]


def team_model_test() -> str:
    row = endpoint_row()
    if row is None:
        return "No endpoint is configured."
    if not row.base_url or not row.model:
        said = "Not tested: the base URL and the model's name are both needed."
    else:
        assistant = Assistant(use=TEST, endpoint=endpoint_of(row), row=row, budget=row.daily_budget)
        started = time.monotonic()
        try:
            answer = assistant.ask(MESSAGES, max_tokens=5, temperature=0.0)
        finally:
            assistant.close()
        seconds = time.monotonic() - started
        if answer is not None:
            tokens = f", {answer.completion_tokens} tokens" if answer.completion_tokens is not None else ""
            how = "streamed" if answer.streamed else "answered"
            said = f"OK: {row.model} {how} in {seconds:.1f} s{tokens}."
        else:
            said = f"Failed: {assistant.stopped}."
    said = said[:300]
    TeamModelEndpoint.objects.filter(pk=row.pk).update(test_result=said, tested_at=timezone.now())
    return said
