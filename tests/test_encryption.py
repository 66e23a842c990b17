"""The desk's key for secrets at rest (advocacy.encryption): channel credentials stored before the key
derivation moved there still decrypt, and each purpose has its own key."""

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet, InvalidToken

from access.mfa_secrets import mfa_secret_decrypt, mfa_secret_encrypt
from advocacy.encryption import fernet_for
from channels.secrets import credentials_decrypt


def test_credentials_stored_with_the_earlier_derivation_still_decrypt(settings):
    settings.DESK_ENCRYPTION_KEY = "operator-key"
    # channels/secrets.py's derivation as it was written before it moved to advocacy.encryption.
    key = base64.urlsafe_b64encode(hashlib.sha256(b"triage-desk-credentials:operator-key").digest())
    token = Fernet(key).encrypt(json.dumps({"api_key": "k-123"}).encode()).decode()
    assert credentials_decrypt(token) == {"api_key": "k-123"}


def test_a_value_encrypted_for_one_purpose_does_not_decrypt_for_another():
    token = fernet_for("credentials").encrypt(b"JBSWY3DPEHPK3PXP")
    with pytest.raises(InvalidToken):
        fernet_for("two-factor").decrypt(token)
    assert mfa_secret_decrypt(mfa_secret_encrypt("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"
    assert mfa_secret_decrypt("fernet:" + token.decode()) != "JBSWY3DPEHPK3PXP"
