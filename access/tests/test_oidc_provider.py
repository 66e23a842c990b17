"""Single sign-on end to end against a real OpenID Connect provider: panva's oidc-provider (npm, pinned in
oidc_provider/package-lock.json; `make test` installs it) run by node on a free port (oidc_provider/
server.mjs). The desk runs in pytest-django's live server; a `requests` session plays the browser, so
allauth's real views talk to the real provider: discovery, authorisation with PKCE and nonce, the token
endpoint, userinfo and the published keys.

Bad tokens come from the same provider: server.mjs alters the ID token of its next token answer at the
HTTP boundary (/test/tamper), either breaking the signature (payload edited, another key, "alg": "none")
or signing bad claims with its own key (wrong issuer, audience, nonce, subject; expired). The desk must
refuse each one and sign no one in.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from access.models import ProviderRole, SignIn
from mentions.permissions.roles import roles_ensure
from mentions.tests.factories import ViewFactory

pytestmark = pytest.mark.django_db(transaction=True)

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "triage-desk", "client-secret-for-tests"
CALLBACK = "/accounts/oidc/company/login/callback/"
REFUSED_PAGE = "Third-Party Login Failure"  # allauth's sign-in error page


class OidcProvider:
    """The running provider: its issuer, its directory of accounts, and the next token answer's fate."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def account_set(self, account_id: str, **claims) -> None:
        requests.put(f"{self.issuer}/test/accounts/{account_id}", json=claims, timeout=5).raise_for_status()

    def next_id_token_tamper(self, mode: str, **claims) -> None:
        requests.put(f"{self.issuer}/test/tamper", json={"mode": mode, "claims": claims}, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"node and the provider's npm packages are needed: run `make oidc-provider` ({PROVIDER_DIR})")
    env = os.environ | {
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}{CALLBACK}",
    }
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [node, "server.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert process.stdout is not None  # stdout=PIPE
        try:
            ready, _, _ = select.select([process.stdout], [], [], 30)
            line = process.stdout.readline() if ready else ""
            if not line:
                errors.seek(0)
                pytest.fail(f"the OpenID provider did not start: {errors.read()[-2000:]}")
            yield OidcProvider(json.loads(line)["issuer"])
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def desk(live_server, oidc_provider):
    """The desk configured for the provider, with its role groups and the queue's view."""
    roles_ensure()
    ViewFactory(name="All mentions", slug="all")
    providers = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "company",
                    "name": "Example SSO",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": oidc_provider.issuer, "scope": ["openid", "profile", "email", "groups"]},
                }
            ],
        }
    }
    with override_settings(
        SOCIALACCOUNT_PROVIDERS=providers,
        DESK_OIDC_ADVOCATE_GROUPS=["community"],
        DESK_OIDC_MANAGER_GROUPS=["leads"],
    ):
        yield live_server.url


class Browser:
    def __init__(self, desk_url: str) -> None:
        self.desk = desk_url
        self.http = requests.Session()

    def sign_in(self, account_id: str) -> requests.Response:
        """The sign-in page's "Sign in with Example SSO" button, then wherever the redirects lead: the
        provider signs the account in (login_hint) and sends the browser back to the desk."""
        page = self.http.get(f"{self.desk}/accounts/login/", timeout=10)
        assert "Sign in with Example SSO" in page.text
        return self.http.post(
            f"{self.desk}/accounts/oidc/company/login/?auth_params={quote(f'login_hint={account_id}')}",
            data={"csrfmiddlewaretoken": self.http.cookies["csrftoken"]},
            timeout=30,
        )

    def queue(self) -> requests.Response:
        return self.http.get(f"{self.desk}/", timeout=10)

    @property
    def session_key(self) -> str:
        return self.http.cookies.get("sessionid") or ""


def _roles(username: str) -> list[str]:
    return sorted(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


def _signed_in(browser: Browser) -> bool:
    answer = browser.queue()
    return answer.url == f"{browser.desk}/" and answer.status_code in (200, 403)


def test_a_sign_in_through_the_provider_gives_the_roles_of_its_groups_claim(desk, oidc_provider):
    oidc_provider.account_set(
        "mulder", preferred_username="mulder", email="mulder@example.com", groups=["leads", "community", "x-files"]
    )
    oidc_provider.account_set("byers", preferred_username="byers", email="byers@example.com", groups=["gunmen"])
    mulder, byers = Browser(desk), Browser(desk)

    back = mulder.sign_in("mulder")
    assert back.url == f"{desk}/" and back.status_code == 200  # the queue
    assert [r.url.split("?")[0] for r in back.history if CALLBACK in r.url] == [f"{desk}{CALLBACK}"]
    assert _roles("mulder") == ["Advocates", "Managers"]
    assert set(ProviderRole.objects.values_list("group__name", flat=True)) == {"Advocates", "Managers"}
    assert not get_user_model().objects.get(username="mulder").has_usable_password()
    history = LogEntry.objects.get(object_id=str(get_user_model().objects.get(username="mulder").pk))
    assert history.change_message == "Signed in through the identity provider: added to Advocates, Managers."

    # A group the desk does not map gives no role: signed in, and turned away by the queue.
    assert byers.sign_in("byers").status_code == 403
    assert _roles("byers") == []
    assert list(SignIn.objects.order_by("at").values_list("username", "outcome", "method")) == [
        ("mulder", "succeeded", "identity_provider"),
        ("byers", "succeeded", "identity_provider"),
    ]


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param("payload", id="payload-edited-signature-kept"),
        pytest.param("other-key", id="signed-by-another-key-under-the-providers-key-id"),
        pytest.param("none", id="unsigned-alg-none"),
    ],
)
def test_a_token_whose_signature_does_not_hold_signs_no_one_in(desk, oidc_provider, mode):
    """The attack of the issue: the groups claim rewritten to the managers' group. Before, a token from the
    token endpoint was decoded without its signature and the person became a Manager."""
    oidc_provider.account_set("krycek", preferred_username="krycek", email="krycek@example.com", groups=["contractors"])
    oidc_provider.next_id_token_tamper(mode, groups=["leads"])
    krycek = Browser(desk)

    refused = krycek.sign_in("krycek")

    assert REFUSED_PAGE in refused.text and refused.url.startswith(f"{desk}{CALLBACK}")
    assert not get_user_model().objects.exists()
    assert not _signed_in(krycek)
    record = SignIn.objects.get()
    assert (record.outcome, record.method, record.user) == ("rejected", "identity_provider", None)


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        pytest.param({"iss": "https://idp.attacker.example"}, "Invalid issuer", id="wrong-issuer"),
        pytest.param({"aud": "another-client"}, "Audience doesn't match", id="wrong-audience"),
        pytest.param({"aud": ["triage-desk", "another-client"]}, "azp", id="shared-audience-without-azp"),
        pytest.param("expired", "Signature has expired", id="expired"),
        pytest.param({"nonce": "from-another-sign-in"}, "nonce", id="wrong-nonce"),
        pytest.param({"nonce": None}, "nonce", id="no-nonce"),
        pytest.param({"sub": "someone-else"}, "another subject", id="subject-not-the-userinfo-one"),
    ],
)
def test_a_token_signed_by_the_provider_with_wrong_claims_is_refused(desk, oidc_provider, caplog, claims, why):
    """Signed with the provider's own key, so only the claim checks stand in the way."""
    if claims == "expired":
        now = int(time.time())
        claims = {"iat": now - 3600, "exp": now - 600}
    oidc_provider.account_set("krycek", preferred_username="krycek", email="krycek@example.com", groups=["leads"])
    oidc_provider.next_id_token_tamper("resign", **claims)
    krycek = Browser(desk)

    refused = krycek.sign_in("krycek")

    assert REFUSED_PAGE in refused.text
    assert not get_user_model().objects.exists()
    assert not _signed_in(krycek)
    assert SignIn.objects.get().outcome == "rejected"
    assert any(why in r.getMessage() for r in caplog.records if r.name == "access.single_sign_on.adapter")


def test_removed_from_the_managers_group_at_the_provider_the_next_sign_in_takes_the_role_back(desk, oidc_provider):
    oidc_provider.account_set("skinner", preferred_username="skinner", email="skinner@example.com", groups=["leads"])
    office, laptop = Browser(desk), Browser(desk)
    assert office.sign_in("skinner").status_code == 200
    assert _roles("skinner") == ["Managers"]
    office_session = office.session_key
    assert UserSession.objects.filter(session_key=office_session).exists()
    # An admin also made him an Advocate by hand: that is not the provider's to take back.
    User = get_user_model()
    skinner = User.objects.get(username="skinner")
    skinner.groups.add(*Group.objects.filter(name="Advocates"))

    # The provider's directory drops him from the leads; he signs in again on another machine.
    oidc_provider.account_set("skinner", preferred_username="skinner", email="skinner@example.com", groups=[])
    assert laptop.sign_in("skinner").status_code == 200

    assert _roles("skinner") == ["Advocates"]
    assert not ProviderRole.objects.filter(user=skinner).exists()
    change = LogEntry.objects.filter(object_id=str(skinner.pk)).latest("action_time")
    assert change.change_message == (
        "Signed in through the identity provider: removed from Managers (no longer in the groups claim); "
        "1 other session ended."
    )
    admin = Client()
    admin.force_login(User.objects.create_superuser("scully", "scully@example.com", "pw"))
    assert "removed from Managers" in admin.get(f"/admin/auth/user/{skinner.pk}/history/").content.decode()
    # The office session is gone from the database and the cache; the laptop's works.
    assert not Session.objects.filter(session_key=office_session).exists()
    assert not _signed_in(office)
    assert office.queue().url.startswith(f"{desk}/accounts/login/")
    assert _signed_in(laptop)
    assert list(UserSession.objects.filter(user=skinner).values_list("session_key", flat=True)) == [laptop.session_key]
