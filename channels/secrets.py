"""Channel credentials, encrypted at rest with Fernet (the `cryptography` package).

The key comes from DESK_ENCRYPTION_KEY; without it, one is derived from SECRET_KEY, so
rotating SECRET_KEY makes stored credentials unreadable (reported on the channel, never a
crash). Decrypted values live only in memory and are never logged or rendered. The key
derivation is shared with two-factor secrets (advocacy.encryption), each with its own purpose.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from advocacy.encryption import fernet_for
from channels.adapters.base import PermanentError


class CredentialsUnreadable(PermanentError):
    """Polling cannot work until an admin enters the credentials again."""


def _fernet() -> Fernet:
    return fernet_for("credentials")


def credentials_encrypt(values: dict[str, Any]) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def credentials_decrypt(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "Stored credentials cannot be decrypted (was SECRET_KEY or DESK_ENCRYPTION_KEY changed?): "
            "enter them again in admin."
        ) from exc


def credentials_describe(values: dict[str, Any], prefix: str = "") -> list[str]:
    """Which credentials are set, as key paths, never values: what admin shows back."""
    described = []
    for key in sorted(values):
        value = values[key]
        if isinstance(value, dict):
            described.extend(credentials_describe(value, f"{prefix}{key}."))
        elif value not in (None, ""):
            described.append(f"{prefix}{key}")
    return described
