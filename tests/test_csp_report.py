"""/csp-report/: throttled per client address and in total, identical reports logged once per window,
bodies read only up to the cap. The report bodies are the shape browsers send for `report-uri`
(W3C CSP Level 2, section 7.1 "Violation reports": {"csp-report": {"document-uri": …, …}})."""

import io
import json
import logging
import time

import pytest
from django.test import Client, override_settings

from advocacy.csp_reports import MAX_REPORT_BYTES

pytestmark = pytest.mark.django_db

URL = "/csp-report/"


def report(blocked: str = "https://evil.example/x.js", page: str = "https://desk.example/tickets/") -> bytes:
    return json.dumps(
        {
            "csp-report": {
                "document-uri": page,
                "referrer": "",
                "violated-directive": "script-src-elem",
                "effective-directive": "script-src-elem",
                "original-policy": "default-src 'self'; script-src 'self'; report-uri /csp-report/",
                "disposition": "enforce",
                "blocked-uri": blocked,
                "status-code": 200,
                "script-sample": "",
            }
        }
    ).encode()


def send(client: Client, body: bytes, address: str = "203.0.113.7", **extra):
    return client.post(URL, data=body, content_type="application/csp-report", REMOTE_ADDR=address, **extra)


def minute() -> int:
    return int(time.time() // 60)


def csp_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "advocacy.csp"]


def test_a_report_is_logged_once_with_its_fields(client, caplog):
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        assert send(client, report()).status_code == 204
    [line] = csp_lines(caplog)
    logged = json.loads(line.removeprefix("csp: refused "))
    assert logged == {
        "document-uri": "https://desk.example/tickets/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js",
    }


def test_500_reports_from_one_address_log_at_most_the_per_address_cap(client, caplog, settings):
    settings.DESK_CSP_REPORTS_PER_ADDRESS = 20
    started = minute()
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        codes = [send(client, report(blocked=f"https://evil.example/{i}.js")).status_code for i in range(500)]
    windows = minute() - started + 1  # the counters are per clock minute: a run across one gets two
    assert codes[:20] == [204] * 20 and codes.count(204) == 20 * windows and codes.count(429) == 500 - 20 * windows
    assert len(csp_lines(caplog)) == 20 * windows
    # Another address still gets through: the cap is per address.
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        assert send(client, report(blocked="https://other.example/y.js"), address="198.51.100.9").status_code == 204
    assert len(csp_lines(caplog)) == 21


def test_the_total_cap_holds_across_addresses(client, caplog, settings):
    settings.DESK_CSP_REPORTS_PER_ADDRESS = 20
    settings.DESK_CSP_REPORTS_PER_MINUTE = 30
    started = minute()
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        codes = [
            send(client, report(blocked=f"https://evil.example/{i}.js"), address=f"192.0.2.{i}").status_code
            for i in range(100)
        ]
    windows = minute() - started + 1
    assert codes.count(204) == 30 * windows and codes.count(429) == 100 - 30 * windows
    assert len(csp_lines(caplog)) == 30 * windows


def test_identical_reports_are_logged_once_then_counted(client, caplog, settings):
    settings.DESK_CSP_REPORTS_PER_ADDRESS = 1000
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        codes = {send(client, report(), address=f"192.0.2.{i % 50}").status_code for i in range(200)}
    assert codes == {204}
    assert len(csp_lines(caplog)) == 1

    # When the window is over (its mark expires), the next one is logged with how many were not.
    from django.core.cache import cache

    from advocacy.csp_reports import _digest

    cache.delete(f"csp:seen:{_digest('script-src-elem', 'https://evil.example/x.js', 'https://desk.example/tickets/')}")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        send(client, report())
    [line] = csp_lines(caplog)
    assert json.loads(line.removeprefix("csp: refused "))["repeats_not_logged"] == "199"


def test_an_oversize_body_is_413_and_nothing_logged(client, caplog):
    padded = report(blocked="https://evil.example/" + "a" * MAX_REPORT_BYTES)
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        assert send(client, padded).status_code == 413
    assert csp_lines(caplog) == []


class CountingStream(io.BytesIO):
    """A request body that counts what the view reads from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = super().readline(size)
        self.taken += len(chunk)
        return chunk


def _raw(client: Client, stream: CountingStream, **meta):
    return client.generic("POST", URL, b"", "application/csp-report", REMOTE_ADDR="203.0.113.7", **meta)


@pytest.mark.parametrize(
    ("meta", "status", "logged"),
    [
        ({"CONTENT_LENGTH": "100"}, 400, 0),  # says 100, sends a megabyte: 100 bytes read, no report
        # Says the cap, sends a megabyte: the report and its padding up to the cap are read, nothing further.
        ({"CONTENT_LENGTH": str(MAX_REPORT_BYTES)}, 204, 1),
        # No length, de-chunked by the server: read up to the cap and one byte more, then refused.
        ({"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}, 413, 0),
    ],
)
def test_a_lying_or_missing_content_length_never_reads_past_the_cap(client, caplog, meta, status, logged):
    stream = CountingStream(report() + b" " * 1_000_000)
    with caplog.at_level(logging.WARNING, logger="advocacy.csp"):
        response = _raw(client, stream, **{**meta, "wsgi.input": stream})
    assert stream.taken <= MAX_REPORT_BYTES + 1
    assert response.status_code == status
    assert len(csp_lines(caplog)) == logged


def test_a_declared_oversize_body_is_refused_unread(client):
    stream = CountingStream(b"x" * (MAX_REPORT_BYTES * 4))
    response = _raw(client, stream, CONTENT_LENGTH=str(MAX_REPORT_BYTES * 4), **{"wsgi.input": stream})
    assert response.status_code == 413 and stream.taken == 0


@override_settings(DESK_CSP_REPORTS_PER_ADDRESS=2)
def test_throttled_reports_are_not_read(client):
    for _ in range(2):
        assert send(client, report()).status_code == 204
    stream = CountingStream(report())
    response = _raw(client, stream, CONTENT_LENGTH=str(len(report())), **{"wsgi.input": stream})
    assert response.status_code == 429 and stream.taken == 0


def test_not_a_report_is_400(client):
    assert send(client, b"{not json").status_code == 400
    assert send(client, b'{"csp-report": "text"}').status_code == 400
    assert send(client, b"[" * 5000).status_code == 400
