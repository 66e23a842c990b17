"""The admin page that starts an import and shows its progress: staff with the permission only, CSRF checked, the
form's errors beside their fields, the old tool's text escaped. (No platform shape: the admin's own form.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from channels.secrets import credentials_decrypt
from imports.models import ImportRun
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
START = "admin:imports_importrun_start"


@pytest.fixture
def queued(monkeypatch):
    found: list[tuple] = []
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: found.append(args))
    return found


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_only_staff_with_the_permission_reach_the_page():
    assert Client().get(reverse(START)).status_code == 302  # to admin's sign-in
    assert _client(UserFactory(is_staff=False)).get(reverse(START)).status_code == 302
    assert _client(UserFactory(is_staff=True)).get(reverse(START)).status_code == 403
    page = _client(UserFactory(is_staff=True, is_superuser=True)).get(reverse(START))
    assert page.status_code == 200 and b'id="import-start"' in page.content


def test_a_post_without_the_csrf_token_is_refused(tmp_path, queued):
    client = _client(UserFactory(is_staff=True, is_superuser=True), csrf=True)
    response = client.post(reverse(START), {"kind": "zendesk_files", "path": str(tmp_path)})
    assert response.status_code == 403 and not ImportRun.objects.exists() and not queued


def test_each_error_is_beside_its_field(settings, tmp_path, queued):
    settings.DESK_IMPORT_DIR = tmp_path
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    page = client.post(reverse(START), {"kind": "zendesk_api", "subdomain": "<b>bad</b>.x/", "email": ""}).content
    text = page.decode()
    subdomain_error = text.split('id="error-subdomain"', 1)[1].split("</div>", 1)[0]
    assert "A Zendesk subdomain" in subdomain_error
    assert "needs an admin" in text.split('id="error-email"', 1)[1].split("</div>", 1)[0]
    assert "needs the token" in text.split('id="error-token"', 1)[1].split("</div>", 1)[0]
    assert "<b>bad</b>" not in text  # what was typed is shown escaped
    missing = client.post(reverse(START), {"kind": "documented", "path": "nope"}).content.decode()
    assert "No such directory" in missing.split('id="error-path"', 1)[1]
    assert not ImportRun.objects.exists() and not queued


@pytest.mark.parametrize("outside", ["/etc", "../..", "exports/../../elsewhere"])
def test_the_admin_page_reads_only_under_the_import_directory(settings, tmp_path, queued, outside):
    """The form reads a directory on the server: only one under DESK_IMPORT_DIR, so an admin account cannot turn
    any folder the desk's process may read (its configuration, /etc) into tickets."""
    settings.DESK_IMPORT_DIR = tmp_path / "imports"
    (tmp_path / "imports" / "exports").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    page = client.post(reverse(START), {"kind": "documented", "path": outside}).content.decode()
    error = page.split('id="error-path"', 1)[1].split("</div>", 1)[0]
    assert "under" in error and "DESK_IMPORT_DIR" in error
    assert not ImportRun.objects.exists() and not queued


def test_a_directory_under_the_import_directory_is_started_by_its_name(settings, tmp_path, queued):
    settings.DESK_IMPORT_DIR = tmp_path
    (tmp_path / "acme-2026-11").mkdir()
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse(START), {"kind": "documented", "path": "acme-2026-11"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and queued == [("imports.run", run.pk)]
    assert run.path == str(tmp_path / "acme-2026-11")


def test_a_valid_form_queues_the_run_with_its_token_encrypted_and_shows_its_progress(queued):
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse(START), {"kind": "zendesk_api", "subdomain": "Acme", "email": "a@acme.example", "token": "s3cret"}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:imports_importrun_change", args=[run.pk])
    assert queued == [("imports.run", run.pk)]
    assert run.source == "zendesk:acme" and "s3cret" not in run.token_encrypted
    assert credentials_decrypt(run.token_encrypted) == {"token": "s3cret"}
    run.counts, run.error = {"tickets": 1000, "messages": 3000}, "ticket <script>alert(1)</script> unreadable"
    run.save()
    listing = client.get(reverse("admin:imports_importrun_changelist")).content.decode()
    assert "messages 3000, tickets 1000" in listing and "Start an import" in listing
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;" in listing
    detail = client.get(reverse("admin:imports_importrun_change", args=[run.pk])).content.decode()
    assert "messages 3000, tickets 1000" in detail and "s3cret" not in detail


def test_admins_add_is_the_start_form_not_a_403(settings, tmp_path, queued):
    """Issue 69: /admin/imports/importrun/add/ answered a superuser 403 (a run is recorded by starting it). Admin's
    Add now opens Start an import, the form that works; the list shows that one link, not two."""
    settings.DESK_IMPORT_DIR = tmp_path
    (tmp_path / "acme-2026-11").mkdir()
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    add = reverse("admin:imports_importrun_add")
    page = client.get(add)
    assert page.status_code == 200 and b'id="import-start"' in page.content
    assert "There now: acme-2026-11." in page.content.decode()  # the form says what it can read
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{add}"' in index
    listing = client.get(reverse("admin:imports_importrun_changelist")).content.decode()
    tools = listing.split('<ul class="object-tools">', 1)[1].split("</ul>", 1)[0]
    assert tools.count("<li>") == 1 and "Start an import" in tools
    response = client.post(add, {"kind": "documented", "path": "acme-2026-11"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and queued == [("imports.run", run.pk)]
    # Staff without the permission: no Add, and the form refused as before.
    staff = _client(UserFactory(is_staff=True))
    assert staff.get(add).status_code == 403


def test_the_run_page_lists_what_it_quarantined_escaped_and_links_to_all(settings):
    from imports.admin import QUARANTINE_SHOWN
    from imports.models import QuarantinedRecord

    run = ImportRun.objects.create(kind="documented", source="files:x", status="done", counts={"quarantined": 52})
    other = ImportRun.objects.create(kind="documented", source="files:y", status="done")
    QuarantinedRecord.objects.create(run=run, file="tickets.jsonl", line=1, reason="not JSON (<script>x</script>)")
    QuarantinedRecord.objects.bulk_create(
        [QuarantinedRecord(run=run, file="tickets.jsonl", line=n, key=f"T-{n}", reason="no id") for n in range(2, 53)]
    )
    QuarantinedRecord.objects.create(run=other, file="users.json", line=7, reason="elsewhere")
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:imports_importrun_change", args=[run.pk])).content.decode()
    assert "tickets.jsonl, line 1: not JSON (&lt;script&gt;" in page and "<script>x" not in page
    assert "tickets.jsonl, line 2 (id T-2): no id" in page and page.count("<li>tickets.jsonl") == QUARANTINE_SHOWN
    everything = reverse("admin:imports_quarantinedrecord_changelist") + f"?run__id__exact={run.pk}"
    assert f'href="{everything}">52 records</a>' in page.replace("&amp;", "&")
    listing = client.get(everything)
    assert listing.status_code == 200
    assert "52 quarantined records" in listing.content.decode() and "elsewhere" not in listing.content.decode()
