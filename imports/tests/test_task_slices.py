"""The worker's import of a run started from admin, cut in slices shorter than a task's time limit (Celery's soft
limit, CELERY_TASK_SOFT_TIME_LIMIT, would otherwise stop a long import half-way, its token already dropped). The
Zendesk API is answered at the HTTP boundary with the shapes of imports/tests/zendesk_fake.py (its docstring and
imports/SOURCES.md name where each comes from)."""

from __future__ import annotations

import pytest
import responses

from answers.models import Answer
from imports import tasks
from imports.models import ImportRun
from imports.starting import run_start
from imports.tests.zendesk_fake import BASE, TOKEN, zendesk_register
from mentions.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_long_admin_import_goes_on_in_the_next_task_with_its_token_until_done(monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: queued.append(args))
    # The queue's edge: what the worker would be asked next, recorded instead of sent to a broker.
    monkeypatch.setattr(tasks, "task_enqueue", lambda *args: queued.append(args), raising=False)
    monkeypatch.setattr(tasks, "SLICE_SECONDS", 0, raising=False)  # every slice ends after its first page
    run = run_start(kind="zendesk_api", subdomain="acme", email="admin@acme.example", token=TOKEN, user=None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock)
        tasks.run(run.pk)
        run.refresh_from_db()
        # One page written, the rest left to the next task, which is queued and can still read the token.
        assert run.status == ImportRun.Status.QUEUED, run.error
        assert run.cursor and "tickets_done" not in run.cursor and run.token_encrypted
        assert queued == [("imports.run", run.pk), ("imports.run", run.pk)]
        for _ in range(20):
            if run.status != ImportRun.Status.QUEUED:
                break
            tasks.run(run.pk)
            run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.cursor["tickets_done"] is True and Ticket.objects.count() == 3
    assert run.token_encrypted == ""  # dropped once the run has ended
    assert len(queued) > 3  # each slice asked for the next


def test_a_finished_run_delivered_again_is_not_run_again(monkeypatch):
    run = ImportRun.objects.create(kind="zendesk_api", source="zendesk:acme", subdomain="acme", status="done")
    with responses.RequestsMock() as mock:  # no request may be made
        tasks.run(run.pk)
        assert not mock.calls
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE


def test_the_worker_reads_the_token_kept_on_the_run_and_drops_it_when_the_run_fails(monkeypatch):
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: None)
    run = run_start(kind="zendesk_api", subdomain="acme", email="admin@acme.example", token=TOKEN, user=None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock, broken_second_tickets_page=True)
        with pytest.raises(Exception, match="incremental/tickets"):
            tasks.run(run.pk)
        assert mock.calls and all(TOKEN not in (c.request.url or "") for c in mock.calls)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and TOKEN not in run.error
    assert run.token_encrypted == ""


def test_zendesk_s_rate_limit_pauses_the_run_until_its_retry_after_instead_of_failing_it(monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: None)
    monkeypatch.setattr(tasks, "task_enqueue", lambda *args, **options: queued.append((*args, options)), raising=False)
    run = run_start(kind="zendesk_api", subdomain="acme", email="admin@acme.example", token=TOKEN, user=None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        # Zendesk's 429 says how long to wait (developer.zendesk.com, "Rate limits": Retry-After in seconds); it is
        # answered once, then the comments come.
        mock.get(f"{BASE}/tickets/35437/comments.json", status=429, headers={"Retry-After": "45"}, json={})
        zendesk_register(mock)
        tasks.run(run.pk)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.QUEUED and "429" in run.error
        assert run.token_encrypted and "tickets_done" not in run.cursor
        assert queued == [("imports.run", run.pk, {"countdown": 45})]
        tasks.run(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.error == "" and Ticket.objects.count() == 3
    assert run.token_encrypted == ""


def test_a_finished_runs_history_is_indexed_for_the_answers_by_slices_each_queueing_the_next(monkeypatch):
    # 100,000 imported tickets take minutes to index: in the run's last slice they would pass the task's time limit.
    queued: list[tuple] = []
    monkeypatch.setattr("imports.starting.task_enqueue_on_commit", lambda *args: None)
    monkeypatch.setattr(tasks, "task_enqueue", lambda *args, **options: queued.append(args), raising=False)
    monkeypatch.setattr(tasks, "SLICE_SECONDS", 0, raising=False)  # every index slice ends after its first range
    monkeypatch.setattr("imports.running.RANGE", 1)  # a range a ticket: the three tickets take three slices
    run = run_start(kind="zendesk_api", subdomain="acme", email="admin@acme.example", token=TOKEN, user=None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        zendesk_register(mock)
        for _ in range(20):
            tasks.run(run.pk)
            run.refresh_from_db()
            if run.status != ImportRun.Status.QUEUED:
                break
    assert run.status == ImportRun.Status.DONE and "answers_indexed" not in run.counts
    assert queued[-1] == ("imports.index", run.pk, None)

    slices = 0
    while queued and queued[-1][0] == "imports.index":
        tasks.index(*queued.pop()[1:])
        slices += 1
    run.refresh_from_db()
    assert run.counts["answers_indexed"] == Answer.objects.count() == 2 and slices >= 3
    tasks.index(run.pk, None)  # delivered again: nothing is indexed twice
    run.refresh_from_db()
    assert run.counts["answers_indexed"] == Answer.objects.count() == 2
