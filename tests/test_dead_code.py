"""No dead functions: every module-level function of the apps is named somewhere else in the project.

A function nothing names (no call, no import, no dotted path in settings, no template) is code a reader
has to understand for nothing, and it rots: the five this test found when it was written (a duplicate of
`platform_short`, a Twitter id helper, a Stack Exchange reader, a dead letters count, a grant check) had
not been called for releases. A function that something calls by a name it builds is registered by a
decorator instead (tasks, Slack handlers, template tags, checks, signal receivers), so decorated
functions are left out, as are tests, migrations and bench/ (scripts run by hand).

Found with vulture (https://github.com/jendrikseipp/vulture) once and checked by grep; this test is
the same search without the tool: a name is used when it appears anywhere else as a word.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_OURS = {".venv", ".git", ".mypy_cache", "node_modules", "var", "test-artifacts"}
# Where a function may be named: code, templates, and the configuration that names code by dotted path.
READS = {".py", ".html", ".js", ".toml", ".ini", ".cfg", ".txt"}
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _files(suffixes: set[str]) -> Iterator[Path]:
    for path in ROOT.rglob("*"):
        if path.suffix in suffixes and not set(path.relative_to(ROOT).parts) & NOT_OURS and path.is_file():
            yield path


def _is_app_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return not ({"tests", "migrations"} & set(parts) or parts[0] == "bench" or path.name == "conftest.py")


def test_every_function_of_the_apps_is_named_somewhere_else():
    words: Counter[str] = Counter()
    for path in _files(READS):
        words.update(WORD.findall(path.read_text(errors="replace")))
    dead = []
    checked = 0
    for path in filter(_is_app_code, _files({".py"})):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.decorator_list:
                checked += 1
                if words[node.name] <= 1:  # its own `def` only
                    dead.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert checked > 500  # the search reads the apps (a wrong root would find nothing and pass)
    assert dead == []
