"""What the desk's learning does for a team that imports its history (docs/importing.md, "The judgement").

    .venv/bin/python bench/judgement_learning_import.py [--dataset mentions/judgement/eval/heldout_caddy.json]

A labelled evaluation set is written as the documented `tickets.jsonl` (docs/importing.md, "From any tool") in its
time order: a mention labelled "needs a response" becomes a ticket an agent answered an hour later, the others
tickets solved without a reply. It is imported (`imports.running.run_execute`), judged by the worker's own batches
(`tickets_judge`, which stores the meaning vectors; the shipped cold start judges, there being no desk version yet),
then `judgement_learn` runs once. The labels are the desk's history as labels.py reads it, so a mention the cold
start called noise and the desk solved unanswered is noise, one it called otherwise is worth knowing.

It prints, on the newest quarter of the imported tickets (at most 200, which the learned version did not train on),
the cold start's figures (before) and the learned version's (after): accuracy, needs-a-response precision and
recall, noise precision and recall, and whether the learned version was made active, with its note.
The product is the set's (its name, description and keywords), as a team would describe it in the admin.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_learning")

from _common import REPO, load_average, machine_print, setup_django, truncate

FIGURES = ("accuracy", "needs_response_precision", "needs_response_recall", "noise_precision", "noise_recall")


def _ticket(mention: dict) -> dict:
    """One mention as the documented JSONL's ticket: answered an hour later when it needed a response."""
    at = datetime.fromisoformat(mention["at"].replace("Z", "+00:00"))
    answered = mention["label"]["judgement"] == "needs_response"
    messages = [{"id": "m1", "from": "requester", "body": mention["text"], "created_at": mention["at"]}]
    if answered:
        reply = {"email": "agent@desk.example", "name": "Agent"}
        messages.append({"id": "m2", "from": "agent", "author": reply, "body": "Thanks, on it.",
                         "created_at": (at + timedelta(hours=1)).isoformat()})  # fmt: skip
    return {
        "id": mention["id"],
        "subject": mention.get("title") or "",
        "status": "solved",
        "created_at": mention["at"],
        "solved_at": (at + timedelta(hours=2)).isoformat(),
        "requester": {"name": mention["author"]},
        "messages": messages,
    }


def _desk(data: dict, product: str) -> None:
    """The team's product as the admin would describe it, and a channel searching for its keywords; or (`name`)
    only its name, the description and other names left at their defaults."""
    from channels.models import Channel
    from mentions.models import ProductProfile

    if product == "name":
        ProductProfile.objects.create(name=data["product"])
        return
    ProductProfile.objects.create(name=data["product"], description=data["description"], other_names="")
    Channel.objects.create(kind="hackernews", name="Hacker News", slug="hn", enabled=False,
                           config={"keywords": data["keywords"]})  # fmt: skip


def _line(name: str, figures: dict) -> str:
    return f"  {name:<12}" + "".join(f"{figures.get(k) if figures.get(k) is not None else '-':>20}" for k in FIGURES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="mentions/judgement/eval/heldout_caddy.json")
    parser.add_argument(
        "--product",
        choices=("full", "name"),
        default="full",
        help="full: the set's name, description and keywords; name: its name alone (the admin left the rest)",
    )
    parser.add_argument("--mentions", type=int, default=0, help="the newest N of the set only (0: all; a smoke run)")
    args = parser.parse_args()
    setup_django()
    machine_print()

    from advocacy.versioned import version_bump
    from imports.models import ImportRun
    from imports.running import run_execute
    from imports.starting import run_create
    from mentions.judgement.learning import MODEL_VERSION, judgement_learn
    from mentions.judgement.run import tickets_judge
    from mentions.models import JudgementModel, Ticket

    truncate("mentions_ticket", "imports_importrun", "mentions_judgementmodel", "mentions_productprofile",
             "channels_channel", "people_person")  # fmt: skip
    version_bump(MODEL_VERSION)
    data = json.loads((REPO / args.dataset).read_text(encoding="utf-8"))
    mentions = sorted(data["mentions"], key=lambda m: m["at"])
    mentions = mentions[-args.mentions :] if args.mentions else mentions
    _desk(data, args.product)
    with tempfile.TemporaryDirectory() as folder:
        lines = "".join(json.dumps(_ticket(m)) + "\n" for m in mentions)
        (Path(folder) / "tickets.jsonl").write_text(lines, encoding="utf-8")
        run = run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=folder).pk)
    if run.status != ImportRun.Status.DONE:
        sys.exit(f"import failed: {run.error}")
    started = time.perf_counter()
    while tickets_judge(batches=10).get("judged"):
        pass
    print(f"{Ticket.objects.count()} tickets imported and judged, vectors in {time.perf_counter() - started:.0f} s")

    result = judgement_learn()
    if not result.get("learned"):
        sys.exit(f"nothing learned: {result}")
    row = JudgementModel.objects.get(pk=int(str(result["version"])))
    print(
        f"\n{args.dataset} (product: {args.product}): scored on the {row.scored_on} newest, "
        f"trained on the {row.labels_desk} older"
    )
    print(f"  {'':<12}" + "".join(f"{k.replace('needs_response', 'respond'):>20}" for k in FIGURES))
    print(_line("cold start", row.compared_with))
    print(_line("learned", {k: getattr(row, k) for k in FIGURES}))
    print(f"learned version {row.outcome}{': ' + row.note if row.note else ''}")
    lean = {k: result.get(k) for k in ("respond_bias", "noise_floor")}
    print(f"its lean: {lean}" if lean["respond_bias"] is not None else "its lean: the shipped one (not chosen)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
