"""Comparing the signature a sender put in a header with the one the desk computed, for every door that checks
one (the signed-JSON webhook, GitHub's deliveries, Slack's requests).

A header is untrusted text: it may hold anything (non-ASCII, several values joined by commas, base64, no
prefix, any length). `hmac.compare_digest` raises TypeError on non-ASCII text, which was an anonymous 500, so
the header's shape is checked first (the prefix, then exactly the digest's length in hex digits) and only then
compared, as bytes, in constant time. Anything else is simply "no match": the caller answers 401.
"""

from __future__ import annotations

import hmac
import re

# A SHA-256 digest in lowercase hex, as GitHub, Slack and our own documentation write it (Bolt, which checks
# Slack's after us, takes nothing else). ASCII only: `\d` would take other scripts' digits.
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def hex_signature_matches(*, expected_hex: str, given: str, prefix: str) -> bool:
    """True when `given` is `prefix` followed by the 64 hex digits of `expected_hex` (a hexdigest), nothing more."""
    if not isinstance(given, str) or not given.startswith(prefix):
        return False
    digits = given[len(prefix) :]
    if not _HEX_SHA256.fullmatch(digits):
        return False
    return hmac.compare_digest(expected_hex.encode("ascii"), digits.encode("ascii"))
