"""The team model for one job of the worker: the endpoint as the admin configured it for a use, the channels
opted out, the daily budget, and the fallback.

Every failure is the same to the caller: no answer (None), so it keeps what the desk has (the local verdict, no
draft, no summary). It is logged with its context (the use, the tickets' ids, the error's words, the status) and
never the key or a member's words, counted in the day's usage and kept on the endpoint's row for admin. The first
failure ends the job's requests: a batch of 200 mentions against an endpoint that is down would otherwise wait
200 timeouts. A 429 also pauses every use until its Retry-After (at most an hour; a minute when it gave none)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from mentions.assistant.client import (
    ChatAnswer,
    Endpoint,
    TeamModelClient,
    TeamModelError,
    TeamModelRateLimited,
)
from mentions.assistant.usage import budget_take, failure_count
from mentions.models import TeamModelEndpoint

logger = logging.getLogger("mentions.assistant")

JUDGE, DRAFTS, SUMMARIES, TEST = "judge", "drafts", "summaries", "test"
_SWITCH = {JUDGE: "judge_unsure", DRAFTS: "drafts", SUMMARIES: "summaries"}
OVER_BUDGET = "the daily budget is spent"
PAUSE_MOST = timedelta(hours=1)
PAUSE_DEFAULT = timedelta(minutes=1)


def endpoint_row() -> TeamModelEndpoint | None:
    return TeamModelEndpoint.objects.order_by("pk").first()


def endpoint_of(row: TeamModelEndpoint) -> Endpoint:
    return Endpoint(
        base_url=row.base_url,
        model=row.model,
        api_key=row.api_key,
        timeout=float(row.timeout_seconds),
        stream=row.stream,
    )


@dataclass
class Assistant:
    """`budgeted` off: an explicit endpoint given by an operator (judgement_evaluate), not the admin's row; nothing
    is counted or recorded in the database then."""

    use: str
    endpoint: Endpoint
    row: TeamModelEndpoint | None = None
    budget: int = 0
    opted_out: frozenset[int] = frozenset()
    budgeted: bool = True
    stopped: str = ""  # why no more requests are sent in this job
    requests: int = 0
    _client: TeamModelClient | None = field(default=None, repr=False)

    @classmethod
    def for_use(cls, use: str) -> Assistant | None:
        """The admin's endpoint when it is enabled and `use` is switched on and not paused; else None."""
        row = endpoint_row()
        if row is None or not row.enabled or not row.base_url or not row.model:
            return None
        if use in _SWITCH and not getattr(row, _SWITCH[use]):
            return None
        if row.paused_until is not None and row.paused_until > timezone.now():
            logger.info("team model: paused after a 429 until %s", row.paused_until.isoformat(), extra={"use": use})
            return None
        opted_out = frozenset(row.opted_out_channels.values_list("pk", flat=True))
        return cls(use=use, endpoint=endpoint_of(row), row=row, budget=row.daily_budget, opted_out=opted_out)

    @classmethod
    def explicit(cls, use: str, endpoint: Endpoint) -> Assistant:
        return cls(use=use, endpoint=endpoint, budgeted=False)

    @property
    def model(self) -> str:
        return self.endpoint.model

    def allowed(self, channel_ids: Iterable[int | None]) -> bool:
        """Nothing of an opted-out channel leaves the desk."""
        return not any(c in self.opted_out for c in channel_ids if c is not None)

    def ask(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        json_object: bool = False,
        tickets: Iterable[int] = (),
        temperature: float = 0.2,
    ) -> ChatAnswer | None:
        """The model's answer, or None: stopped, over budget, or failed (logged, counted, recorded)."""
        ids = sorted(tickets)
        if self.stopped:
            return None
        if self.budgeted and not budget_take(self.budget, use=self.use):
            self.stopped = OVER_BUDGET
            return None
        if self._client is None:
            self._client = TeamModelClient(self.endpoint)
        started = time.monotonic()
        self.requests += 1
        try:
            answer = self._client.chat(
                messages, max_tokens=max_tokens, temperature=temperature, json_object=json_object
            )
        except TeamModelError as exc:
            self._failed(exc, ids, time.monotonic() - started)
            return None
        logger.info(
            "team model answered in %.1f s",
            time.monotonic() - started,
            extra={
                "use": self.use,
                "tickets": ids,
                "prompt_tokens": answer.prompt_tokens,
                "completion_tokens": answer.completion_tokens,
                "streamed": answer.streamed,
            },
        )
        return answer

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _failed(self, exc: TeamModelError, ids: list[int], seconds: float) -> None:
        said = str(exc)
        self.stopped = said
        context: dict[str, Any] = {
            "use": self.use,
            "tickets": ids,
            "error": type(exc).__name__,
            "status": exc.status,
            "seconds": round(seconds, 2),
        }
        # The error's words are the client's own (no key, no body, no prompt); the host is the admin's setting.
        logger.warning("team model failed: %s; the desk keeps its own result", said, extra=context)
        if not self.budgeted:
            return
        failure_count(rate_limited=isinstance(exc, TeamModelRateLimited))
        now = timezone.now()
        changes: dict[str, Any] = {"last_error": f"{self.use}: {said}"[:300], "last_error_at": now}
        if isinstance(exc, TeamModelRateLimited):
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else PAUSE_DEFAULT
            changes["paused_until"] = now + min(wait, PAUSE_MOST)
        if self.row is not None:
            TeamModelEndpoint.objects.filter(pk=self.row.pk).update(**changes)
