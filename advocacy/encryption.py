"""The desk's one key for secrets at rest (Fernet, from the `cryptography` package), shared by the apps
that store secrets: channel credentials (channels.secrets) and two-factor secrets (access.mfa_secrets).

The key material is DESK_ENCRYPTION_KEY or, without it, SECRET_KEY. Each use derives its own Fernet key
from that material and a purpose name, so a value encrypted for one use cannot be passed off as another's
(a channel token pasted into a two-factor row does not decrypt). The "credentials" purpose derives the
same key channels have always used, so stored credentials stay readable.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def fernet_for(purpose: str) -> Fernet:
    material = getattr(settings, "DESK_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"triage-desk-{purpose}:{material}".encode()).digest())
    return Fernet(key)
