from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experts.models import Outreach, ProductArea
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory, OutreachFactory, seed_areas
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _areas(db):
    seed_areas()


URL = "/experts/"
XSS = "<script>alert('x')</script>"


def row(html: str, expert) -> str:
    start = html.index(f'data-testid="expert-{expert.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_url_is_named():
    assert reverse("experts:directory") == URL


def test_anonymous_users_go_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_users_without_a_role_are_refused(client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_experts_are_grouped_by_area(advocate_client):
    verify, create = ProductArea.objects.get(name="Verify"), ProductArea.objects.get(name="Create")
    vera = ExpertFactory(name="Vera Runner", slack_handle="@vera", areas=[verify], topics=["gitlab-ci", "caching"])
    ExpertIdentityFactory(expert=vera, kind="twitter", handle="vera_ci")
    ExpertFactory(name="Cory Both", areas=[verify, create])
    ExpertFactory(name="Tess Nowhere")
    ExpertFactory(name="Ada Retired", areas=[verify], active=False)
    html = advocate_client.get(URL).content.decode()

    def section(name: str) -> str:
        start = html.index(f'<h2 data-testid="area">{name}')
        end = html.find('<h2 data-testid="area">', start + 1)
        return html[start : end if end != -1 else len(html)]

    assert "#s_verify" in section("Verify")
    assert "Vera Runner" in section("Verify") and "Cory Both" in section("Verify")
    assert "Cory Both" in section("Create") and "Vera Runner" not in section("Create")
    assert "Tess Nowhere" in section("Other")
    assert "Ada Retired" not in html
    assert "Nobody yet." in section("Plan")
    for text in ["@vera", "gitlab-ci", "caching", "twitter: vera_ci"]:
        assert text in row(html, vera)


def test_search(advocate_client):
    ExpertFactory(name="Vera Runner", topics=["caching"], areas=[ProductArea.objects.get(name="Verify")])
    ExpertFactory(name="Cory Diff")
    html = advocate_client.get(URL, {"q": "cach"}).content.decode()
    assert "Vera Runner" in html and "Cory Diff" not in html
    assert '<h2 data-testid="area">Plan' not in html  # only areas with matches


@pytest.mark.parametrize("query", ["?q=%00", "?q=cach%00", "?q=%00%00%00", "?q=%ED%A0%80", "?q=" + "x" * 5000])
def test_experts_search_with_nul_or_junk_is_200_not_500(advocate_client, query):
    ExpertFactory(name="Vera Runner", topics=["caching"], areas=[ProductArea.objects.get(name="Verify")])
    response = advocate_client.get(URL + query)
    assert response.status_code == 200
    if query == "?q=cach%00":  # the NUL is stripped and the rest searched
        assert "Vera Runner" in response.content.decode()


def test_figures_cover_the_last_90_days(advocate_client):
    now = timezone.now()
    vera = ExpertFactory(name="Vera Runner")
    for hours, minutes in [(1, 0), (3, 20), (9, 0)]:
        seconds = hours * 3600 + minutes * 60
        OutreachFactory(
            expert=vera,
            status=Outreach.Status.ANSWERED,
            sent_at=now - timedelta(days=10),
            answered_at=now - timedelta(days=10) + timedelta(seconds=seconds),
            answer_seconds=seconds,
        )
    OutreachFactory(expert=vera, sent_at=now - timedelta(days=2))  # still waiting
    OutreachFactory(expert=vera, status=Outreach.Status.ANSWERED, sent_at=now - timedelta(days=91), answer_seconds=1)
    idle = ExpertFactory(name="Idle")
    html = advocate_client.get(URL).content.decode()
    vera_row = row(html, vera)
    assert '<td data-testid="asked">4</td>' in vera_row
    assert '<td data-testid="answered">3</td>' in vera_row
    assert '<td data-testid="median">3 h 20 min</td>' in vera_row
    idle_row = row(html, idle)
    assert '<td data-testid="asked">0</td>' in idle_row
    assert '<td data-testid="median">—</td>' in idle_row


def _count_queries(client) -> int:
    client.get(URL)  # the session's first request reads the user row into this process's memory (user_cache)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_experts(advocate_client):
    verify, plan = ProductArea.objects.get(name="Verify"), ProductArea.objects.get(name="Plan")
    ExpertFactory(areas=[verify])
    few = _count_queries(advocate_client)
    for _ in range(20):
        expert = ExpertFactory(areas=[verify, plan], topics=["runner"])
        ExpertIdentityFactory(expert=expert)
        OutreachFactory(expert=expert, sent_at=timezone.now() - timedelta(days=1))
    ExpertFactory.create_batch(5)  # under "Other"
    assert _count_queries(advocate_client) == few


def test_user_content_is_escaped(advocate_client):
    expert = ExpertFactory(name=XSS, slack_handle=XSS, topics=[XSS])
    ExpertIdentityFactory(expert=expert, kind="twitter", handle=XSS)
    ProductArea.objects.create(name=f"Area {XSS}", slack_channel=XSS)
    html = advocate_client.get(URL).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
