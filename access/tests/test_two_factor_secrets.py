"""Two-factor secrets at rest (access.mfa_secrets, DeskMFAAdapter.encrypt/decrypt): encrypted in the
database, still working for sign-in, never shown in admin or written to the logs.

Two-factor is set up through allauth's own pages (its activation view, its recovery-codes view) and used
through its sign-in step; codes are computed with allauth's own TOTP helpers (hotp_value), as an
authenticator app would. The shapes of Authenticator.data ("secret"; "seed", "used_mask",
"migrated_codes") are those of allauth 65.21's mfa/totp/internal/auth.py and
mfa/recovery_codes/internal/auth.py."""

import logging
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse

from access.mfa_secrets import PREFIX
from access.two_factor import DeskMFAAdapter
from mentions.tests.factories import AdvocateFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def _sign_in(client, username="alice", password="pw"):  # noqa: S107 (the factories' password)
    return client.post("/accounts/login/", {"login": username, "password": password})


def _two_factor_set_up(client) -> tuple[str, list[str]]:
    """Through allauth's pages: the secret the activation page shows, then the recovery codes page."""
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    answer = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert answer.status_code == 302, answer.content.decode()[:500]
    codes = list(client.get("/accounts/2fa/recovery-codes/").context["unused_codes"])
    return secret, codes


def _stored() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(data::text, ' ') FROM mfa_authenticator")
        return cursor.fetchone()[0] or ""


def _admin_urls() -> list[str]:
    """The admin index, every registered model's changelist and add page, and the change, history and
    delete pages of every row there is (20 a model at most)."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls += [reverse(f"admin:{info[0]}_{info[1]}_changelist"), reverse(f"admin:{info[0]}_{info[1]}_add")]
        for pk in model._default_manager.values_list("pk", flat=True)[:20]:
            urls += [
                reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[pk]) for page in ("change", "history", "delete")
            ]
    return urls


def test_secrets_are_encrypted_at_rest_work_and_are_never_shown_or_logged(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # every query and its parameters logged at DEBUG
    try:
        ViewFactory(name="All mentions", slug="all")
        alice = AdvocateFactory(username="alice", email="alice@example.com")
        browser = Client(REMOTE_ADDR="198.51.100.7")
        assert _sign_in(browser).status_code == 302
        secret, codes = _two_factor_set_up(browser)
        seed = DeskMFAAdapter().decrypt(Authenticator.objects.get(user=alice, type="recovery_codes").data["seed"])
        hidden = [secret, secret.lower(), seed, *codes]
        ciphertexts = [v for a in Authenticator.objects.all() for v in a.data.values() if isinstance(v, str)]
        assert len(ciphertexts) == 2

        # (1) In the database: ciphertext only.
        stored = _stored()
        assert stored.count(PREFIX) == 2
        assert not [s for s in hidden if s in stored]

        # (2) A code from the secret signs in; (3) so does a recovery code, once.
        browser.post("/accounts/logout/")
        assert _sign_in(browser)["Location"] == "/accounts/2fa/authenticate/"
        assert browser.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)}).status_code == 302
        assert browser.get("/").status_code == 200
        browser.post("/accounts/logout/")
        _sign_in(browser)
        assert browser.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
        assert browser.session["_auth_user_id"] == str(alice.pk)

        # (4) Every admin page, as a superuser: none shows a secret, and search does not look into them.
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        admin_browser = Client()
        admin_browser.force_login(root)
        pages = _admin_urls()
        assert reverse("admin:mfa_authenticator_change", args=[Authenticator.objects.first().pk]) in pages
        for url in pages:
            answer = admin_browser.get(url)
            assert answer.status_code in (200, 302, 403), (url, answer.status_code)
            body = answer.content.decode()
            assert not [s for s in hidden + ciphertexts if s in body], url
        authenticator = Authenticator.objects.get(user=alice, type="totp")
        change = admin_browser.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk])).content
        assert b"alice" in change and b"TOTP" in change and b"fernet:" not in change
        # An admin resets someone's two-factor by deleting it; the history says so, and no more.
        admin_browser.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})
        assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
        history = " ".join(f"{e.object_repr} {e.change_message}" for e in LogEntry.objects.all())
        assert "TOTP" in history and not [s for s in hidden if s in history]
    finally:
        connection.force_debug_cursor = False

    # (5) The logs of the whole flow, SQL included.
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "mfa_authenticator" in logged  # the queries were there to see
    assert not [s for s in hidden if s in logged]

    # Admin search does not look into the secrets (searched last: the query itself is logged).
    found = admin_browser.get(reverse("admin:mfa_authenticator_changelist"), {"q": seed[:12]}).context["cl"]
    assert found.result_count == 0
    assert admin_browser.get(reverse("admin:mfa_authenticator_changelist"), {"q": "alice"}).context["cl"].result_count


def test_secrets_under_another_key_are_refused_and_logged_never_a_crash(settings, caplog):
    ViewFactory(name="All mentions", slug="all")
    alice = AdvocateFactory(username="alice")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(alice, secret)
    settings.DESK_ENCRYPTION_KEY = "a-different-key"
    browser = Client()
    assert _sign_in(browser)["Location"] == "/accounts/2fa/authenticate/"
    answer = browser.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)})
    assert answer.status_code == 200 and "incorrect" in answer.content.decode().lower()
    assert "_auth_user_id" not in browser.session
    assert "A two-factor secret cannot be decrypted" in caplog.text
