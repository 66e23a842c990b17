"""Signing in: failed attempts limited per account and per address and recorded, admins sent through the
desk's sign-in page, two-factor codes (TOTP and recovery codes) asked of those who have them and
required of staff."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import override_settings

from access.models import SignIn
from mentions.tests.factories import AdvocateFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db

WRONG = "The username and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _sign_in(client, username: str, password: str = "pw", **extra):  # noqa: S107 (the factories' password)
    return client.post("/accounts/login/", {"login": username, "password": password, **extra})


@pytest.fixture
def queue(db):
    ViewFactory(name="All mentions", slug="all")


def test_the_sixth_wrong_password_is_refused_even_the_right_one(client, queue):
    ada = AdvocateFactory(username="ada")
    for _ in range(5):
        assert WRONG in _sign_in(client, "ada", "guess").content.decode()
    refused = _sign_in(client, "ada", "pw")
    assert TOO_MANY in refused.content.decode()
    assert client.get("/").status_code == 302  # not signed in
    # The limit is this account's: a colleague at the same address signs in.
    AdvocateFactory(username="bo")
    assert _sign_in(client, "bo").status_code == 302
    assert client.get("/").status_code == 200
    outcomes = list(SignIn.objects.order_by("at", "pk").values_list("username", "outcome", "user"))
    assert outcomes == [("ada", "failed", None)] * 5 + [("ada", "refused", None), ("bo", "succeeded", ada.pk + 1)]


def test_one_address_trying_many_accounts_is_refused_after_twenty_failures(client, queue):
    AdvocateFactory(username="ada")
    for n in range(20):
        assert WRONG in _sign_in(client, f"user{n}", "guess").content.decode()
    assert TOO_MANY in _sign_in(client, "ada").content.decode()
    assert SignIn.objects.filter(outcome="failed").count() == 20
    assert SignIn.objects.get(outcome="refused").address == "127.0.0.1"


def test_admins_sign_in_on_the_desk_sign_in_page(client, queue):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    answer = client.get("/admin/login/?next=/admin/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert _sign_in(client, "root", next="/admin/")["Location"] == "/admin/"
    page = client.get("/admin/access/signin/").content.decode()
    assert "root" in page and "Signed in" in page


@override_settings(DESK_2FA_REQUIRED_FOR_STAFF=True)
def test_staff_set_up_two_factor_before_anything_else_and_cannot_remove_it(client, queue):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    _sign_in(client, "root")
    for page in ("/", "/admin/", "/tickets/"):
        assert client.get(page)["Location"] == "/accounts/2fa/totp/activate/"
    # Signed in a moment ago: no second password before adding the authenticator.
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert "incorrect" in client.post("/accounts/2fa/totp/activate/", {"code": "000000"}).content.decode().lower()
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=root, type="totp").exists()
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=root, type="totp").exists()
    # Later than five minutes after signing in, allauth asks for the password again first.
    session = client.session
    session["account_authentication_methods"] = [
        dict(m, at=m["at"] - 600) for m in session["account_authentication_methods"]
    ]
    session.save()
    assert client.get("/accounts/2fa/recovery-codes/generate/")["Location"].startswith("/accounts/reauthenticate/")
    # An advocate is not asked.
    client.logout()
    AdvocateFactory(username="ada")
    _sign_in(client, "ada")
    assert client.get("/").status_code == 200


def test_a_totp_sign_in_asks_for_the_code_after_the_password(client, queue):
    ada = AdvocateFactory(username="ada")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(ada, secret)
    assert _sign_in(client, "ada")["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not yet signed in
    assert "incorrect" in client.post("/accounts/2fa/authenticate/", {"code": "123456"}).content.decode().lower()
    assert client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    assert client.get("/").status_code == 200
    assert SignIn.objects.get(outcome="succeeded").two_factor is True


def test_a_recovery_code_signs_in_once(client, queue):
    ada = AdvocateFactory(username="ada")
    TOTP.activate(ada, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    code = RecoveryCodes.activate(ada).get_unused_codes()[0]
    _sign_in(client, "ada")
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/").status_code == 200
    client.logout()
    _sign_in(client, "ada")
    assert "incorrect" in client.post("/accounts/2fa/authenticate/", {"code": code}).content.decode().lower()
