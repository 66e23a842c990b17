"""GET /health/: what a load balancer asks of each web process (no sign-in; database and cache reached)."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_a_healthy_desk_answers_200_without_sign_in(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1: no session, no user, no write
        answer = client.get("/health/")
    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in answer["Cache-Control"]


@override_settings(
    # A Redis nobody listens on (port 9 is "discard"; nothing runs there here): the cache is down.
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
)
def test_an_unreachable_cache_is_a_503_naming_it(client):
    answer = client.get("/health/")
    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "cache": "unavailable"}


def test_only_get(client):
    assert client.post("/health/").status_code == 405
