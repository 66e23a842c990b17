"""Two-factor secrets encrypted at rest with the desk's key (advocacy.encryption, purpose "two-factor"): the
TOTP secret and the recovery codes' seed (and codes migrated from elsewhere), which allauth stores in
Authenticator.data and passes through its MFA adapter's encrypt()/decrypt() (access.two_factor).

An encrypted value is "fernet:<token>", so a value already encrypted is recognised and left alone (the data
migration that encrypted older rows could run twice) and one written before this existed still reads. A value
that cannot be decrypted (DESK_ENCRYPTION_KEY or SECRET_KEY changed) reads as a random secret: no code matches
it, the sign-in says the code is wrong, and the log says why. An admin then deletes the person's authenticators
so they set up two-factor again.
"""

from __future__ import annotations

import base64
import logging
import secrets

from cryptography.fernet import InvalidToken

from advocacy.encryption import fernet_for

logger = logging.getLogger(__name__)

PREFIX = "fernet:"
PURPOSE = "two-factor"


def mfa_secret_encrypt(text: str) -> str:
    if text.startswith(PREFIX):
        return text
    return PREFIX + fernet_for(PURPOSE).encrypt(text.encode()).decode()


def mfa_secret_decrypt(value: str) -> str:
    """The secret."""
    if not value.startswith(PREFIX):
        return value  # stored before encryption (the data migration of that release encrypted these)
    try:
        return fernet_for(PURPOSE).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        logger.error(
            "A two-factor secret cannot be decrypted (was DESK_ENCRYPTION_KEY or SECRET_KEY changed?): its codes "
            "are refused. Delete the person's authenticators in admin so they set two-factor up again."
        )
        # Never a known value: an empty or fixed secret would make codes anyone can compute.
        return base64.b32encode(secrets.token_bytes(20)).decode()
