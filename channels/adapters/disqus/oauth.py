"""Connecting a Disqus account: OAuth 2.0 authorization code (disqus.com/api/docs/auth/).

The application is the channel's (disqus.com/api/applications/, its callback the desk's): its
public key (`oauth_client_id`, else the `api_key` the channel reads with) and secret key
(`oauth_client_secret`, else `api_secret`). Scope `read,write`. The token answer names the user
(`username`, `user_id`); access tokens last 30 days and are refreshed with `grant_type=refresh_token`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.accounts.oauth import Provider
from channels.http import credential_of

from ..base import ConfigError

if TYPE_CHECKING:
    from channels.models import Channel

AUTHORIZE_URL = "https://disqus.com/api/oauth/2.0/authorize/"
TOKEN_URL = "https://disqus.com/api/oauth/2.0/access_token/"  # noqa: S105 - an address, not a secret
SCOPE = "read,write"
LABEL = "Disqus"


def disqus_app(channel: Channel) -> tuple[str, str]:
    """The application's public and secret keys."""
    for id_key, secret_key in (("oauth_client_id", "oauth_client_secret"), ("api_key", "api_secret")):
        public, secret = credential_of(channel, id_key), credential_of(channel, secret_key)
        if isinstance(public, str) and public.strip() and isinstance(secret, str) and secret.strip():
            return public.strip(), secret.strip()
    raise ConfigError(
        "Disqus: connecting an account needs the application's public and secret keys in the channel's "
        "credentials (oauth_client_id and oauth_client_secret)."
    )


class DisqusOAuth(Provider):
    label, authorize_url, token_url, scope = LABEL, AUTHORIZE_URL, TOKEN_URL, SCOPE
    pkce = False
    identity_in_token = True  # the token answer names the account: `username`, `user_id`

    def app(self, channel: Channel) -> tuple[str, str]:
        return disqus_app(channel)
