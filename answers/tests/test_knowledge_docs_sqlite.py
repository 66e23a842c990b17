"""The docs search on the embedded default (SQLite, no Redis), in a subprocess as tests/test_embedded_default.py
runs it: the LIKE path over the stems, which the PostgreSQL suite (the tsvector path) does not take. The page is
written the way answers.knowledge.docs_index stores one (title, main text, their stems)."""

from __future__ import annotations

import json

from tests.embedded import embedded_env, manage, migrated

SCRIPT = """
import json
from django.db import connection
from answers.knowledge.search import knowledge_search
from answers.knowledge_models import DocPage, KnowledgeSource
from answers.terms import query_terms, text_terms

docs = KnowledgeSource.objects.create(name="Our docs", kind="docs", base_url="https://docs.example.com/sitemap.xml")
def page(url, title, text, gone=False):
    DocPage.objects.create(source=docs, url=url, title=title, text=text, gone=gone,
        title_terms=" ".join(text_terms(title)), terms=" ".join(text_terms(title + "\\n" + text)))
page("https://docs.example.com/caching", "Caching", "Keep dependencies between jobs with the cache keyword.")
page("https://docs.example.com/runners", "Runners", "A runner keeps a local cache of dependencies.")
page("https://docs.example.com/cachet", "Cachet status pages", "Cachet shows whether our services are up.")
page("https://docs.example.com/old", "Old caching", "Cache dependencies the old way.", gone=True)
results = knowledge_search("cache dependencies", query_terms("cache dependencies"))
# The hourly task on SQLite; DESK_DEMO_REPLAY keeps every request on this machine (refused: a recorded error).
from answers.tasks import index_docs
indexed = index_docs.apply().get()
docs.refresh_from_db()
print(json.dumps({"vendor": connection.vendor, "titles": [i.title for i in results.items], "lines": results.lines,
                  "indexed": indexed, "error": docs.last_error}))
"""


def test_docs_search_and_the_index_task_on_sqlite(tmp_path):
    migrated(tmp_path)
    done = manage("shell", "-c", SCRIPT, env=embedded_env(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["vendor"] == "sqlite"
    # "cachet" shares the letters of the stem "cach" but not the stem; the gone page is left out.
    assert out["titles"] == ["Caching", "Runners"]
    assert out["lines"] == []
    assert out["indexed"] == {"Our docs": 0} and out["error"].startswith("The sitemap could not be read")
