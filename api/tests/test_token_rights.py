"""A token never does more than its user's browser session would: held to the staff two-factor rule
(access.two_factor; on in production, DESK_2FA_REQUIRED_FOR_STAFF, so these tests turn it on), refused
once its user is deactivated, and each request checked against the user's permissions as they are now,
not as they were when the token was made. Each case asks the page and the API the same thing."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings

from api.models import ApiToken
from api.tokens import token_create
from mentions.permissions.roles import ADVOCATES, MANAGERS
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _api(user, scope: str = "write") -> Client:
    secret = token_create(user=user, name="script", scope=scope, days=30)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@override_settings(DESK_2FA_REQUIRED_FOR_STAFF=True)
def test_a_token_made_before_its_user_became_staff_waits_for_two_factor_as_the_browser_does():
    ada = AdvocateFactory(username="ada")
    api = _api(ada)
    assert api.get("/api/tickets/").status_code == 200
    ada.is_staff = True
    ada.save()

    assert _page(ada).get("/tickets/")["Location"] == "/accounts/2fa/totp/activate/"
    refused = api.get("/api/tickets/")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Your account must set up two-factor authentication: sign in to the desk and set it up, "
        "then this token works again."
    }
    assert api.post(f"/api/tickets/{TicketFactory().pk}/notes/", {"body": "n"}, "application/json").status_code == 403

    TOTP.activate(ada, SECRET)
    assert _page(ada).get("/tickets/").status_code == 200
    assert api.get("/api/tickets/").status_code == 200


@override_settings(DESK_2FA_REQUIRED_FOR_STAFF=True)
def test_staff_without_two_factor_cannot_make_a_token_on_the_page_nor_otherwise():
    root = ManagerFactory(username="root", is_staff=True)
    page = _page(root)
    shown = page.post("/tokens/", {"name": "BI", "scope": "read", "days": "30"})
    assert shown["Location"] == "/accounts/2fa/totp/activate/"  # the middleware, before the page
    with pytest.raises(PermissionDenied, match="two-factor"):
        token_create(user=root, name="BI", scope="read", days=30)
    assert not ApiToken.objects.exists()

    TOTP.activate(root, SECRET)
    page = _page(root)
    assert "set it up" not in page.get("/tokens/").content.decode()
    assert page.post("/tokens/", {"name": "BI", "scope": "read", "days": "30"}).context["made"]


@override_settings(DESK_2FA_REQUIRED_FOR_STAFF=True)
def test_the_tokens_page_says_why_it_cannot_make_a_token_when_two_factor_is_missing():
    """The middleware lets a session through once it has set up two-factor (SETUP_DONE); should the
    requirement arrive later in that session, the page says so instead of a form."""
    from access.two_factor import SETUP_DONE

    ada = AdvocateFactory(username="ada", is_staff=True)
    page = _page(ada)
    session = page.session
    session[SETUP_DONE] = True
    session.save()
    shown = page.get("/tokens/").content.decode()
    assert 'data-testid="token-two-factor"' in shown and "Make a token" not in shown


def test_an_inactive_users_token_is_refused():
    ada = AdvocateFactory(username="ada")
    api = _api(ada)
    ada.is_active = False
    ada.save()
    refused = api.get("/api/tickets/")
    assert refused.status_code == 401 and refused.json() == {"detail": "The token is unknown, revoked or expired."}


def test_a_token_loses_what_its_user_loses_on_the_desk():
    """Permissions are the user's at each request: a manager made an advocate can no longer read the KPIs
    nor reassign, and an advocate who loses the role can no longer list tickets, through the token made
    before as on the pages."""
    mo = ManagerFactory(username="mo")
    ada = AdvocateFactory(username="ada")
    mo_api, ada_api = _api(mo), _api(ada)
    ticket = TicketFactory(assignee=ada)
    assert mo_api.get("/api/kpi/").status_code == 200
    assert _page(mo).get("/kpi/").status_code == 200

    mo.groups.remove(Group.objects.get(name=MANAGERS))
    mo.groups.add(Group.objects.get(name=ADVOCATES))
    assert _page(mo).get("/kpi/").status_code == 403
    assert mo_api.get("/api/kpi/").status_code == 403
    reassign = mo_api.post(f"/api/tickets/{ticket.pk}/assignee/", {"assignee": "mo"}, "application/json")
    assert reassign.status_code == 403

    ada.groups.clear()
    assert _page(ada).get("/tickets/").status_code == 403
    assert ada_api.get("/api/tickets/").status_code == 403
