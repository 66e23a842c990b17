"""The house rule that keeps modules readable: no source module (Python, JavaScript, CSS) over 400
lines. Tests, migrations and vendored files (htmx) are left out: a test file reads as a list of cases.
A module that grows past the limit is split by what its parts do (static/keys.js and
static/macro_picker.js, for one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
VENDORED = {"static/htmx.min.js"}


def source_modules() -> list[str]:
    git = shutil.which("git")
    assert git, "git lists the tracked modules"
    tracked = subprocess.run(
        [git, "ls-files", "*.py", "*.js", "*.css"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        path
        for path in tracked
        if path not in VENDORED
        and "/migrations/" not in path
        and "/tests/" not in path
        and not path.startswith(("tests/", "node_modules/"))
        and "/node_modules/" not in path
    ]


def over_limit(root: Path, paths: list[str]) -> dict[str, int]:
    return {path: n for path in paths if (n := len((root / path).read_text().splitlines())) > LIMIT}


def test_no_source_module_is_over_400_lines():
    modules = source_modules()
    assert len(modules) > 100  # the listing found the project's modules, not an empty tree
    assert "static/keys.js" in modules and "mentions/views/ticket.py" in modules
    assert over_limit(ROOT, modules) == {}


def test_the_rule_counts_lines_and_names_the_long_module(tmp_path):
    (tmp_path / "long.py").write_text("x = 1\n" * (LIMIT + 1))
    (tmp_path / "fits.js").write_text("let x;\n" * LIMIT)
    assert over_limit(tmp_path, ["long.py", "fits.js"]) == {"long.py": LIMIT + 1}
