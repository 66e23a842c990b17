"""manage.py import_zendesk: from the API (token from the environment, never printed), from an export directory,
resumed by its run's id.

Sources of every shape: imports/tests/zendesk_fake.py's docstring and imports/SOURCES.md."""

from __future__ import annotations

import io

import pytest
import responses
from django.core.management import CommandError, call_command

from channels.http import READ_RETRIES
from imports.models import ImportRun
from imports.tests.test_zendesk_files import export_write
from imports.tests.zendesk_fake import BASE, TOKEN, zendesk_register
from mentions.models import Ticket

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("import_zendesk", *args, stdout=out)
    return out.getvalue()


def test_from_the_api_with_the_token_from_the_environment_never_printed(monkeypatch):
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock)
        out = _call("--subdomain", "acme", "--email", "admin@acme.example")
    assert "Importing from zendesk:acme" in out and "tickets 3" in out and out.rstrip().endswith("updated 0")
    assert TOKEN not in out and Ticket.objects.count() == 3
    assert out.count("run ") >= 6  # a progress line a page, then the last


def test_without_the_token_it_says_where_to_put_it(monkeypatch):
    monkeypatch.delenv("ZENDESK_API_TOKEN", raising=False)
    with pytest.raises(CommandError, match="Set ZENDESK_API_TOKEN"):
        _call("--subdomain", "acme", "--email", "admin@acme.example")


def test_from_a_directory_and_resumed_after_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock, broken_second_tickets_page=True)
        with pytest.raises(CommandError, match=r"Carry on with --resume \d+") as stopped:
            _call("--subdomain", "acme", "--email", "admin@acme.example")
    assert TOKEN not in str(stopped.value)
    run = ImportRun.objects.get()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock)
        assert "Done." in _call("--resume", str(run.pk))
    assert Ticket.objects.count() == 3
    # The same account's export, named as the account: nothing is imported twice.
    out = _call("--from-dir", str(export_write(tmp_path)), "--subdomain", "acme")
    assert "Importing from zendesk:acme" in out and "Done." in out and "tickets 0" in out
    assert Ticket.objects.count() == 3
    out = _call("--from-dir", str(tmp_path))
    assert f"Importing from files:{tmp_path.name}" in out and Ticket.objects.count() == 6


def test_zendesks_rate_limit_is_waited_out_and_the_import_goes_on_to_its_end(monkeypatch):
    # Zendesk's 429 says how long to wait (developer.zendesk.com, "Rate limits": Retry-After in seconds). The HTTP
    # layer waits out a short one itself (channels.http.ReadRetry): answered more often than it asks again, the
    # import is rate limited, and the command waits and goes on from the run's cursor.
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for _ in range(READ_RETRIES + 1):
            mock.get(f"{BASE}/tickets/35437/comments.json", status=429, headers={"Retry-After": "1"}, json={})
        zendesk_register(mock)
        out = _call("--subdomain", "acme", "--email", "admin@acme.example")
    assert "going on in 1 s" in out and "Done." in out and Ticket.objects.count() == 3
    assert ImportRun.objects.get().status == ImportRun.Status.DONE


def test_the_command_lists_what_it_quarantined_after_done(tmp_path):
    good = '{"id": "%s", "created_at": "2024-05-01T09:00:00Z"}'
    lines = [good % "A", '{"id": "B", "created_at": ', good % "C", '{"id": "D"}']
    (tmp_path / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    out = _call("--documented", str(tmp_path), "--no-index")
    run = ImportRun.objects.get()
    assert "quarantined 2" in out and "tickets 2" in out
    assert out.split("Done.", 1)[1].splitlines()[1:] == [
        f"Not imported (2, quarantined on run {run.pk}):",
        "  tickets.jsonl, line 2: not JSON (unexpected end of data, column 27)",
        "  tickets.jsonl, line 4 (id D): no created_at, or not a time with its zone (ISO 8601)",
    ]
