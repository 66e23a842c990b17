"""Single sign-on over OpenID Connect against a fake identity provider served in the test (discovery
document, authorisation redirect, token, userinfo and keys endpoints at the HTTP boundary)."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import override_settings

from access.models import SignIn
from mentions.tests.factories import ViewFactory

pytestmark = pytest.mark.django_db

IDP = "https://idp.example.com"
PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "company",
                "name": "Example SSO",
                "client_id": "triage-desk",
                "secret": "client-secret-for-tests",
                "settings": {"server_url": IDP, "scope": ["openid", "profile", "email"]},
            }
        ],
    }
}
SSO = override_settings(
    SOCIALACCOUNT_PROVIDERS=PROVIDERS, DESK_OIDC_ADVOCATE_GROUPS=["community"], DESK_OIDC_MANAGER_GROUPS=["leads"]
)


def _identity_provider(idp: responses.RequestsMock, claims: dict, seen: dict) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "k1", "use": "sig"}
    idp.get(
        f"{IDP}/.well-known/openid-configuration",
        json={
            "issuer": IDP,
            "authorization_endpoint": f"{IDP}/authorize",
            "token_endpoint": f"{IDP}/token",
            "userinfo_endpoint": f"{IDP}/userinfo",
            "jwks_uri": f"{IDP}/jwks",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
        },
    )
    idp.get(f"{IDP}/jwks", json={"keys": [public]})

    def token(request):
        form = parse_qs(request.body)
        seen["token_request"] = form
        now = int(time.time())
        id_token = jwt.encode(
            {"iss": IDP, "aud": "triage-desk", "sub": claims["sub"], "iat": now, "exp": now + 300, **claims},
            key,
            algorithm="RS256",
            headers={"kid": "k1"},
        )
        return 200, {}, json.dumps({"access_token": "at-1", "token_type": "Bearer", "id_token": id_token})

    idp.add_callback(responses.POST, f"{IDP}/token", callback=token, content_type="application/json")
    idp.get(f"{IDP}/userinfo", json=claims)


def _sign_in_through_the_provider(client, claims: dict) -> dict:
    seen: dict = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        _identity_provider(idp, claims, seen)
        assert "Sign in with Example SSO" in client.get("/accounts/login/").content.decode()
        start = client.post("/accounts/oidc/company/login/")
        to_provider = urlsplit(start["Location"])
        assert f"{to_provider.scheme}://{to_provider.netloc}{to_provider.path}" == f"{IDP}/authorize"
        asked = parse_qs(to_provider.query)
        assert asked["client_id"] == ["triage-desk"] and asked["response_type"] == ["code"]
        assert asked["redirect_uri"] == ["http://testserver/accounts/oidc/company/login/callback/"]
        assert asked["code_challenge_method"] == ["S256"]
        # The provider signs the person in and sends the browser back with a code.
        seen["back"] = client.get(
            "/accounts/oidc/company/login/callback/", {"code": "code-1", "state": asked["state"][0]}
        )
    return seen


@SSO
def test_a_first_sign_in_through_the_provider_makes_an_advocate_from_the_groups_claim(client):
    ViewFactory(name="All mentions", slug="all")
    claims = {"sub": "idp-42", "preferred_username": "dana", "email": "dana@example.com", "name": "Dana Scully"}
    seen = _sign_in_through_the_provider(client, claims | {"groups": ["community", "everyone"]})
    assert seen["back"]["Location"] == "/"
    assert seen["token_request"]["code"] == ["code-1"] and "code_verifier" in seen["token_request"]
    dana = get_user_model().objects.get(username="dana")
    assert not dana.has_usable_password()  # signs in through the provider only
    assert list(dana.groups.values_list("name", flat=True)) == ["Advocates"]
    assert client.get("/").status_code == 200
    record = SignIn.objects.get()
    assert (record.user, record.outcome, record.method) == (dana, "succeeded", "identity_provider")


@SSO
def test_without_a_mapped_group_the_new_user_has_no_role_until_an_admin_gives_one(client):
    claims = {"sub": "idp-43", "preferred_username": "eve", "email": "eve@example.com", "groups": "contractors"}
    _sign_in_through_the_provider(client, claims)
    eve = get_user_model().objects.get(username="eve")
    assert not eve.groups.exists()
    assert client.get("/").status_code == 403
    # Signing in again is the same user, not a new one.
    client.logout()
    _sign_in_through_the_provider(client, claims)
    assert get_user_model().objects.filter(email="eve@example.com").count() == 1


def test_without_a_provider_configured_the_sign_in_page_offers_none(client):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/oidc/company/login/").status_code == 404
