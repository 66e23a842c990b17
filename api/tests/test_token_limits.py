"""More tokens do not buy more: DESK_API_RATE is one bucket per user, shared by all their tokens and their
browser session (in Redis, as in production: the test settings' cache), and a user has at most
DESK_API_TOKENS_PER_USER live tokens, counted under a lock so that two requests at once cannot both make
the last one."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create, token_revoke
from mentions.tests.concurrency import at_once
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    secret = token_create(user=user, name="script", scope="read", days=30)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


@override_settings(DESK_API_RATE="4/min")
def test_a_users_tokens_and_browser_share_one_bucket_and_another_user_has_their_own():
    ada, bo = AdvocateFactory(), AdvocateFactory()
    first, second, browser = _client(ada), _client(ada), Client()
    browser.force_login(ada)
    answers = [
        first.get("/api/views/").status_code,
        second.get("/api/views/").status_code,
        browser.get("/api/views/").status_code,
        second.get("/api/views/").status_code,
    ]
    assert answers == [200, 200, 200, 200]
    refused = first.get("/api/views/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "throttled" in refused.json()["detail"]
    assert _client(ada).get("/api/views/").status_code == 429  # a new token starts in the same bucket
    assert _client(bo).get("/api/views/").status_code == 200


@override_settings(DESK_API_TOKENS_PER_USER=3)
def test_a_user_has_at_most_the_cap_of_live_tokens_and_revoked_or_expired_ones_do_not_count():
    ada = AdvocateFactory()
    made = [token_create(user=ada, name=f"t{i}", scope="read", days=30)[0] for i in range(3)]
    with pytest.raises(ValidationError, match="3 tokens that still work"):
        token_create(user=ada, name="one more", scope="read", days=30)
    token_revoke(token=made[0], user=ada)
    ApiToken.objects.filter(pk=made[1].pk).update(expires_at=timezone.now())  # expired just now
    token_create(user=ada, name="again", scope="read", days=30)
    token_create(user=ada, name="and again", scope="read", days=30)
    assert ApiToken.objects.filter(user=ada).count() == 5
    token_create(user=AdvocateFactory(), name="someone else's", scope="read", days=30)


@override_settings(DESK_API_TOKENS_PER_USER=2)
def test_the_tokens_page_says_the_cap_beside_the_form_and_refuses_one_more():
    ada = AdvocateFactory()
    page = Client()
    page.force_login(ada)
    assert "0 of at most 2 tokens still work" in page.get("/tokens/").content.decode()
    for name in ("a", "b"):
        assert page.post("/tokens/", {"name": name, "scope": "read", "days": "30"}).context["made"]
    refused = page.post("/tokens/", {"name": "c", "scope": "read", "days": "30"})
    assert refused.status_code == 200 and refused.context["made"] is None
    assert "revoke one you no longer use" in str(refused.context["form"].non_field_errors())
    assert ApiToken.objects.filter(user=ada).count() == 2


@pytest.mark.django_db(transaction=True)
@override_settings(DESK_API_TOKENS_PER_USER=1)
def test_two_requests_at_once_cannot_both_make_the_last_token():
    """Each thread is its own database connection: without the lock on the user's row both would count
    0 live tokens and both make one."""
    ada = AdvocateFactory()

    def make(i: int) -> str:
        try:
            token_create(user=ada, name=f"race {i}", scope="read", days=1)
        except ValidationError:
            return "refused"
        return "made"

    assert sorted(at_once(4, make)) == ["made", "refused", "refused", "refused"]
    assert ApiToken.objects.filter(user=ada).count() == 1
