"""How precise the desk's judgement is on this desk's own labelled tickets (issue 56), and the gate it sets on the
rules that wait for a judgement and solve tickets (mentions.services.judgement_rules, docs/rules.md).

The measured precision of a judgement J: of the newest labelled tickets (mentions.judgement.labels.desk_labels:
corrected by an advocate, answered, or solved without a reply) that the desk had judged J, the share whose label
is J. What the desk had judged: for a corrected ticket, the first correction's "from" (the column holds the
advocate's word by then); for the others the column, when the desk judged it (`judged_by="desk"`). A ticket nobody
but an advocate judged is not the desk's and is left out.

A rule with a condition on the judgement that solves (closes without reply, or runs a macro that sets "solved")
solves a ticket judged J only when J's measured precision is at least PRECISION_MIN on at least LABELLED_MIN
labelled tickets; its other actions (tags, priority, a note, a suggested reply) apply either way. Three queries,
kept for TTL_SECONDS (advocacy.versioned, per process and in the shared cache): the rule run and admin read it
often, and a few minutes late is soon enough for a figure that moves with each day's labels."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from advocacy import embeddings
from advocacy.versioned import versioned
from mentions.judgement.labels import desk_labels
from mentions.models import JudgedBy, Judgement, MacroAction, Ticket, TicketEvent

PRECISION_MIN = 0.95
LABELLED_MIN = 30
LABELS_READ = 1000  # the newest labelled tickets measured: how the desk judges lately, not years ago
TTL_SECONDS = 300
VERSION_KEY = "judgement-precision"


@dataclass(frozen=True)
class Precision:
    """One judgement's measured precision: `count` labelled tickets the desk had judged it, `right` of them so
    labelled."""

    judgement: str
    count: int = 0
    right: int = 0

    @property
    def precision(self) -> float | None:
        return round(self.right / self.count, 3) if self.count else None

    @property
    def allows_solving(self) -> bool:
        return self.count >= LABELLED_MIN and self.right >= PRECISION_MIN * self.count

    def said(self) -> str:
        """ "Solves only when the desk's noise precision ≥ 0.95 on 30+ labelled tickets: now 0.91 on 57: not
        solving" (admin, beside the rule)."""
        label = Judgement(self.judgement).label.lower() if self.judgement in Judgement.values else self.judgement
        rule = (
            f"Solves only when the desk's {label} precision ≥ {PRECISION_MIN:.2f} on {LABELLED_MIN}+ labelled tickets"
        )
        now = f"now {self.precision:.2f} on {self.count}" if self.precision is not None else "none labelled yet"
        return f"{rule}: {now}: {'solving' if self.allows_solving else 'not solving'}"

    def held(self) -> str:
        """Why a rule did not solve, for the ticket's history."""
        label = Judgement(self.judgement).label.lower() if self.judgement in Judgement.values else self.judgement
        now = f"{self.precision:.2f} on {self.count}" if self.precision is not None else "not measured on any"
        return (
            f"not solved: the desk's {label} precision is {now} labelled tickets "
            f"({PRECISION_MIN:.2f} on {LABELLED_MIN}+ needed)"
        )


def _desk_said(corrected: list[int], others: list[int]) -> dict[int, str]:
    """What the desk had judged each labelled ticket (left out: those it never judged)."""
    said = dict(
        Ticket.objects.filter(pk__in=others, judged_by=JudgedBy.DESK)
        .exclude(judgement="")
        .values_list("pk", "judgement")
    )
    if corrected:
        events = TicketEvent.objects.filter(ticket_id__in=corrected, kind=TicketEvent.Kind.JUDGEMENT).order_by("pk")
        for ticket_id, data in events.values_list("ticket_id", "data"):
            if ticket_id not in said and isinstance(data, dict):
                said[ticket_id] = str(data.get("from") or "")  # the first correction's: the desk's word
    return {pk: judgement for pk, judgement in said.items() if judgement in Judgement.values}


def precision_measure() -> dict[str, Precision]:
    """Each judgement's measured precision now, from the database (three queries)."""
    labels = desk_labels(limit=LABELS_READ, embedding_model=embeddings.model_name())
    said = _desk_said(
        [label.ticket_id for label in labels if label.how == "corrected"],
        [label.ticket_id for label in labels if label.how != "corrected"],
    )
    count: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for label in labels:
        if (desk := said.get(label.ticket_id)) is not None:
            count[desk] += 1
            right[desk] += label.judgement == desk
    return {j: Precision(j, count[j], right[j]) for j in Judgement.values}


def precision_measured() -> dict[str, Precision]:
    """precision_measure(), as measured at most TTL_SECONDS ago. Read-only: shared by every caller."""
    # The time slot in the name: a process's own copy (kept per version, advocacy.versioned) ages out with it.
    slot = int(time.time() // TTL_SECONDS)
    return versioned(VERSION_KEY, f"measured:{slot}", precision_measure, ttl=TTL_SECONDS)


def solving_statuses(macro_actions: Any) -> bool:
    """Whether (MacroAction kind, value) pairs set the status to solved."""
    return any(kind == MacroAction.Kind.SET_STATUS and value == Ticket.Status.SOLVED for kind, value in macro_actions)


def rule_gated(*, judgements: Any, close: bool, macro_actions: Any) -> list[str]:
    """The judgements whose precision gates a rule: those of its judgement condition, when it solves (closes
    without reply, or its macro sets "solved"); [] for any other rule."""
    if not judgements or not (close or solving_statuses(macro_actions)):
        return []
    return [j for j in Judgement.values if j in judgements]
