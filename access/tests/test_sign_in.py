"""Signing in: admins sent through the desk's sign-in page, two-factor codes (TOTP and recovery codes)
asked of those who have them and required of staff. The limits on failed attempts are in
test_sign_in_limits.py, two-factor secrets at rest in test_two_factor_secrets.py."""

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
