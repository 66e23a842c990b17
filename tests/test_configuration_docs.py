"""docs/configuration.md names every environment variable the desk reads, and nothing else.

The variables read are found in the source, not by running it: every call on django-environ (`env.str("X")`,
`env.int(...)`, `env("X")`, `environ.Env().str(...)`, ...) and every `os.environ`/`os.getenv` read in the
settings package (advocacy/settings/), every `${X:-...}` in the Procfiles, and the variable of each Procfile line
`#when X name: command` (bin/desk-start starts the line only when X is set), and the same reads in pytest's
settings (advocacy/settings_test.py). A documented variable is the first cell of a table row in
docs/configuration.md. The last tests run the same checker on a settings
module written for the test, so a new `env.str("DESK_NEW")` is shown to fail it.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_PACKAGE = ROOT / "advocacy" / "settings"
# Settings modules outside the package: the test settings read variables of their own (pytest-xdist's worker).
SETTINGS_MODULES = [ROOT / "advocacy" / "settings_test.py"]
PROCFILES = [ROOT / "Procfile", ROOT / "Procfile.dev"]
DOCS = ROOT / "docs" / "configuration.md"

# Methods of environ.Env that do not read a variable.
NOT_READS = {"read_env", "smart_cast", "parse_value", "escape_proxied"}
DOC_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|(.*)\|\s*$")
PROCFILE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)|^#when ([A-Za-z_][A-Za-z0-9_]*) ")


@dataclass
class Reads:
    """Variable name -> where it is read (file:line), and reads whose name is not a literal string."""

    names: dict[str, list[str]] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)

    def add(self, name: str, where: str) -> None:
        self.names.setdefault(name, []).append(where)


def _is_env(node: ast.expr) -> bool:
    """`env` (the settings' environ.Env()) or a fresh `environ.Env()` / `Env()`."""
    if isinstance(node, ast.Name):
        return node.id == "env"
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Attribute) and func.attr == "Env") or (
            isinstance(func, ast.Name) and func.id == "Env"
        )
    return False


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _variable_argument(node: ast.Call | ast.Subscript) -> ast.expr | None:
    """The expression naming the variable, if `node` reads one."""
    if isinstance(node, ast.Subscript):
        return node.slice if _is_os_environ(node.value) else None
    func = node.func
    reads = (
        (isinstance(func, ast.Name) and func.id == "env")  # env("X")
        or (isinstance(func, ast.Attribute) and func.attr not in NOT_READS and _is_env(func.value))  # env.str("X")
        or (isinstance(func, ast.Attribute) and func.attr in {"get", "setdefault"} and _is_os_environ(func.value))
        or (
            isinstance(func, ast.Attribute)
            and func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id == "os"
        )
    )
    if not reads:
        return None
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg in {"var", "key"}), None)


def variables_read(package: Path, procfiles: list[Path], modules: list[Path] | None = None) -> Reads:
    reads = Reads()
    # Each module with the folder its name is given from: advocacy/settings/<module>.py, advocacy/settings_test.py.
    named = [(module, package.parent.parent) for module in sorted(package.rglob("*.py"))]
    named += [(module, module.parent.parent) for module in modules or []]
    for module, base in named:
        where_file = module.relative_to(base)
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            if not isinstance(node, ast.Call | ast.Subscript):
                continue
            argument = _variable_argument(node)
            if argument is None:
                continue
            where = f"{where_file}:{node.lineno}"
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                reads.add(argument.value, where)
            else:
                reads.unnamed.append(where)
    for procfile in procfiles:
        for number, line in enumerate(procfile.read_text().splitlines(), start=1):
            for found in PROCFILE_VARIABLE.findall(line):
                reads.add(next(name for name in found if name), f"{procfile.name}:{number}")
    return reads


def variables_documented(markdown: str) -> dict[str, list[str]]:
    """Variable name -> the other cells of its table row (default, what it does, example)."""
    rows: dict[str, list[str]] = {}
    for line in markdown.splitlines():
        match = DOC_ROW.match(line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def configuration_problems(
    package: Path, procfiles: list[Path], markdown: str, modules: list[Path] | None = None
) -> list[str]:
    """Each problem as a sentence naming the variable; empty when the page and the code agree."""
    reads = variables_read(package, procfiles, modules)
    documented = variables_documented(markdown)
    problems = [
        f"{name} is read ({', '.join(reads.names[name])}) but docs/configuration.md has no row for it"
        for name in sorted(reads.names.keys() - documented.keys())
    ]
    problems += [
        f"{name} has a row in docs/configuration.md but nothing reads it any more"
        for name in sorted(documented.keys() - reads.names.keys())
    ]
    problems += [
        f"{where} reads a variable whose name is not a literal string (the page cannot be checked for it)"
        for where in reads.unnamed
    ]
    problems += [
        f"{name}'s row in docs/configuration.md needs a default, what it does and an example ({cells})"
        for name, cells in sorted(documented.items())
        if len(cells) != 3 or not all(cells)
    ]
    return problems


def test_the_configuration_page_names_every_variable_read_and_only_those():
    problems = configuration_problems(SETTINGS_PACKAGE, PROCFILES, DOCS.read_text(), SETTINGS_MODULES)
    assert problems == [], "\n".join(problems)


def test_the_checker_sees_the_settings_variables():
    """The parse finds the reads it must (one of each kind of call): an empty result would pass the test above."""
    reads = variables_read(SETTINGS_PACKAGE, PROCFILES, SETTINGS_MODULES).names
    for name in [
        "DESK_VAR_DIR",  # environ.Env().str(...)
        "SECRET_KEY",  # env.str, no default
        "DATABASE_URL",  # env.db
        "EMAIL_URL",  # env.email_url
        "DESK_PLATFORM_URL_OVERRIDES",  # env.json
        "DESK_HTTP_TIMEOUT_SECONDS",  # env.float
        "TEST_DATABASE_NAME",  # env.str over several lines
        "DESK_BASE_URL",  # env.str inside another's default
        "DESK_WEBHOOK_WORKERS",  # Procfile
        "DESK_PORT",  # Procfile.dev
        "PYTEST_XDIST_WORKER",  # os.environ.get in advocacy/settings_test.py
        "DESK_TEST_GIVEN",  # os.environ.setdefault and os.environ[...] in advocacy/settings_test.py
    ]:
        assert name in reads, name
    assert len(reads) > 70


def _settings_copy(tmp_path: Path, extra_module: str) -> Path:
    package = tmp_path / "advocacy" / "settings"
    shutil.copytree(SETTINGS_PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "extra.py").write_text(extra_module)
    return package


def test_a_new_variable_without_a_row_fails_the_check_naming_it(tmp_path):
    package = _settings_copy(
        tmp_path,
        "import os\n\n"
        "import environ\n\n"
        "from .environment import env\n\n"
        'DESK_NEW = env.str("DESK_NEW", default="")\n'
        'DESK_NEWER = environ.Env().int("DESK_NEWER", default=1)\n'
        'DESK_RAW = os.environ.get("DESK_RAW_VARIABLE", "")\n'
        'DESK_CALLED = env("DESK_CALLED")\n'
        'DESK_KNOWN = env.str("SECRET_KEY", default="")\n',
    )
    problems = configuration_problems(package, PROCFILES, DOCS.read_text(), SETTINGS_MODULES)
    assert problems == [
        "DESK_CALLED is read (advocacy/settings/extra.py:10) but docs/configuration.md has no row for it",
        "DESK_NEW is read (advocacy/settings/extra.py:7) but docs/configuration.md has no row for it",
        "DESK_NEWER is read (advocacy/settings/extra.py:8) but docs/configuration.md has no row for it",
        "DESK_RAW_VARIABLE is read (advocacy/settings/extra.py:9) but docs/configuration.md has no row for it",
    ]


def test_a_variable_read_under_a_computed_name_fails_the_check(tmp_path):
    package = _settings_copy(tmp_path, 'from .environment import env\n\nPREFIX = "DESK_"\nX = env.int(PREFIX + "X")\n')
    assert configuration_problems(package, PROCFILES, DOCS.read_text(), SETTINGS_MODULES) == [
        "advocacy/settings/extra.py:4 reads a variable whose name is not a literal string (the page cannot be "
        "checked for it)"
    ]


def test_a_row_for_a_variable_nothing_reads_fails_the_check():
    markdown = DOCS.read_text() + "\n| `DESK_GONE` | `1` | Used to do something. | `2` |\n"
    assert configuration_problems(SETTINGS_PACKAGE, PROCFILES, markdown, SETTINGS_MODULES) == [
        "DESK_GONE has a row in docs/configuration.md but nothing reads it any more"
    ]


def test_a_row_with_an_empty_cell_fails_the_check():
    markdown = DOCS.read_text().replace("| `LOG_LEVEL` | `INFO` |", "| `LOG_LEVEL` | |", 1)  # no default
    assert configuration_problems(SETTINGS_PACKAGE, PROCFILES, markdown, SETTINGS_MODULES)[0].startswith(
        "LOG_LEVEL's row in docs/configuration.md needs a default, what it does and an example"
    )


def test_a_new_variable_read_by_the_test_settings_without_a_row_fails_the_check(tmp_path):
    """The test settings sit outside the package (advocacy/settings_test.py): their reads are checked as well."""
    module = tmp_path / "advocacy" / "settings_test.py"
    module.parent.mkdir()
    module.write_text(SETTINGS_MODULES[0].read_text() + '\nSHARD = os.environ.get("DESK_TEST_SHARD", "")\n')
    problems = configuration_problems(SETTINGS_PACKAGE, PROCFILES, DOCS.read_text(), [module])
    line = len(module.read_text().splitlines())
    assert problems == [
        f"DESK_TEST_SHARD is read (advocacy/settings_test.py:{line}) but docs/configuration.md has no row for it"
    ]
