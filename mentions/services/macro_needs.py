"""What a macro does and what it needs, said before it is applied.

The words come from the macro's actions ("submits as Solved and moves on", "prefills the reply", "needs a
link", "adds tags x, y"); apps that take part in a macro through a macro hook say the rest through a
`MacroNeedHook` (notifications: "posts to Slack #channel", and that Slack is not connected; experts: "records
an outreach", and that the directory has no expert to pick). A macro that misses something is shown disabled
with the reason, and `macro_apply` refuses it with the same words, so the page never finds out afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from advocacy.hooks import Hooks
from mentions.models import Macro, MacroAction, Ticket


@dataclass(frozen=True)
class MacroNeed:
    """An app's part in a macro: what it does (lower-case words), and why it cannot run now ("" when it can).
    `experts`: the experts to pick from when the macro records whom the advocate asked."""

    does: str = ""
    missing: str = ""
    experts: tuple[tuple[int, str], ...] = field(default=())


class MacroNeedHook(Protocol):
    """What `macro` will do through this app, and what it misses; None when the app has no part in it."""

    def __call__(self, *, macro: Macro) -> MacroNeed | None: ...


macro_need_hooks: Hooks[MacroNeedHook] = Hooks(MacroNeedHook)


@dataclass(frozen=True)
class MacroSummary:
    """A macro as the picker shows it."""

    macro: Macro
    does: tuple[str, ...]
    missing: str
    experts: tuple[tuple[int, str], ...]

    @property
    def pk(self) -> int:
        return self.macro.pk

    @property
    def name(self) -> str:
        return self.macro.name

    @property
    def says(self) -> str:
        """One line: "Submits as Solved and moves on; adds tags spam-report"."""
        text = "; ".join(self.does)
        return text[:1].upper() + text[1:]

    @property
    def asks_for_link(self) -> bool:
        return self.macro.asks_for_link

    @property
    def offers_answer_link(self) -> bool:
        return self.macro.offers_answer_link

    @property
    def asks_for_expert(self) -> bool:
        return bool(self.experts)


def _names(value: str) -> str:
    return ", ".join(value.split())


def macro_effects(macro: Macro) -> list[str]:
    """What the macro's own actions do, the part that decides what happens next first."""
    actions = list(macro.actions.all())
    kinds = [a.kind for a in actions]
    statuses = [a.value for a in actions if a.kind == MacroAction.Kind.SET_STATUS]
    status = Ticket.Status(statuses[-1]).label if statuses and statuses[-1] in Ticket.Status.values else ""
    effects: list[str] = []
    # macro_apply submits the ticket (Play moves on) unless the macro prefills a reply to be sent.
    if MacroAction.Kind.PREFILL_REPLY in kinds:
        effects.append("prefills the reply (you send it)" + (f"; sets {status}" if status else ""))
    else:
        effects.append(f"submits as {status} and moves on" if status else "submits and moves on")
    if MacroAction.Kind.ASK_LINK in kinds:
        effects.append("needs a link")
    if MacroAction.Kind.ANSWER_LINK in kinds:
        effects.append("takes the answer's link as the first reply")
    for action in actions:
        if action.kind == MacroAction.Kind.ADD_TAGS:
            effects.append(f"adds tags {_names(action.value)}")
        elif action.kind == MacroAction.Kind.REMOVE_TAGS:
            effects.append(f"removes tags {_names(action.value)}")
    if MacroAction.Kind.ADD_NOTE in kinds:
        effects.append("adds an internal note")
    if MacroAction.Kind.ASSIGN_TO_ME in kinds:
        effects.append("assigns the ticket to you")
    return effects


def macro_summary(macro: Macro) -> MacroSummary:
    does = macro_effects(macro)
    missing: list[str] = []
    experts: tuple[tuple[int, str], ...] = ()
    for hook in macro_need_hooks:
        need = hook(macro=macro)
        if need is None:
            continue
        if need.does:
            does.insert(1, need.does)  # after what happens next, before tags and notes
        if need.missing:
            missing.append(need.missing)
        experts = experts or need.experts
    return MacroSummary(macro=macro, does=tuple(does), missing=" ".join(missing), experts=experts)


def macro_summaries(macros: list[Macro]) -> list[MacroSummary]:
    return [macro_summary(m) for m in macros]
