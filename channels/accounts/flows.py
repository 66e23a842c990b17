"""Connecting an account: the admin is sent to the platform and comes back to the desk's callback.

The flow's state is a random value kept in the admin's own session with what the callback needs
(the account, the provider's secret such as the PKCE verifier), used once and for at most
FLOW_SECONDS: a callback that does not come from the flow this browser started is refused. The
callback address is built from SITE_URL, the address the desk is reached at (behind a proxy, the
public one), so it is the one registered in the platform's console.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from channels.accounts.oauth import Begun
from channels.accounts.tokens import account_connect, provider_for
from channels.adapters.base import AdapterError, AuthError, ConfigError
from channels.http import build_session
from channels.models import Account

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase

logger = logging.getLogger(__name__)

SESSION_KEY = "desk_account_flows"
FLOW_SECONDS = 15 * 60
MAX_FLOWS = 5  # flows started in one session and not finished; the oldest is dropped


class FlowError(Exception):
    """Said to the admin in words; nothing is stored."""


def callback_url(kind: str) -> str:
    return f"{settings.SITE_URL}{reverse('channels:account-callback', args=[kind])}"


def flow_begin(*, account: Account, session: SessionBase) -> str:
    """The platform's authorisation address for `account`; the flow is remembered in `session`."""
    provider = provider_for(account.channel.kind)
    if provider is None:
        raise FlowError(f"{account.channel.get_kind_display()} has no authorisation flow the desk can start.")
    state = secrets.token_urlsafe(32)
    try:
        begun: Begun = provider.begin(
            channel=account.channel, redirect_uri=callback_url(account.channel.kind), state=state
        )
    except ConfigError as exc:
        raise FlowError(str(exc)) from exc
    flows = {
        k: v for k, v in (session.get(SESSION_KEY) or {}).items() if v.get("started", 0) > time.time() - FLOW_SECONDS
    }
    while len(flows) >= MAX_FLOWS:
        flows.pop(min(flows, key=lambda k: flows[k]["started"]))
    flows[state] = {"account": account.pk, "kind": account.channel.kind, "secret": begun.secret, "started": time.time()}
    session[SESSION_KEY] = flows
    return begun.url


def flow_complete(*, kind: str, params: Mapping[str, str], session: SessionBase, user: User) -> Account:
    """Finish the flow the platform sent the admin back from: exchange what it sent for tokens,
    check they are the account's own, store them."""
    flows = dict(session.get(SESSION_KEY) or {})
    state = str(params.get("state") or "")
    flow = flows.pop(state, None) if state else None
    session[SESSION_KEY] = flows
    if flow is None or flow.get("kind") != kind or flow.get("started", 0) < time.time() - FLOW_SECONDS:
        raise FlowError(
            "This answer does not belong to a connection started from this browser in the last 15 minutes: "
            "start again from the account in admin."
        )
    account = Account.objects.select_related("channel").filter(pk=flow["account"], channel__kind=kind).first()
    if account is None:
        raise FlowError("The account this connection was for no longer exists.")
    provider = provider_for(kind)
    if provider is None:  # the flow was begun with one: only a kind whose flow went away since has none
        raise FlowError(f"{account.channel.get_kind_display()} has no authorisation flow the desk can start.")
    try:
        grant = provider.complete(
            channel=account.channel,
            session=build_session(),
            params=params,
            redirect_uri=callback_url(kind),
            secret=flow.get("secret") or {},
        )
    except AuthError as exc:
        raise FlowError(str(exc)) from exc
    except AdapterError as exc:
        logger.warning("account: connecting %s on channel=%s failed: %s", account.username, account.channel.slug, exc)
        raise FlowError(f"{provider.label} could not be asked for the tokens ({exc}): try again.") from exc
    if account.username and grant.username and account.username.casefold() != grant.username.casefold():
        raise FlowError(
            f"You signed in to {provider.label} as {grant.username}, but this account is {account.username}: "
            "sign in as that account (or sign out of the platform first) and connect again."
        )
    taken = Account.objects.filter(channel=account.channel, username__iexact=grant.username).exclude(pk=account.pk)
    if grant.username and taken.exists():
        raise FlowError(f"{grant.username} is already another account of this channel.")
    return account_connect(account=account, grant=grant, user=user)


def flow_channel_key(*, account: Account, user: User) -> Account:
    """Connect `account` with its channel's own admin key (Discourse: the admin API key with
    `Api-Username`), where the platform has such keys. Checked against the platform first."""
    from channels.adapters import get_adapter

    adapter = get_adapter(account.channel.kind)
    if not adapter.connects_with_channel_key:
        raise FlowError(f"{account.channel.get_kind_display()} accounts connect through the platform's sign-in only.")
    try:
        grant = adapter.channel_key_grant(channel=account.channel, session=build_session(), username=account.username)
    except (AuthError, ConfigError) as exc:
        raise FlowError(str(exc)) from exc
    except AdapterError as exc:
        raise FlowError(f"The forum could not be asked ({exc}): try again.") from exc
    return account_connect(account=account, grant=grant, user=user)
