"""What every platform's authorisation flow shares: the grant it ends with, PKCE, and the token
endpoint's answers mapped to what the desk should do.

A platform's flow lives with its adapter (`channels/adapters/<kind>/oauth.py`) as a `Provider`
subclass: `begin` builds the address the admin is sent to (and a secret the desk keeps until the
platform sends them back: a PKCE verifier, Discourse's private key), `complete` turns the callback's
parameters into a `Grant`, and `refresh` trades a refresh token for new tokens. `Provider` does all
three the standard way (authorisation code with PKCE); a platform's class sets what differs.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import timezone

from channels.adapters.base import AuthError, ConfigError, PayloadError, TransientError
from channels.http import credential_of
from channels.http_status import token_refused_check

if TYPE_CHECKING:
    from channels.models import Channel


@dataclass(frozen=True)
class Begun:
    url: str
    # Kept server-side (the admin's session) until the callback, never sent to the platform
    # as is: a PKCE code verifier, an RSA private key.
    secret: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Grant:
    """What a completed flow or a refresh yields. `tokens` is stored encrypted as a whole."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_at: datetime | None = None
    scope: str = ""
    username: str = ""
    user_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # more secrets a platform needs

    @property
    def tokens(self) -> dict[str, Any]:
        return {
            **self.extra,
            "access_token": self.access_token,
            **({"refresh_token": self.refresh_token} if self.refresh_token else {}),
        }


class Provider:
    """A platform's sign-in flow. The default is the authorisation-code flow (RFC 6749 section 4.1) with PKCE
    (RFC 7636, S256), set up by the class attributes below, so a platform's class declares only what differs
    from it; a flow that is not that one (Discord's bot authorisation, Discourse's user API key, Bluesky's app
    password) overrides `begin` and `complete`."""

    label: str = ""  # "X", "Reddit": what admin and messages call the platform
    # Where the admin is sent, and where the code is exchanged; on a platform of many instances (GitLab,
    # Mastodon) each under the channel's `{base_url}`.
    authorize_url: str = ""
    token_url: str = ""
    scope: str = ""
    pkce: bool = True
    # The authorisation request's other parameters (Stack Exchange's takes no response_type).
    authorize_params: Mapping[str, str] = {"response_type": "code"}  # read only
    client_auth: ClientAuth = "body"  # how the token endpoint takes the app's credentials, for codes and refreshes
    grant_type: str | None = "authorization_code"  # Stack Exchange's endpoint takes none
    refreshes: bool = True  # its tokens expire and come with a refresh token
    not_refreshed: tuple[str, ...] = ()  # stored token types that are not the flow's (an admin's pasted token)
    identity_in_token: bool = False  # the token answer names the account (Disqus): nobody is asked who it is

    def base_url(self, channel: Channel) -> str:
        """The channel's instance, on a platform of many."""
        return ""

    def authorize_endpoint(self, channel: Channel) -> str:
        return self.authorize_url.format(base_url=self.base_url(channel))

    def token_endpoint(self, channel: Channel) -> str:
        return self.token_url.format(base_url=self.base_url(channel))

    def token_headers(self, channel: Channel) -> dict[str, str] | None:
        return None

    def app(self, channel: Channel) -> tuple[str, str]:
        """The OAuth app's client id and secret, from the channel's credentials."""
        return app_client(channel, self.label)

    def whoami(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> tuple[str, str]:
        """The username and user id of the account that approved, for the token answer `body`."""
        return _named(body) if self.identity_in_token else ("", "")

    def granted(self, channel: Channel, session: requests.Session, body: dict[str, Any]) -> Grant:
        username, user_id = self.whoami(channel, session, body)
        return grant_from(body, username=username, user_id=user_id)

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        """Where to send the admin, and what the callback's exchange needs kept until then (the PKCE verifier)."""
        client_id, _secret = self.app(channel)
        query = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": self.scope, "state": state}
        query.update(self.authorize_params)
        secret = {}
        if self.pkce:
            verifier, challenge = pkce_pair()
            query.update(code_challenge=challenge, code_challenge_method="S256")
            secret = {"code_verifier": verifier}
        return Begun(url=f"{self.authorize_endpoint(channel)}?{urlencode(query)}", secret=secret)

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        """The callback's parameters turned into a Grant: its code exchanged, the account that approved named."""
        body = code_exchange(
            session,
            self.token_endpoint(channel),
            params=params,
            redirect_uri=redirect_uri,
            client=self.app(channel),
            client_auth=self.client_auth,
            label=self.label,
            code_verifier=str(secret.get("code_verifier", "")) if self.pkce else None,
            grant_type=self.grant_type,
            headers=self.token_headers(channel),
        )
        return self.granted(channel, session, body)

    def refresh(self, *, channel: Channel, session: requests.Session, tokens: dict[str, Any]) -> Grant | None:
        """New tokens from the stored ones, or None when there is nothing to refresh (tokens that do not expire,
        or were not granted by this flow): a refused token then means connecting again."""
        refresh_token = tokens.get("refresh_token")
        if not self.refreshes or not refresh_token or tokens.get("token_type") in self.not_refreshed:
            return None
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        auth = client_credentials(data, self.app(channel), self.client_auth)
        body = token_post(
            session, self.token_endpoint(channel), data=data, label=self.label, auth=auth,
            headers=self.token_headers(channel),
        )  # fmt: skip
        username, user_id = _named(body) if self.identity_in_token else ("", "")
        return grant_from(body, username=username, user_id=user_id)


class KeyOnly(Provider):
    """A platform with no sign-in page to send the admin to (Bluesky's app password, Jira's API token, Telegram's
    bot token): an account connects with the channel's own key (`Adapter.channel_key_grant`), and "Connect" says
    so in `how`, before anything is asked of the platform."""

    how: str = ""

    def begin(self, *, channel: Channel, redirect_uri: str, state: str) -> Begun:
        raise ConfigError(self.how)

    def complete(
        self, *, channel: Channel, session: requests.Session, params: Mapping[str, str], redirect_uri: str, secret: dict
    ) -> Grant:
        raise ConfigError(self.how)


def bot_grant(token: str, name: str, uid: str, *, username: str) -> Grant:
    """The account of a channel's bot (Discord, Telegram), connected with the channel's bot token once the platform
    said which bot the token is (`name`, `uid`): refused when the admin named another account (`username`; any name
    when none is given, with or without "@")."""
    if username and name.casefold() != username.lstrip("@").casefold():
        raise AuthError(f"The bot token is {name}'s, not {username}'s: name the account {name}.")
    return Grant(access_token=token, username=name, user_id=uid, extra={"token_type": "bot"})


class InstanceProvider(Provider):
    """The flow on a platform of many instances (GitLab, Mastodon): every instance is its own OAuth server, at the
    usual paths under the channel's `base_url` (its config's, as the kind's `config_rules` validates it)."""

    authorize_url, token_url = "{base_url}/oauth/authorize", "{base_url}/oauth/token"
    config_rules: Callable[[dict[str, Any]], dict[str, Any]]

    def base_url(self, channel: Channel) -> str:
        return self.config_rules(channel.config)["base_url"]


def _named(body: dict[str, Any]) -> tuple[str, str]:
    return str(body.get("username") or ""), str(body.get("user_id") or "")


def grant_from(body: dict[str, Any], *, username: str = "", user_id: str = "") -> Grant:
    """A token endpoint's standard answer (RFC 6749 section 5.1) as a Grant."""
    refresh_token = body.get("refresh_token")
    return Grant(
        access_token=body["access_token"],
        refresh_token=refresh_token if isinstance(refresh_token, str) else "",
        expires_at=expires_at(body.get("expires_in")),
        scope=str(body.get("scope") or ""),
        username=username,
        user_id=user_id,
    )


def pkce_pair() -> tuple[str, str]:
    """A code verifier (43-128 unreserved characters) and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def app_client(channel: Channel, label: str) -> tuple[str, str]:
    """The channel's OAuth app (client id and secret) from its encrypted credentials."""
    client_id = credential_of(channel, "oauth_client_id")
    client_secret = credential_of(channel, "oauth_client_secret")
    if not isinstance(client_id, str) or not client_id.strip():
        raise ConfigError(
            f"{label}: the channel has no OAuth app: add its client id (and secret) in the channel's credentials."
        )
    return client_id.strip(), client_secret.strip() if isinstance(client_secret, str) else ""


def expires_at(seconds: Any) -> datetime | None:
    try:
        value = int(seconds)
    except (TypeError, ValueError):
        return None
    return timezone.now() + timedelta(seconds=value) if value > 0 else None


def callback_error(params: Mapping[str, str], label: str) -> None:
    """The platform sent the admin back with an error (they declined, or the app is misconfigured)."""
    error = params.get("error")
    if error:
        said = str(params.get("error_description") or error)[:200]
        raise AuthError(f"{label} did not authorise the desk: {said}.")


# How a platform's token endpoint takes the app's credentials: HTTP Basic (client id and secret), in the
# form body (the secret only when the app has one), or a public client's id in the body with Basic added
# when the app is confidential (X).
ClientAuth = Literal["basic", "body", "public_or_basic"]


def code_exchange(
    session: requests.Session,
    url: str,
    *,
    params: Mapping[str, str],
    redirect_uri: str,
    client: tuple[str, str],
    client_auth: ClientAuth,
    label: str,
    code_verifier: str | None = None,
    grant_type: str | None = "authorization_code",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The authorization-code grant (RFC 6749 section 4.1.3) every platform's flow ends with: a callback
    carrying an error or no code is refused in words; otherwise the code (with the PKCE verifier when the
    flow used one, RFC 7636) goes to the token endpoint with the app's credentials as the platform takes
    them, and the token endpoint's answer is returned (`token_post`'s errors)."""
    callback_error(params, label)
    code = params.get("code")
    if not code:
        raise AuthError(f"{label} sent no authorisation code back: start again.")
    data = {"code": code, "redirect_uri": redirect_uri}
    if grant_type:  # Stack Exchange's endpoint takes none
        data["grant_type"] = grant_type
    if code_verifier is not None:
        data["code_verifier"] = code_verifier
    auth = client_credentials(data, client, client_auth)
    return token_post(session, url, data=data, label=label, auth=auth, headers=headers)


def client_credentials(
    data: dict[str, str], client: tuple[str, str], client_auth: ClientAuth
) -> tuple[str, str] | None:
    """The app's credentials as the token endpoint takes them (`client_auth`): added to the form `data`, or
    returned as the HTTP Basic pair to send."""
    client_id, client_secret = client
    if client_auth == "basic":
        return client_id, client_secret
    data["client_id"] = client_id
    if client_auth == "body" and client_secret:
        data["client_secret"] = client_secret
    elif client_auth == "public_or_basic" and client_secret:
        return client_id, client_secret
    return None


def token_post(
    session: requests.Session,
    url: str,
    *,
    data: dict[str, str],
    label: str,
    auth: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST to a token endpoint. A refused grant (invalid_grant, a revoked app) is an AuthError:
    the account must be connected again; no answer or a 5xx is a TransientError: try later."""
    try:
        response = session.post(url, data=data, auth=auth, headers=headers, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"{label} token endpoint did not answer ({exc.__class__.__name__})") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"{label} token endpoint: HTTP {response.status_code}")
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if response.status_code >= 400 or not isinstance(body, dict) or body.get("error"):
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        said = ": ".join(str(x)[:200] for x in (error, description) if x) or f"HTTP {response.status_code}"
        raise AuthError(f"{label} refused the token request ({said}).")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise PayloadError(f"{label} token endpoint answered without an access token.")
    return body


def whoami_answer(
    session: requests.Session, url: str, *, label: str, refused: str = "", **options: Any
) -> tuple[dict[str, Any], int]:
    """What the platform says of whose a token (or key) is, asked at `url`: its JSON object ({} when the answer is
    no object, or no success) and its status, for the caller to read the name from and to say so when it is not
    there. No answer is a TransientError ("`label` did not say who signed in"); with `refused` (words with
    {status}), a 401 or 403 is an AuthError in them."""
    try:
        response = session.get(url, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS, **options)
    except requests.RequestException as exc:
        # Not chained: requests' message quotes the address, and some platforms take the token in its query
        # (Stack Exchange's access_token), which a logged traceback would print.
        raise TransientError(f"{label} did not say who signed in ({exc.__class__.__name__})") from None
    if refused:
        token_refused_check(response, refused)
    try:
        body = response.json() if response.ok else None
    except (ValueError, RecursionError):
        body = None
    return (body if isinstance(body, dict) else {}), response.status_code
