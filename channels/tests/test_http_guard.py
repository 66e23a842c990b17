"""No platform writes its own status ladder: a module under channels/adapters/ that compares a response's status
code (``response.status_code == 404``, ``status in (401, 403)`` after ``status = response.status_code``,
``200 <= response.status_code < 300``) fails here, unless the allow-list below names it with its reason. What a
status means is channels.http_status's ladder, with the platform's rungs passed as data.

Shapes: none (it reads the adapters' source)."""

from __future__ import annotations

import ast
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parents[1] / "adapters"

# module (relative to channels/adapters/) -> why it still compares a status itself.
ALLOWED: dict[str, str] = {
    # Slack's errors are the notifications' (SlackError carries Slack's own code beside the message), not a platform
    # adapter's TransientError/PermanentError family that the ladder builds.
    "slack/client.py": "Slack Web API errors are SlackError(code, message), raised to notifications",
}


def status_comparisons(source: str) -> list[int]:
    """The lines that compare a response's status code: the attribute itself, or a name assigned from it."""
    tree = ast.parse(source)
    aliases = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == "status_code"
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def is_status(node: ast.expr) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "status_code") or (
            isinstance(node, ast.Name) and node.id in aliases
        )

    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and any(is_status(side) for side in (node.left, *node.comparators))
    ]


def offenders() -> dict[str, list[int]]:
    found = {}
    for path in sorted(ADAPTERS.rglob("*.py")):
        if "tests" in path.parts:
            continue
        lines = status_comparisons(path.read_text())
        if lines:
            found[path.relative_to(ADAPTERS).as_posix()] = lines
    return found


def test_no_adapter_maps_a_status_outside_the_http_layer() -> None:
    unexpected = {name: lines for name, lines in offenders().items() if name not in ALLOWED}
    assert not unexpected, (
        "these adapter modules compare a status code themselves (module: lines); pass the platform's rungs to "
        f"channels.http_status.status_error instead: {unexpected}"
    )


def test_the_allow_list_names_only_modules_that_still_need_it() -> None:
    assert set(ALLOWED) <= set(offenders()), "an allow-list entry no longer compares a status: remove it"


def test_the_scan_sees_each_way_of_comparing() -> None:
    source = (
        "def f(response):\n"
        "    status = response.status_code\n"
        "    if status in (401, 403): pass\n"
        "    if 200 <= response.status_code < 300: pass\n"
        "    return f'HTTP {response.status_code}'\n"
    )
    assert status_comparisons(source) == [3, 4]
