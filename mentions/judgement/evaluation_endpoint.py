"""How well a team's own model judges the labelled sets (`manage.py judgement_evaluate --endpoint URL --model NAME
[--api-key-env VAR]`): every mention of each set is judged by that endpoint (mentions.assistant.judge, the same
prompt and strict parsing as in the worker), not by the desk's own model, and the same figures are printed as for
the desk's own judgement (mentions.judgement.evaluation), so the two can be read side by side.

The model gives the judgement and the intent; the language and the sentiment are the desk's own (py3langid and
VADER read with the model's intent: what the desk stores beside a team-model verdict). A mention the model gave no
verdict for (an error, a timeout, an answer that is not the strict JSON) counts as judged "" and is listed; after
MAX_FAILURES such mentions in a row the rest are not asked (an endpoint that is down), and the report says so.
Nothing is stored: no ticket, no usage; the admin's endpoint, budget and opt-out are not involved."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from mentions.assistant.client import Endpoint
from mentions.assistant.judge import TeamModelInput, team_model_judgements
from mentions.judgement.evaluation import (
    Report,
    _kind,
    _product,
    dataset_label,
    report_lines,
    report_score,
)
from mentions.judgement.language import language_of
from mentions.judgement.sentiment import sentiment_of

MAX_FAILURES = 3
NO_VERDICT = "no verdict from the endpoint"


@dataclass
class EndpointReport:
    report: Report
    missing: int  # mentions with no verdict
    stopped: bool  # the endpoint failed MAX_FAILURES times in a row: the rest were not asked

    def lines(self, *, misses: bool = False) -> list[str]:
        report = self.report
        if not self.missing:
            said = f"  every mention judged by the endpoint ({report.count})"
        else:
            said = f"  no verdict for {self.missing} of {report.count} mentions (counted as judged otherwise)"
            if self.stopped:
                said += f"; the rest were not asked after {MAX_FAILURES} in a row"
        return [*report_lines(report, misses=misses), said]


def dataset_evaluate_endpoint(path: Path, endpoint: Endpoint, label: str | None = None) -> EndpointReport:
    """The set's report as judged by `endpoint` (the module's docstring)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    mentions: list[dict[str, Any]] = list(data["mentions"])
    product = _product(data)
    report = Report(
        label=f"{label or dataset_label(path)}, by {endpoint.model}",
        path=str(path),
        product=str(data.get("product")),
        count=len(mentions),
    )
    started = time.perf_counter()
    got: list[dict[str, str]] = []
    missing = in_a_row = 0
    stopped = False
    for number, m in enumerate(mentions):
        title, text = str(m.get("title") or ""), str(m.get("text") or "")
        item = TeamModelInput(
            title=title,
            text=text,
            platform=_kind(m),
            product_name=product.name,
            product_description=product.description,
        )
        stopped = stopped or in_a_row >= MAX_FAILURES
        verdict = None if stopped else team_model_judgements({number: item}, endpoint=endpoint).get(number)
        words = f"{title}\n{text}" if title and title not in text else text
        language = language_of(words)
        if verdict is None:
            missing += 1
            in_a_row += 1
            got.append({"judgement": "", "intent": "", "sentiment": "", "language": language, "reason": NO_VERDICT})
            continue
        in_a_row = 0
        sentiment = sentiment_of(words, language=language, intent=verdict.intent)
        got.append(
            {
                "judgement": verdict.judgement,
                "intent": verdict.intent,
                "sentiment": sentiment,
                "language": language,
                "reason": verdict.reason,
            }
        )
    report.seconds = round(time.perf_counter() - started, 2)
    report_score(report, mentions, got)
    return EndpointReport(report, missing, stopped)


def endpoint_evaluate(out: OutputWrapper, sets: list[tuple[str, Path]], options: dict[str, Any]) -> None:
    """The command's run with `--endpoint`, `--model` and `--api-key-env` (the environment variable's name: a key
    on the command line would stay in the shell's history and the process list)."""
    if not options.get("model"):
        raise CommandError("--endpoint needs --model NAME.")
    key_env = options.get("api_key_env") or ""
    if key_env and not os.environ.get(key_env):
        raise CommandError(f"{key_env} is not set (--api-key-env names the variable that holds the key).")
    endpoint = Endpoint(base_url=options["endpoint"], model=options["model"], api_key=os.environ.get(key_env, ""))
    for label, path in sets:
        if not path.exists():
            raise CommandError(f"No such dataset: {path}")
        out.write("\n".join(dataset_evaluate_endpoint(path, endpoint, label).lines(misses=options["misses"])))
