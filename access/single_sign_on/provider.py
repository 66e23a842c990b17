"""allauth's OpenID Connect provider, with a nonce in every authorisation request and the desk's
adapter (views.py) that verifies the ID token."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponse

from access.single_sign_on.views import NONCE_STATE_KEY, DeskOpenIDConnectAdapter

# What a sign-in link may add to the authorisation request (?auth_params=login_hint%3Ddana); allauth
# would take any parameter from there, even the nonce or the redirect address.
REQUEST_AUTH_PARAMS = frozenset({"login_hint", "prompt"})


class DeskOpenIDConnectProvider(OpenIDConnectProvider):
    package = "access.single_sign_on"  # allauth reads its URLs from here (urls.py)
    oauth2_adapter_class = DeskOpenIDConnectAdapter
    # Signing in with a bare ID token (allauth's headless API) is not offered: only the browser flow.
    supports_token_authentication = False

    def get_scope(self) -> list[str]:
        scope = super().get_scope()
        return scope if "openid" in scope else ["openid", *scope]  # no ID token without it

    def get_auth_params_from_request(self, request: HttpRequest, action: Any) -> dict[str, str]:
        params = self.get_auth_params()
        asked = dict(parse_qsl(request.GET.get("auth_params", "")))
        params.update({name: value for name, value in asked.items() if name in REQUEST_AUTH_PARAMS})
        return params

    def redirect(
        self, request: HttpRequest, process: Any, next_url: str | None = None, data: Any = None, **kwargs: Any
    ) -> HttpResponse:
        """The authorisation request carries a fresh nonce, kept in this sign-in's state: the ID token
        must come back with it (views.DeskCallbackView), so a token from another sign-in is refused."""
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        auth_params = {**(self.get_auth_params() if auth_params is None else auth_params), "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, **{NONCE_STATE_KEY: nonce}, **kwargs
        )
