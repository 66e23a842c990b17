"""The ingest pipeline's stages have one numbering: the list in intake/pipeline/__init__.py's docstring, the
"Stage N" each stage's module opens with, the pipeline line of docs/architecture.md ("From a poll to a
ticket"), and the order in which `mentions_ingest` calls the stages' functions all agree. Read from the
source text (no database): a stage added, moved or renumbered in one place only fails here."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import intake.pipeline

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"^\s*(\d+)\. ([^:]+): (.*)$")
FUNCTIONS = re.compile(r"`(\w+(?:\.\w+)?)`")
MODULE_STAGES = re.compile(r"^Stages? (\d+(?:(?:, | and )\d+)*), ")


def _stages() -> list[tuple[int, str, list[str]]]:
    """(number, name, the functions it runs) from the package docstring; an entry may wrap onto lines
    indented under it."""
    doc = intake.pipeline.__doc__ or ""
    listing = doc.split("The stages, in order", 1)[1].split("\n\n", 2)[1]
    stages: list[tuple[int, str, list[str]]] = []
    for line in listing.splitlines():
        entry = ENTRY.match(line)
        if entry:
            stages.append((int(entry.group(1)), entry.group(2), FUNCTIONS.findall(entry.group(3))))
        else:
            stages[-1][2].extend(FUNCTIONS.findall(line))
    return stages


def _doc_line() -> list[tuple[int, str]]:
    """The numbered stages of docs/architecture.md's pipeline line."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("intake.pipeline.mentions_ingest", 1)[1].split("\n", 1)[1].split("─► on commit", 1)[0]
    items = [item.strip() for item in " ".join(block.split()).split("→")]
    found = [re.fullmatch(r"(\d+) (.+?)(?: \(hook\))?", item) for item in items]
    assert all(found), items
    return [(int(m.group(1)), m.group(2)) for m in found if m]


def test_the_stages_are_numbered_once_in_order():
    stages = _stages()
    assert [n for n, _, _ in stages] == list(range(1, len(stages) + 1))
    assert len(stages) >= 10


def test_the_architecture_page_numbers_the_stages_as_the_code_does():
    assert _doc_line() == [(n, name) for n, name, _ in _stages()]


def test_each_stage_module_opens_with_the_numbers_of_its_stages():
    claimed: dict[str, set[int]] = {}
    for number, _, functions in _stages():
        for function in functions:
            if "." in function:
                claimed.setdefault(function.split(".")[0], set()).add(number)
    assert {"validate", "lookup", "team", "thread", "clocks", "store", "authors", "triage", "history"} <= set(claimed)
    for module, numbers in claimed.items():
        first_line = (importlib.import_module(f"intake.pipeline.{module}").__doc__ or "").splitlines()[0]
        opening = MODULE_STAGES.match(first_line)
        assert opening, (module, first_line)
        assert {int(n) for n in re.findall(r"\d+", opening.group(1))} == numbers, (module, first_line)


def test_mentions_ingest_runs_the_stages_in_their_order():
    stage_of = {f.split(".")[-1]: number for number, _, functions in _stages() for f in functions}
    source = inspect.getsource(intake.pipeline.mentions_ingest)
    calls = [
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in stage_of
    ]
    # ast.walk is breadth first: order the calls as they are written.
    lines = {
        node.func.id: node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    calls.sort(key=lambda name: lines[name])
    assert sorted(calls) == sorted(stage_of)  # every function the list names is called, once
    numbers = [stage_of[name] for name in calls]
    assert numbers == sorted(numbers), list(zip(calls, numbers, strict=True))
