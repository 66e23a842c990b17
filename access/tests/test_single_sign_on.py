"""Single sign-on over OpenID Connect against a fake identity provider served in the test (discovery
document, authorisation redirect, token, userinfo and keys endpoints at the HTTP boundary, with
`responses`): the request shapes allauth sends, and what a real provider cannot be made to do (answer
about another subject in userinfo, name another issuer, rotate its keys). The shapes follow OpenID Connect
Core 1.0 and Discovery 1.0; the same flow against a real provider is test_oidc_provider.py."""

import json
import time
import uuid
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import override_settings

from access.models import ProviderRole, SignIn
from mentions.permissions.roles import roles_ensure
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
                "secret": "client-secret-for-the-single-sign-on-tests",
                "settings": {"server_url": IDP, "scope": ["openid", "profile", "email"]},
            }
        ],
    }
}
SSO = override_settings(
    SOCIALACCOUNT_PROVIDERS=PROVIDERS, DESK_OIDC_ADVOCATE_GROUPS=["community"], DESK_OIDC_MANAGER_GROUPS=["leads"]
)


DISCOVERY = {
    "issuer": IDP,
    "authorization_endpoint": f"{IDP}/authorize",
    "token_endpoint": f"{IDP}/token",
    "userinfo_endpoint": f"{IDP}/userinfo",
    "jwks_uri": f"{IDP}/jwks",
    "token_endpoint_auth_methods_supported": ["client_secret_post"],
    "response_types_supported": ["code"],
    "id_token_signing_alg_values_supported": ["RS256"],
}


def _key(kid: str | None = None):
    """A signing key of the provider, under a fresh key id (the JWKS cache is keyed on the address)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = kid or uuid.uuid4().hex
    return key, jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": kid, "use": "sig"}


def _identity_provider(
    idp: responses.RequestsMock, claims: dict, seen: dict, *, key=None, userinfo=None, discovery=None
) -> None:
    key, public = key or _key()
    idp.get(f"{IDP}/.well-known/openid-configuration", json=DISCOVERY | (discovery or {}))
    seen["jwks"] = idp.get(f"{IDP}/jwks", json={"keys": [public]})

    def token(request):
        form = parse_qs(request.body)
        seen["token_request"] = form
        now = int(time.time())
        id_token = jwt.encode(
            {"iss": IDP, "aud": "triage-desk", "iat": now, "exp": now + 300, "nonce": seen["nonce"], **claims},
            key,
            algorithm="RS256",
            headers={"kid": public["kid"]},
        )
        return 200, {}, json.dumps({"access_token": "at-1", "token_type": "Bearer", "id_token": id_token})

    idp.add_callback(responses.POST, f"{IDP}/token", callback=token, content_type="application/json")
    idp.get(f"{IDP}/userinfo", json=claims if userinfo is None else userinfo)


def _sign_in_through_the_provider(client, claims: dict, **provider) -> dict:
    seen: dict = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        _identity_provider(idp, claims, seen, **provider)
        assert "Sign in with Example SSO" in client.get("/accounts/login/").content.decode()
        start = client.post("/accounts/oidc/company/login/")
        to_provider = urlsplit(start["Location"])
        assert f"{to_provider.scheme}://{to_provider.netloc}{to_provider.path}" == f"{IDP}/authorize"
        asked = parse_qs(to_provider.query)
        assert asked["client_id"] == ["triage-desk"] and asked["response_type"] == ["code"]
        assert asked["redirect_uri"] == ["http://testserver/accounts/oidc/company/login/callback/"]
        assert asked["code_challenge_method"] == ["S256"]
        seen["nonce"] = asked["nonce"][0]  # what a provider puts in the ID token
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
    # A role an admin gives by hand is the admin's: the provider's claim, which never gave it, keeps it.
    roles_ensure()
    eve.groups.add(Group.objects.get(name="Advocates"))
    client.logout()
    _sign_in_through_the_provider(client, claims)
    assert list(eve.groups.values_list("name", flat=True)) == ["Advocates"]
    assert not ProviderRole.objects.exists()


def test_without_a_provider_configured_the_sign_in_page_offers_none(client):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/oidc/company/login/").status_code == 404


@SSO
def test_groups_from_userinfo_count_when_it_is_about_the_token_s_subject(client):
    """Keycloak or Okta may release the groups claim in userinfo only: read from the provider over TLS with
    the access token, and about the same subject as the verified ID token."""
    claims = {"sub": "idp-44", "preferred_username": "reyes", "email": "reyes@example.com"}
    _sign_in_through_the_provider(client, claims, userinfo=claims | {"groups": ["leads"]})
    assert list(get_user_model().objects.get(username="reyes").groups.values_list("name", flat=True)) == ["Managers"]


@SSO
def test_the_provider_s_keys_are_cached_and_read_again_when_it_signs_with_a_new_one(client):
    claims = {"sub": "idp-45", "preferred_username": "doggett", "email": "doggett@example.com"}
    key = _key()
    first = _sign_in_through_the_provider(client, claims, key=key)
    client.logout()
    again = _sign_in_through_the_provider(client, claims, key=key)
    assert (first["jwks"].call_count, again["jwks"].call_count) == (1, 0)  # the second from the cache
    client.logout()
    rotated = _sign_in_through_the_provider(client, claims)  # a key id the cache has not seen
    assert rotated["jwks"].call_count == 1 and rotated["back"]["Location"] == "/"
    assert SignIn.objects.filter(outcome="succeeded").count() == 3


@SSO
def test_a_token_signed_with_the_client_secret_is_refused_even_when_the_provider_offers_it(client):
    """HS256 with the client secret is allowed by the specification, but proves nothing about the
    provider's keys: anyone holding the secret (the desk, a leaked .env) could write one."""
    seen: dict = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        _identity_provider(idp, {"sub": "idp-46"}, seen, discovery={"id_token_signing_alg_values_supported": ["HS256"]})
        idp.replace(
            responses.POST,
            f"{IDP}/token",
            body=json.dumps({"access_token": "at", "token_type": "Bearer", "id_token": "to be replaced"}),
        )
        asked = parse_qs(urlsplit(client.post("/accounts/oidc/company/login/")["Location"]).query)
        now = int(time.time())
        forged = jwt.encode(
            {
                "iss": IDP,
                "aud": "triage-desk",
                "sub": "idp-46",
                "iat": now,
                "exp": now + 60,
                "nonce": asked["nonce"][0],
            },
            "client-secret-for-the-single-sign-on-tests",
            algorithm="HS256",
        )
        idp.replace(
            responses.POST, f"{IDP}/token", json={"access_token": "at", "token_type": "Bearer", "id_token": forged}
        )
        back = client.get("/accounts/oidc/company/login/callback/", {"code": "c", "state": asked["state"][0]})
    assert "Third-Party Login Failure" in back.content.decode()
    assert not get_user_model().objects.exists()
    assert SignIn.objects.get().outcome == "rejected"


@pytest.mark.parametrize(
    ("discovery", "production"),
    [
        pytest.param({"issuer": "https://idp.attacker.example"}, False, id="issuer-not-the-configured-address"),
        pytest.param({"token_endpoint": "http://idp.example.com/token"}, True, id="plain-http-endpoint-in-production"),
    ],
)
@SSO
def test_a_discovery_document_the_desk_cannot_trust_stops_the_sign_in_before_the_provider(
    client, discovery, production
):
    with override_settings(PRODUCTION=production), responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        _identity_provider(idp, {"sub": "idp-47"}, {}, discovery=discovery)
        start = client.post("/accounts/oidc/company/login/")
    assert start.status_code == 401 and "Third-Party Login Failure" in start.content.decode()
    assert SignIn.objects.get().outcome == "rejected"


@SSO
def test_a_sign_in_link_cannot_choose_the_nonce_or_where_the_provider_answers(client):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        _identity_provider(idp, {"sub": "idp-48"}, {})
        start = client.post(
            "/accounts/oidc/company/login/?auth_params="
            + quote("nonce=chosen&redirect_uri=https://attacker.example/&login_hint=dana")
        )
    asked = parse_qs(urlsplit(start["Location"]).query)
    assert asked["nonce"] != ["chosen"] and len(asked["nonce"][0]) >= 32
    assert asked["redirect_uri"] == ["http://testserver/accounts/oidc/company/login/callback/"]
    assert asked["login_hint"] == ["dana"]
