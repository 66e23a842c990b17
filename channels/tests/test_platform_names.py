"""A platform's kind is known in one place: its package under channels/adapters/ and its declaration there
(channels.adapters.platform). Everywhere else the desk asks the registry what the platform declares (how a reply
is addressed, who sends it, whether its posts carry titles, what people call it) and never compares a kind.

The walk reads every module outside channels/adapters/ that is not a test or a migration (its syntax tree, not its
text: docstrings and comments may name platforms) and fails on a string equal to a registered kind, naming file
and line (the model's choices are the registry's, `registry.kind_choices`: no module lists kinds). The allowlist
below is for what is data, not behaviour (the demo's and the benchmarks' made-up channels, an evaluation set's
platforms) or a word that only looks like a kind (a user's `email` column); each entry says why, and a test
fails on an entry that no longer matches anything."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from channels.adapters.registry import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
KINDS = frozenset(PLATFORMS)
SKIPPED_DIRS = {"tests", "migrations", "node_modules", "staticfiles", "var", "test-artifacts", "__pycache__"}
ADAPTERS = "channels/adapters/"
ANY = "*"  # an entry for every kind the file names

_DEMO = "demo data: the made-up channels, posts and people of the demo desk, each of a given kind"
_BENCH = "a benchmark's data: the channels (of given kinds) and the words it measures with"
_EVALUATION = "an evaluation loader: the platforms a labelled set's mentions come from, as the set writes them"
# (path, the kind's string, or ANY) -> why it is not a platform's behaviour.
ALLOWED: dict[tuple[str, str], str] = {
    **{
        (f"channels/demo/threads/{name}.py", ANY): _DEMO
        for name in ("chat", "community", "forums", "open_social", "social", "trackers")
    },
    ("intake/management/commands/seed_demo.py", ANY): _DEMO,
    # The month before the demo's week: which platforms its made-up posts are on, and how each writes a handle.
    ("channels/demo/month.py", ANY): _DEMO,
    # The demo's Discord server is GitLab Runner's community: its month's topics, and the channel given that product.
    ("channels/demo/month_texts.py", "discord"): _DEMO,
    ("intake/management/commands/_demo_products.py", "discord"): _DEMO,
    # The demo's first product's slug, "gitlab", is GitLab's name, which is also a platform's kind.
    ("intake/management/commands/_demo_products.py", "gitlab"): _DEMO,
    ("answers/management/commands/seed_demo_answers.py", ANY): _DEMO,
    ("experts/management/commands/seed_demo_experts.py", ANY): _DEMO,
    ("notifications/management/commands/seed_demo_engagement.py", ANY): _DEMO,
    ("people/management/commands/seed_demo_people.py", ANY): _DEMO,
    ("stories/management/commands/seed_demo_stories.py", ANY): _DEMO,
    ("answers/evaluation.py", ANY): _EVALUATION + ", and a channel config of each to store them on",
    ("mentions/judgement/evaluation.py", "webhook"): _EVALUATION + " (one without a platform is stored as pushed)",
    ("mentions/judgement/evaluation.py", "stackexchange"): _EVALUATION
    + " (the sets say stackoverflow, a Stack Exchange site: stored as the stackexchange kind)",
    (
        "stories/detection/evaluation.py",
        "gitlab",
    ): "the product the evaluation sets are about (GitLab), renamed in the rules",
    ("answers/knowledge_models.py", "discourse"): "KnowledgeSource.Kind's choice (our forum searched for answers, "
    "a knowledge source, not a channel): frozen in answers' migrations",
    ("answers/knowledge_models.py", "gitlab"): "the channel a GitLab issues knowledge source searches through "
    "(limit_choices_to): part of the field, frozen in answers' migrations",
    ("answers/knowledge/budget.py", "discourse"): "a knowledge source's kind (KnowledgeSource.Kind.DISCOURSE, which "
    "this module cannot import: the model imports it), not a channel's",
    ("mentions/ticket_page/history.py", "slack"): "a note's `via` (\"slack\": written through the desk's Slack app, "
    "experts.slack_outreach), stored in the events' data: not the Slack channel kind",
    ("experts/slack_outreach.py", "slack"): "a note's `via` (\"slack\"), stored in the events' data: where the "
    "expert answered, not the Slack channel kind",
    (
        "stories/releases/models.py",
        "slack",
    ): "a release plan's `via` (\"slack\": a message in the source's Slack channel "
    "named the post, through the desk's Slack app), not a channel kind",
    ("metrics/reports.py", "slack"): "a report's deliveries by medium (Slack and e-mail), not channel kinds",
    ("metrics/reports.py", "email"): "the users' `email` column, and a report's e-mail deliveries",
    ("api/webhook_alerts.py", "email"): "the users' `email` column, where the managers' addresses are read",
    ("advocacy/settings/auth.py", "email"): "OpenID Connect's `email` scope, which single sign-on asks for",
    # The importer reads another helpdesk's users and requesters by their e-mail address (imports/, bench's export).
    **{
        (path, "email"): "an imported user's or requester's `email` field, not the e-mail channel kind"
        for path in (
            "imports/admin.py",
            "imports/documented.py",
            "imports/documented_csv.py",
            "imports/forms.py",
            "imports/people_write.py",
            "imports/zendesk.py",
            "imports/management/commands/import_zendesk.py",
            "bench/import_zendesk.py",
        )
    },
    ("bench/import_zendesk.py", "webhook"): "a word of the made-up tickets' subjects in the 100k export, not a kind",
    ("advocacy/urls.py", "webhook"): "the inbound webhook's URL name (reverse('webhook')), not a channel kind",
    # stories reads two RSS/Atom feeds of its own (a status page's, the blog's release posts), named "feed" since
    # before the feeds channel kind: its fields, choices and options, not the channel kind.
    **{
        (f"stories/{name}.py", "feed"): "a status page's or the blog's feed (stories' own reading), not a channel kind"
        for name in ("admin", "models", "incidents/parse", "management/commands/release_rehearse", "releases/models")
    },
    **{
        (f"bench/{name}.py", ANY): _BENCH
        for name in (
            "_ingest_dataset",
            "_pages_entries",
            "_pages_load",
            "_pages_vocabulary",
            "claim_latency",
            "feed_hostile",
            "freshness",
            "import_hostile",
            "ingest_throughput",
            "judgement",
            "judging_backlog",
            "judgement_learning_import",
            "kpi_page",
            "search",
            "stories_history",
        )
    },
}


def _modules() -> list[Path]:
    """Every module outside channels/adapters/ that is not a test or a migration."""
    found = []
    for top, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(top) / name
            relative = path.relative_to(ROOT).as_posix()
            test = name.startswith("test_") or name == "conftest.py"
            if name.endswith(".py") and not test and not relative.startswith(ADAPTERS):
                found.append(path)
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the module's, classes' and functions' docstrings: prose, which may name a platform."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def names_of_kinds(path: Path) -> list[tuple[int, str]]:
    """(line, kind) for each string equal to a kind in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in KINDS and id(node) not in docs:
            found.append((node.lineno, str(node.value)))
    return sorted(found)


def _allowed(relative: str, kind: str) -> bool:
    return (relative, ANY) in ALLOWED or (relative, kind) in ALLOWED


def test_no_platform_is_named_outside_its_package():
    named = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {what}"
        for path in _modules()
        for line, what in names_of_kinds(path)
        if not _allowed(path.relative_to(ROOT).as_posix(), what)
    ]

    assert not named, (
        "A platform's kind named outside channels/adapters/: ask its declaration instead "
        "(channels.adapters.registry.platform_of(kind), docs/platforms/README.md, 'What the desk asks a "
        "platform'):\n" + "\n".join(named)
    )


@pytest.mark.parametrize(("path", "value"), sorted(ALLOWED))
def test_each_allowed_entry_still_names_a_kind(path, value):
    module = ROOT / path

    assert module.is_file(), f"{path} is gone: remove its entry"
    named = {kind for _, kind in names_of_kinds(module)}
    assert named if value == ANY else value in named, f"{path} no longer names {value}: remove its entry"


def test_each_allowed_entry_says_why():
    unexplained = [entry for entry, reason in ALLOWED.items() if len(reason.split()) < 5]

    assert not unexplained, f"say why each is data, not behaviour: {unexplained}"


def test_the_walk_sees_what_it_must_refuse(tmp_path):
    module = tmp_path / "branching.py"
    module.write_text(
        '"""Replies to "email" tickets."""\n'
        'def plan(channel):\n    """On "twitter" too."""\n'
        '    if channel.kind == "email":\n        return 1\n'
        '    return channel.kind in {"twitter", "x"}\n'
    )

    assert names_of_kinds(module) == [(4, "email"), (6, "twitter")]
