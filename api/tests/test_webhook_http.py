"""One POST to a receiver (api.webhook_http): the whole exchange ends at the deadline whatever the
receiver does (a per-read timeout does not: a byte every 2 s never trips a 10 s one), and HTTPS to the
checked address still verifies the certificate against the host name (SNI and hostname match).

Receivers are real servers on loopback (api/tests/receivers.py); the TLS ones use a certificate
authority made here with the `cryptography` package.
"""

import datetime
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.tests.receivers import Receiver
from api.webhook_http import webhook_post
from api.webhook_urls import webhook_target

pytestmark = pytest.mark.usefixtures("local_receivers_allowed")


@pytest.mark.parametrize("every", [0.5, 2.0])
def test_a_trickling_receiver_is_cut_at_the_deadline(every):
    trickler = Receiver(mode="trickle", trickle_every=every).start()
    started = time.monotonic()
    result = webhook_post(target=webhook_target(trickler.url()), body=b"{}", headers={}, deadline=3.0)
    elapsed = time.monotonic() - started
    time.sleep(2 * every + 0.5)  # the receiver notices at its second byte after (the first meets a reset)
    trickler.stop()
    assert (result.delivered, result.category, result.status_code) == (False, "timeout", None)
    assert 3.0 <= elapsed < 3.5, elapsed
    assert trickler.trickle_ended_at is not None  # the desk hung up


def test_a_receiver_that_never_answers_is_cut_at_the_deadline():
    silent = Receiver(mode="hold").start()
    started = time.monotonic()
    result = webhook_post(target=webhook_target(silent.url()), body=b"{}", headers={}, deadline=2.0)
    elapsed = time.monotonic() - started
    silent.release.set()
    silent.stop()
    assert result.category == "timeout" and 2.0 <= elapsed < 2.5, (result, elapsed)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A certificate authority and a server certificate for hooks.example.test signed by it."""
    folder = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, issuer, key, signer, *, ca, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Test CA", "Test CA", ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate("hooks.example.test", "Test CA", key, ca_key, ca=False, names=["hooks.example.test"])
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder


def _tls_receiver(pki):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki / "server.pem")
    return Receiver(host="127.0.0.2", tls=context).start()


def test_https_to_the_checked_address_verifies_the_host_name(pki, resolver, settings):
    """hooks.example.test is pinned to 127.0.0.2; TLS still asks for and checks hooks.example.test."""
    settings.DESK_WEBHOOK_CA_BUNDLE = str(pki / "ca.pem")
    receiver = _tls_receiver(pki)
    resolver.answers.update({"hooks.example.test": ["127.0.0.2"], "other.example.test": ["127.0.0.2"]})
    try:
        good = webhook_post(
            target=webhook_target(f"https://hooks.example.test:{receiver.port}/hook"),
            body=b"{}",
            headers={},
            deadline=5,
        )
        wrong_name = webhook_post(
            target=webhook_target(f"https://other.example.test:{receiver.port}/hook"),
            body=b"{}",
            headers={},
            deadline=5,
        )
        settings.DESK_WEBHOOK_CA_BUNDLE = ""  # the public CAs: ours is unknown to them
        unknown_ca = webhook_post(
            target=webhook_target(f"https://hooks.example.test:{receiver.port}/hook"),
            body=b"{}",
            headers={},
            deadline=5,
        )
    finally:
        receiver.stop()
    assert (good.delivered, good.status_code) == (True, 204)
    assert receiver.requests[0].headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert receiver.server_names[0] == "hooks.example.test"
    assert (wrong_name.delivered, wrong_name.category) == (False, "TLS error")
    assert (unknown_ca.delivered, unknown_ca.category) == (False, "TLS error")
    assert len(receiver.requests) == 1
