"""docs/typing.md lists every `type: ignore` of the project: how many there are, and each file's ignores by
error code with their reason. The code is read as text (every .py file but the virtualenv's), the page's
table as markdown; a new ignore, one removed, or a count in the page that is not the code's fails here.
(mypy's `warn_unused_ignores` already fails on an ignore that hides nothing; this keeps the page honest.)"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "typing.md"
# var/ holds the bench's virtualenvs (django-helpdesk), not our code.
NOT_OURS = {".venv", ".git", ".mypy_cache", "node_modules", "var", "test-artifacts"}
IGNORE = re.compile(r"#\s*type:\s*ignore(?:\[([\w\-, ]+)\])?")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def _in_code() -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts) & NOT_OURS:
            continue
        for line in path.read_text().splitlines():
            for match in IGNORE.finditer(line):
                found[(relative.as_posix(), match.group(1) or "")] += 1
    return found


def _section() -> str:
    return DOC.read_text().split("## `type: ignore`", 1)[1].split("\n## ", 1)[0]


def _in_doc() -> Counter[tuple[str, str]]:
    listed: Counter[tuple[str, str]] = Counter()
    for row in _section().splitlines():
        if not row.startswith("| `"):
            continue
        # A cell may hold an escaped pipe (`User \| AnonymousUser`).
        where, code, count, why = (cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip("|")))
        assert why, row  # every ignore has its reason
        path = re.match(r"`([^`]+)`", where)
        assert path, row
        listed[(path.group(1), code.strip("`"))] += int(count)
    return listed


def test_the_typing_page_lists_every_ignore_with_its_code_and_reason():
    in_code = _in_code()
    assert sum(in_code.values()) > 0  # the search reads the project
    assert all(code for _, code in in_code), "an ignore without its error code"
    assert _in_doc() == in_code


def test_the_typing_page_says_how_many_there_are():
    stated = re.search(r"There are (\w+)", _section())
    assert stated
    word = stated.group(1)
    assert (int(word) if word.isdigit() else NUMBERS[word]) == sum(_in_code().values())
