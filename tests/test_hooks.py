"""Hooks are typed and written down: every hook a lower app declares is a Protocol, each registered
function accepts its call (checked at registration), and docs/architecture.md's hooks table names every
hook with the module declaring it and exactly the functions registered for it, so the table cannot drift
from the code."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any, Protocol

import pytest

from advocacy import hooks
from advocacy.hooks import Hooks, hook_check
from intake.hooks import TicketNoticesHook
from mentions.services.macro_hooks import MacroHook

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _table() -> list[dict[str, str]]:
    text = DOC.read_text()
    section = text.split("## Hooks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = ["hook", "declared_in", "called_when", "registered_by", "returns"]
    return [dict(zip(names, (cell.strip() for cell in row.strip("|").split("|")), strict=True)) for row in rows]


def _registered(module: Any, protocol: type) -> list[Any]:
    """The functions registered for `protocol`, read where its module keeps them."""
    lists = [v for v in vars(module).values() if isinstance(v, Hooks) and v.protocol is protocol]
    if lists:
        return list(lists[0])
    if protocol.__name__ == "PanelContext":
        return [panel.context for panel in module._panels]
    if protocol.__name__ == "FoldContext":
        return [fold.context for fold in module._folds.values() if fold.context is not None]
    if protocol.__name__ == "OutreachDelivery":
        return [module._deliver] if module._deliver else []
    raise AssertionError(f"{module.__name__} keeps no registrations of {protocol.__name__}")


def test_the_table_names_every_hook_its_module_and_exactly_what_is_registered():
    rows = _table()
    assert len(rows) >= 9
    for row in rows:
        name = row["hook"].strip("`")
        module = importlib.import_module(row["declared_in"].strip("`"))
        protocol = getattr(module, name)
        assert Protocol in protocol.__mro__ and protocol is not Protocol, name
        functions = _registered(module, protocol)
        assert functions, f"nothing registers {name}"
        found = {f"{f.__module__}.{f.__qualname__}" for f in functions}
        listed = set(re.findall(r"`(\w+(?:\.\w+)+)`", row["registered_by"]))
        assert found == listed, (name, found, listed)
        apps = set(re.findall(r"`(\w+)`", row["registered_by"]))
        assert apps == {f.split(".")[0] for f in found}, name


def test_every_declared_hook_list_is_in_the_table():
    importlib.import_module("intake.hooks")
    tabled = {(row["declared_in"].strip("`"), row["hook"].strip("`")) for row in _table()}
    declared = {(h.protocol.__module__, h.protocol.__name__) for h in hooks.DECLARED}
    assert len(declared) >= 7
    assert declared <= tabled


def test_a_function_that_does_not_accept_the_call_is_refused_at_registration():
    def share(*, ticket, macro, user):  # no `link`
        return None

    with pytest.raises(TypeError, match=r"share cannot be a MacroHook hook: .*link"):
        hook_check(MacroHook, share)
    with pytest.raises(TypeError, match="TicketNoticesHook"):
        notices: Hooks[TicketNoticesHook] = Hooks(TicketNoticesHook)
        # The wrong shape is the point (mypy refuses it too): registering refuses it at start-up.
        notices.register(lambda channel, new_tickets: None)  # type: ignore[arg-type]


def test_a_function_may_take_more_with_defaults_or_collect_the_keywords():
    def with_default(*, ticket, macro, user, link="", expert_id=None, dry_run=False):
        return None

    def collecting(*, ticket, macro, user, **_):
        return None

    hook_check(MacroHook, with_default)
    hook_check(MacroHook, collecting)
    checked: Hooks[MacroHook] = Hooks(MacroHook)
    checked.register(with_default)
    checked.register(with_default)
    assert list(checked) == [with_default]
