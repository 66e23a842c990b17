"""An account's tokens: stored encrypted, refreshed before they expire and after a 401, and a
refusal to refresh turning the account to "needs reconnecting" for admins to see.

Refreshing holds the account's row lock: X and Reddit may hand out a new refresh token with each
refresh and void the old one, so two workers refreshing at once with the same refresh token would
make one of them fail. The second one waits, then finds fresh tokens and uses them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from channels.accounts.oauth import Grant, Provider
from channels.accounts.sending import reply_request
from channels.adapters.base import AccountNeedsReconnect, AuthError, PermanentError, ReplyError, TransientError
from channels.models import Account, Channel
from channels.secrets import CredentialsUnreadable

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Refreshed when less than this is left: a send never starts with a token about to expire.
REFRESH_MARGIN = timedelta(minutes=5)


def provider_for(kind: str) -> Provider | None:
    """The sign-in flow that connects `kind`'s accounts, when its platform declares one (`Platform.accounts`)."""
    from channels.adapters.registry import platform_of

    path = platform_of(kind).accounts
    return None if path is None else import_string(path)()


def accounts_from_handles(*, channel: Channel) -> list[Account]:
    """An account (not connected yet) for each of the channel's own handles its config names (X's
    handles), so that each can be connected, or marked as replying outside the desk."""
    from channels.adapters import get_adapter

    if provider_for(channel.kind) is None:
        return []
    adapter = get_adapter(channel.kind)
    # Elsewhere our accounts are the channel's `our_accounts` (Stack Exchange lists numeric user ids
    # there, not names: those accounts are added by name in admin).
    names = adapter.own_accounts(channel.config)
    if names is None:
        names = [a for a in channel.our_accounts or [] if isinstance(a, str) and a.strip() and not a.isdigit()]
    present = {a.casefold() for a in Account.objects.filter(channel=channel).values_list("username", flat=True)}
    created = []
    for position, username in enumerate(names):
        if username.casefold() not in present:
            created.append(Account.objects.create(channel=channel, username=username, position=position))
    return created


def account_connect(*, account: Account, grant: Grant, user: User | None = None) -> Account:
    """Store a completed flow's tokens on the account and mark it connected."""
    now = timezone.now()
    account.tokens = grant.tokens
    account.token_expires_at = grant.expires_at
    account.scopes = grant.scope[:300]
    if grant.username:
        account.username = grant.username
    account.platform_user_id = grant.user_id[:100]
    account.status = Account.Status.CONNECTED
    account.connected_at = now
    account.connected_by = user if getattr(user, "pk", None) else None
    account.refreshed_at = None
    account.last_error = ""
    account.last_error_at = None
    account.save()
    logger.info("account: %s on channel=%s connected", account.username, account.channel.slug)
    return account


def account_mark_needs_reconnect(*, account: Account, error: str) -> None:
    """Visible in admin and on the ticket page; the tokens are dropped (they no longer work)."""
    now = timezone.now()
    Account.objects.filter(pk=account.pk).update(
        status=Account.Status.NEEDS_RECONNECT, last_error=error[:2000], last_error_at=now, updated_at=now
    )
    account.status = Account.Status.NEEDS_RECONNECT
    account.last_error = error[:2000]
    logger.warning("account: %s on channel=%s needs reconnecting: %s", account.username, account.channel.slug, error)


def _reconnect_error(account: Account, why: str) -> AccountNeedsReconnect:
    return AccountNeedsReconnect(
        f"{account.username} on {account.channel.name} needs reconnecting ({why}): "
        "an admin can reconnect it in Admin, Channels. Your draft is kept."
    )


def _stored(account: Account) -> dict[str, Any]:
    try:
        tokens = account.tokens
    except CredentialsUnreadable as exc:
        account_mark_needs_reconnect(account=account, error=str(exc))
        raise _reconnect_error(account, "its stored tokens cannot be decrypted") from exc
    if not isinstance(tokens.get("access_token"), str) or not tokens["access_token"]:
        raise _reconnect_error(account, "it has no token")
    return tokens


def _expiring(account: Account) -> bool:
    return account.token_expires_at is not None and account.token_expires_at - timezone.now() <= REFRESH_MARGIN


def account_tokens(*, account: Account, session: requests.Session, force_refresh: bool = False) -> dict[str, Any]:
    """The account's tokens, refreshed first when they expire within REFRESH_MARGIN, or when
    `force_refresh` (the platform just answered 401). Raises AccountNeedsReconnect when the account
    cannot post until an admin connects it again, ReplyError when the platform could not be asked now."""
    if account.status != Account.Status.CONNECTED:
        why = (
            "it was never connected" if account.status == Account.Status.NOT_CONNECTED else "its tokens stopped working"
        )
        raise _reconnect_error(account, why)
    tokens = _stored(account)
    if not force_refresh and not _expiring(account):
        return tokens
    return _refresh(account, session, seen=tokens["access_token"])


def _refresh(account: Account, session: requests.Session, *, seen: str) -> dict[str, Any]:
    provider = provider_for(account.channel.kind)
    failure = ""
    with transaction.atomic():
        locked = Account.objects.select_for_update().select_related("channel").get(pk=account.pk)
        current = _stored(locked)
        if current["access_token"] != seen and not _expiring(locked):
            account.tokens_encrypted, account.token_expires_at = locked.tokens_encrypted, locked.token_expires_at
            return current  # another worker refreshed while this one waited for the lock
        try:
            grant = provider.refresh(channel=locked.channel, session=session, tokens=current) if provider else None
        except (AuthError, PermanentError) as exc:
            failure = str(exc)
        except TransientError as exc:
            raise ReplyError(f"Could not refresh {account.username}'s access now ({exc}): try again shortly.") from exc
        else:
            if grant is None:
                failure = "the platform's token was refused and it cannot be refreshed"
            else:
                # A platform that keeps the refresh token across refreshes sends none back.
                tokens = {**current, **grant.tokens}
                if not grant.refresh_token and current.get("refresh_token"):
                    tokens["refresh_token"] = current["refresh_token"]
                locked.tokens = tokens
                locked.token_expires_at = grant.expires_at
                locked.refreshed_at = timezone.now()
                if grant.scope:
                    locked.scopes = grant.scope[:300]
                locked.save(
                    update_fields=["tokens_encrypted", "token_expires_at", "refreshed_at", "scopes", "updated_at"]
                )
                account.tokens_encrypted, account.token_expires_at = locked.tokens_encrypted, locked.token_expires_at
                logger.info("account: %s on channel=%s refreshed", account.username, account.channel.slug)
                return tokens
    account_mark_needs_reconnect(account=account, error=f"Refreshing the access failed: {failure}")
    raise _reconnect_error(account, "refreshing its access failed")


def with_account_token(
    *,
    account: Account,
    session: requests.Session,
    call: Callable[[dict[str, Any]], requests.Response],
    refused: Callable[[requests.Response], bool] | None = None,
) -> requests.Response:
    """`call(tokens)` with fresh tokens; after a 401 the tokens are refreshed and the call made once
    more (a 401 means the platform took nothing). A second 401 means the account needs reconnecting.
    `refused`: how a platform that does not answer 401 says it refused the token (Disqus's code 4,
    Stack Exchange's error ids in a 400)."""

    def token_refused(response: requests.Response) -> bool:
        return response.status_code == 401 or (refused is not None and refused(response))

    response = call(account_tokens(account=account, session=session))
    if not token_refused(response):
        return response
    response = call(account_tokens(account=account, session=session, force_refresh=True))
    if token_refused(response):
        account_mark_needs_reconnect(account=account, error="The platform refused the account's fresh token (401).")
        raise _reconnect_error(account, "the platform refused its token")
    return response


def bearer(tokens: dict[str, Any]) -> dict[str, Any]:
    """The account's token as a bearer header: how most platforms take it (`account_request`'s default)."""
    return {"headers": {"Authorization": f"Bearer {tokens['access_token']}"}}


def account_request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    account: Account,
    label: str,
    where: str,
    signed: Callable[[dict[str, Any]], dict[str, Any]] = bearer,
    refused: Callable[[requests.Response], bool] | None = None,
    **options: Any,
) -> tuple[requests.Response, list[str]]:
    """One send as `account` (`reply_request` with its fresh token, refreshed and sent once more after a 401 as
    `with_account_token` does): the answer, and the tokens used for the caller to keep out of its messages.
    `signed(tokens)`: what the token adds to the request (a header, a form's fields, or the `url` where the token
    names the server: Bluesky's PDS), over `options`, its headers added to theirs."""
    used: list[str] = []

    def call(tokens: dict[str, Any]) -> requests.Response:
        used.append(str(tokens.get("access_token", "")))
        sent = {**options, **signed(tokens)}
        sent["headers"] = {**options.get("headers", {}), **sent.get("headers", {})}
        return reply_request(session, method, sent.pop("url", url), label=label, where=where, **sent)

    return with_account_token(account=account, session=session, call=call, refused=refused), used


# The beat refreshes tokens expiring within this window, so a send rarely waits for a refresh and
# an account whose refresh is refused shows "needs reconnecting" before anyone tries to send.
REFRESH_AHEAD = timedelta(minutes=20)


def accounts_refresh_due(*, now: Any = None) -> dict[str, int]:
    """Refresh the connected accounts whose access expires soon. Never raises."""
    from channels.http import build_session

    now = now or timezone.now()
    due = Account.objects.select_related("channel").filter(
        status=Account.Status.CONNECTED, token_expires_at__isnull=False, token_expires_at__lte=now + REFRESH_AHEAD
    )
    counts = {"refreshed": 0, "needs_reconnect": 0, "later": 0}
    for account in due:
        try:
            account_tokens(account=account, session=build_session(), force_refresh=True)
        except AccountNeedsReconnect:
            counts["needs_reconnect"] += 1
        except ReplyError:
            counts["later"] += 1
        else:
            counts["refreshed"] += 1
    return counts
