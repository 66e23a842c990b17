"""One door for ticket writes (docs/architecture.md, "Writing to a ticket"): a ticket's reply draft and status
change only through mentions' services, which lock the ticket's row and refuse a write made against a version of
the ticket that is no longer current (the version the advocate saw, `seen_version`). The ingest pipeline
(`intake/pipeline/`) is one exception: it writes many tickets set-based, in its own transaction, by design; the
importer's page writer (`imports/tickets_write.py`) is the other, for the same reason: a ticket the old tool changed
since the last import is rewritten to its state there, a page of them in one transaction (its change stamp moves,
so an advocate's write against the version seen before is refused as for any other change).
And an internal note is made by one function, `mentions.services.notes.note_add`.

Read from the source (Python's own parser), like the other architecture tests: every tracked module outside
tests, migrations and benchmarks is parsed, and each way of writing a field is looked for: an attribute assigned
(`ticket.status = ...`, `setattr`), a queryset's `update(status=...)`, `bulk_update(..., ["status"])`,
`save(update_fields=["status"])`, and SQL that updates the tickets' table. `status` is a common field name
(outreaches, story replies and Slack events have one too), so it counts only on what is a ticket: `Ticket`'s
manager and querysets, an object named `ticket` or annotated `Ticket`, a row's `.ticket`, and names bound to any
of these. `reply_draft` is the ticket's alone and counts wherever it is written. Creating a ticket is not a write
here: nobody has seen a version of a ticket that does not exist yet; nor are the demo's seeders, which write a
made-up past on the tickets they make.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {"reply_draft", "status"}
ALWAYS_TICKETS = {"reply_draft"}  # no other model has the field
# mentions owns tickets; the ingest and the importer write pages of tickets set-based by design.
WRITERS = ("mentions/", "intake/pipeline/", "imports/tickets_write.py")
NOTE_MAKER = "mentions/services/notes.py"
# The demo's seeders write a made-up past on the tickets they have just made (solved three days ago, events
# dated then): nobody has those tickets open, and a service would date every change now.
DEMO_SEEDERS = re.compile(r"/management/commands/(seed_demo\w*|_demo_\w+)\.py$")
SQL_UPDATE = re.compile(
    r"\bUPDATE\s+\"?mentions_ticket\"?\s+(?:AS\s+\w+\s+)?SET\b[^;]*\b(reply_draft|status)\b", re.I | re.S
)


def _modules() -> list[str]:
    git = shutil.which("git")
    assert git, "git lists the tracked modules"
    tracked = subprocess.run([git, "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [
        path
        for path in tracked.stdout.split()
        if "/tests/" not in path
        and "/migrations/" not in path
        and not path.startswith(("tests/", "bench/"))
        and path != "conftest.py"
    ]


def _root(node: ast.AST) -> ast.AST:
    """The start of a chain of calls and attributes: `Ticket` in `Ticket.objects.filter(...).update`."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        else:
            return node


def _annotated_ticket(annotation: ast.AST | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation)
    return bool(re.search(r"\bTicket\b", text))


class _Writes(ast.NodeVisitor):
    """The direct writes of reply_draft/status on tickets in one module: [(line, what)]."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.notes: list[int] = []
        self._tickets: list[set[str]] = [set()]

    # --- what is a ticket ---------------------------------------------------------------------------------
    def _is_ticket(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute) and node.attr in ("ticket", "tickets"):
            return True
        root = _root(node)
        if isinstance(root, ast.Name):
            return root.id == "Ticket" or root.id == "ticket" or any(root.id in names for names in self._tickets)
        return False

    def _bind(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name) and value is not None and self._is_ticket(value):
            self._tickets[-1].add(target.id)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        self._tickets.append({a.arg for a in every if _annotated_ticket(a.annotation)})
        self.generic_visit(node)
        self._tickets.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_For(self, node: ast.For) -> None:
        self._bind(node.target, node.iter)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr)
        self.generic_visit(node)

    # --- writes ---------------------------------------------------------------------------------------------
    def _attribute_written(self, target: ast.AST, line: int) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._attribute_written(element, line)
        elif (
            isinstance(target, ast.Attribute)
            and target.attr in FIELDS
            and (target.attr in ALWAYS_TICKETS or self._is_ticket(target.value))
        ):
            self.found.append((line, f"{ast.unparse(target)} = ..."))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._attribute_written(target, node.lineno)
            self._bind(target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._attribute_written(node.target, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._attribute_written(node.target, node.lineno)
        if _annotated_ticket(node.annotation) and isinstance(node.target, ast.Name):
            self._tickets[-1].add(node.target.id)
        self._bind(node.target, node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if (
                isinstance(name, ast.Constant)
                and name.value in FIELDS
                and (name.value in ALWAYS_TICKETS or self._is_ticket(node.args[0]))
            ):
                self.found.append((node.lineno, f"setattr(..., {name.value!r})"))
        if isinstance(func, ast.Attribute):
            self._method_write(node, func)
            self._note_made(node, func)
        self.generic_visit(node)

    def _method_write(self, node: ast.Call, func: ast.Attribute) -> None:
        on_ticket = self._is_ticket(func.value)
        if func.attr == "update":
            for keyword in node.keywords:
                if keyword.arg in FIELDS and (keyword.arg in ALWAYS_TICKETS or on_ticket):
                    self.found.append((node.lineno, f".update({keyword.arg}=...)"))
        elif func.attr in ("bulk_update", "save"):
            lists = [k.value for k in node.keywords if k.arg in ("fields", "update_fields")]
            if func.attr == "bulk_update" and len(node.args) >= 2:
                lists.append(node.args[1])
            for listed in lists:
                names = {e.value for e in getattr(listed, "elts", []) if isinstance(e, ast.Constant)} & FIELDS
                for field in sorted(str(name) for name in names):
                    if field in ALWAYS_TICKETS or on_ticket:
                        self.found.append((node.lineno, f".{func.attr}(... {field!r} ...)"))

    def _note_made(self, node: ast.Call, func: ast.Attribute) -> None:
        root = _root(func)
        if func.attr not in ("create", "bulk_create", "get_or_create") or not isinstance(root, ast.Name):
            return
        if root.id != "Message":
            return
        for keyword in node.keywords:
            if keyword.arg == "kind" and ast.unparse(keyword.value) in ("Message.Kind.NOTE", "'note'"):
                self.notes.append(node.lineno)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and SQL_UPDATE.search(node.value):
            self.found.append((node.lineno, "SQL UPDATE of mentions_ticket"))


def writes_in(source: str) -> list[tuple[int, str]]:
    visitor = _Writes()
    visitor.visit(ast.parse(source))
    return visitor.found


def notes_made_in(source: str) -> list[int]:
    visitor = _Writes()
    visitor.visit(ast.parse(source))
    return visitor.notes


def test_only_mentions_and_the_ingest_write_a_tickets_draft_or_status():
    modules = _modules()
    assert len(modules) > 100 and "answers/views.py" in modules and "experts/loop.py" in modules
    direct = [
        f"{path}:{line}: {what}"
        for path in modules
        if not path.startswith(WRITERS) and not DEMO_SEEDERS.search(path)
        for line, what in writes_in((ROOT / path).read_text())
    ]
    assert direct == [], "write through mentions' services (mentions.services.drafts, ticket_change_status):\n" + (
        "\n".join(direct)
    )


def test_internal_notes_are_made_in_one_place():
    made = [
        f"{path}:{line}"
        for path in _modules()
        if path != NOTE_MAKER and not path.startswith("intake/pipeline/")
        for line in notes_made_in((ROOT / path).read_text())
    ]
    assert made == [], "make notes with mentions.services.notes.note_add:\n" + "\n".join(made)
    assert notes_made_in((ROOT / NOTE_MAKER).read_text()), "the one place that makes notes makes them"


def test_the_reader_finds_each_way_of_writing_and_leaves_other_models_alone():
    caught = """
from mentions.models import Ticket
def a(ticket):
    ticket.status = "solved"
def b(pk):
    Ticket.objects.filter(pk=pk).update(status="solved", updated_at=None)
def c(pk, text):
    locked = Ticket.objects.select_for_update().get(pk=pk)
    locked.reply_draft = text
    locked.save(update_fields=["reply_draft", "updated_at"])
def d(row):
    row.ticket.status = "open"
def e(t: Ticket):
    t.status, t.solved_at = "solved", None
def f(ids):
    for t in Ticket.objects.filter(pk__in=ids):
        setattr(t, "status", "open")
    Ticket.objects.bulk_update([], ["status"])
def g(cursor):
    cursor.execute('UPDATE mentions_ticket SET status = %s WHERE id = %s', ["open", 1])
def h(anything, text):
    anything.filter(pk=1).update(reply_draft=text)
"""
    assert [line for line, _ in writes_in(caught)] == [4, 6, 9, 10, 12, 14, 17, 18, 20, 22]
    left_alone = """
def a(outreach, row, locked_story):
    outreach.status = "answered"
    row.status = "queued"
    row.save(update_fields=["status", "updated_at"])
    Outreach.objects.filter(pk=1).update(status="answered")
    StoryReply.objects.filter(pk=1).update(status="sent")
    Ticket.objects.create(status="solved")
    ticket_change_status(ticket=row.ticket, user=None, status="solved")
"""
    assert writes_in(left_alone) == []
    assert notes_made_in("Message.objects.create(ticket=t, kind=Message.Kind.NOTE, body='x')\n") == [1]
    assert notes_made_in("Message.objects.create(ticket=t, kind=Message.Kind.INBOUND, body='x')\n") == []
