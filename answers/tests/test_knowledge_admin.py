"""Knowledge sources in admin: each kind's settings checked with the error on the field, the token write-only
(encrypted at rest as channel credentials are, never rendered back), and "Index the docs now". The sitemap is
the sitemaps.org protocol's own `urlset` example shape (sitemaps.org/protocol.html)."""

from __future__ import annotations

import pytest
import responses
from django.core.exceptions import ValidationError
from django.urls import reverse

from answers.knowledge_models import DocPage, KnowledgeSource
from answers.tests.knowledge_helpers import source
from channels.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

FORM = {"timeout_seconds": "2", "cache_minutes": "60", "is_active": "on"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "docs", "base_url": "ftp://docs.example.com/sitemap.xml"}, "base_url"),
        ({"kind": "docs", "base_url": ""}, "base_url"),
        ({"kind": "github_issues", "project": "not a repo"}, "project"),
        ({"kind": "gitlab_issues", "project": ""}, "project"),
        ({"kind": "gitlab_issues", "project": "a/b", "base_url": "http://gitlab.example.com"}, "base_url"),
        ({"kind": "discourse", "base_url": "https://forum.example.com/search.json"}, "base_url"),
        ({"kind": "stackoverflow", "tag": ""}, "tag"),
    ],
)
def test_each_kind_is_checked_with_the_error_on_its_field(fields, field):
    with pytest.raises(ValidationError) as refused:
        KnowledgeSource(name="S", **fields).clean()
    assert list(refused.value.message_dict) == [field]


def test_a_gitlab_source_may_take_its_project_from_the_channel():
    channel = ChannelFactory(kind="gitlab", name="GitLab", slug="gitlab", config={"projects": ["gitlab-org/gitlab"]})
    KnowledgeSource(name="S", kind="gitlab_issues", channel=channel).clean()


def test_the_token_is_encrypted_at_rest():
    row = source("github_issues", token="ghp-secret-value")
    assert "ghp-secret-value" not in row.token_encrypted
    assert KnowledgeSource.objects.get(pk=row.pk).token == "ghp-secret-value"


def test_the_budget_defaults_follow_the_platform_and_the_token():
    assert source("github_issues").budget == 300
    assert source("github_issues", name="With token", token="t").budget == 900
    assert source("stackoverflow").budget == 4
    assert source("stackoverflow", name="Keyed", token="k").budget == 100
    assert source("discourse", hourly_budget=7).budget == 7


def test_admin_keeps_the_token_write_only(admin_client):
    add = reverse("admin:answers_knowledgesource_add")
    response = admin_client.post(
        add, {**FORM, "name": "GitHub", "kind": "github_issues", "project": "octo/repo", "new_token": "ghp-typed"}
    )
    assert response.status_code == 302
    row = KnowledgeSource.objects.get(name="GitHub")
    assert row.token == "ghp-typed"
    change = reverse("admin:answers_knowledgesource_change", args=[row.pk])
    page = admin_client.get(change).content.decode()
    assert "ghp-typed" not in page and row.token_encrypted not in page
    # Saved again without typing a token: the stored one stays.
    admin_client.post(change, {**FORM, "name": "GitHub", "kind": "github_issues", "project": "octo/repo"})
    assert KnowledgeSource.objects.get(pk=row.pk).token == "ghp-typed"
    admin_client.post(
        change, {**FORM, "name": "GitHub", "kind": "github_issues", "project": "octo/repo", "clear_token": "on"}
    )
    assert KnowledgeSource.objects.get(pk=row.pk).token_encrypted == ""


def test_admin_shows_the_error_on_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:answers_knowledgesource_add"), {**FORM, "name": "Docs", "kind": "docs", "base_url": "docs"}
    )
    assert response.status_code == 200
    assert "The sitemap&#x27;s address" in response.content.decode()


@responses.activate
def test_index_the_docs_now(admin_client):
    docs = source("docs")
    responses.get(
        "https://docs.example.com/sitemap.xml",
        body='<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://docs.example.com/a</loc>'
        "</url></urlset>",
    )
    responses.get("https://docs.example.com/a", body="<title>A</title><p>Text</p>", content_type="text/html")
    response = admin_client.post(
        reverse("admin:answers_knowledgesource_changelist"),
        {"action": "index_docs_now", "_selected_action": [docs.pk]},
        follow=True,
    )
    assert "1 pages in the sitemap; 1 fetched" in response.content.decode()
    assert DocPage.objects.get().title == "A"
    pages = admin_client.get(reverse("admin:answers_docpage_changelist"))
    assert pages.status_code == 200 and "https://docs.example.com/a" in pages.content.decode()
