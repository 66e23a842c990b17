"""Shared by the knowledge tests: the recorded or documented bodies (fixtures/SOURCES.md says where each came
from) and a source row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from answers.knowledge_models import KnowledgeSource

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def source(kind: str, **fields: Any) -> KnowledgeSource:
    defaults: dict[str, Any] = {
        "gitlab_issues": {"name": "GitLab issues", "project": "my-group/my-project"},
        "github_issues": {"name": "GitHub issues", "project": "batterseapower/pinyin-toolkit"},
        "discourse": {"name": "Discourse forum", "base_url": "https://forum.example.com"},
        "stackoverflow": {"name": "Stack Overflow", "tag": "javascript"},
        "docs": {"name": "Our docs", "base_url": "https://docs.example.com/sitemap.xml"},
    }[kind]
    token = fields.pop("token", "")
    row = KnowledgeSource(kind=kind, **{**defaults, **fields})
    if token:
        row.token = token
    row.save()
    return row
