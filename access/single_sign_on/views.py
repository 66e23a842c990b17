"""allauth's OpenID Connect sign-in views with the desk's adapter: the provider's discovery document
checked, the ID token verified (id_token.py) and the userinfo answer used only for the same subject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp, SocialToken
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from requests import RequestException

from access.single_sign_on.id_token import IdTokenRefused, id_token_verify

# Where the nonce sent with the authorisation request is kept, in allauth's per-sign-in state (session).
NONCE_STATE_KEY = "desk_oidc_nonce"
WELL_KNOWN = "/.well-known/"
# What the desk reads from the discovery document, all of which must be https in production.
ENDPOINTS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class DiscoveryRefused(OAuth2Error):
    """The provider's discovery document is not one the desk may trust."""


def discovery_check(config: dict[str, Any], *, server_url: str, production: bool) -> None:
    """OpenID Connect Discovery 1.0, section 4.3: the issuer is the address the document was read from;
    and in production every address in it is https."""
    expected = server_url.split(WELL_KNOWN)[0].rstrip("/")
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or issuer.rstrip("/") != expected:
        raise DiscoveryRefused(f"the provider's discovery document names issuer {issuer!r}, not {expected!r}")
    for name in (*ENDPOINTS, "userinfo_endpoint"):
        value = config.get(name)
        if value is None and name == "userinfo_endpoint":
            continue
        if not isinstance(value, str) or (production and not value.startswith("https://")):
            raise DiscoveryRefused(f"the provider's {name} {value!r} is not an https:// address")


class DeskOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    # Set by DeskCallbackView from the state of this sign-in; None refuses the token.
    expected_nonce: str | None = None

    @property
    def openid_config(self) -> dict[str, Any]:
        config = super().openid_config
        if not getattr(self, "_openid_config_checked", False):
            app = self.get_provider().app
            discovery_check(config, server_url=app.settings["server_url"], production=settings.PRODUCTION)
            self._openid_config_checked = True
        return config

    def complete_login(self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any) -> Any:
        raw = kwargs["response"].get("id_token")
        if not isinstance(raw, str) or not raw:
            raise IdTokenRefused("the provider's token answer has no ID token (is the openid scope asked?)")
        claims = id_token_verify(
            token=raw,
            issuer=self.openid_config["issuer"],
            client_id=app.client_id,
            jwks_uri=self.openid_config["jwks_uri"],
            advertised_algorithms=self.openid_config.get("id_token_signing_alg_values_supported"),
            nonce=self.expected_nonce or "",
        )
        data: dict[str, Any] = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True) and self.openid_config.get("userinfo_endpoint"):
            # Fetched over TLS with the access token, so it comes from the provider; but it is about the
            # token's person only when its subject is the same (Core 1.0, section 5.3.2).
            userinfo = self._fetch_user_info(token.token)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
                raise IdTokenRefused("the provider's userinfo answer is about another subject than the ID token")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        raise NotImplementedError("the desk verifies ID tokens in complete_login (id_token_verify)")


class DeskCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, Any]:
        # allauth keeps the state of each sign-in in the session and hands it to the callback here; the
        # nonce the provider redirect stored there is what the ID token must carry.
        state, response = super()._get_state(request, provider)
        if isinstance(state, dict) and isinstance(self.adapter, DeskOpenIDConnectAdapter):
            self.adapter.expected_nonce = state.get(NONCE_STATE_KEY)
        return state, response


def _discovery_refused(request: HttpRequest, adapter: DeskOpenIDConnectAdapter) -> HttpResponse | None:
    """The sign-in error page when the provider cannot be reached or its discovery document is refused
    (allauth would answer 500)."""
    provider = adapter.get_provider()
    try:
        adapter.openid_config  # noqa: B018 (read and checked here, before allauth uses it)
    except (OAuth2Error, RequestException, ValueError) as exc:
        return render_authentication_error(request, provider, exception=exc)
    return None


def _provider_view(allauth_view: type[OAuth2LoginView | OAuth2CallbackView]) -> Callable[..., HttpResponse]:
    """allauth's view for the configured provider (404 for an unknown one), or the sign-in error page when the
    provider cannot be reached."""

    @login_not_required
    def view(request: HttpRequest, provider_id: str) -> HttpResponse:
        try:
            adapter = DeskOpenIDConnectAdapter(request, provider_id)
            return _discovery_refused(request, adapter) or allauth_view.adapter_view(adapter)(request)
        except SocialApp.DoesNotExist as exc:
            raise Http404 from exc

    return view


login = _provider_view(OAuth2LoginView)
callback = _provider_view(DeskCallbackView)
