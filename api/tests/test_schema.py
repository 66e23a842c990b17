"""The API against its own OpenAPI schema, with schemathesis: every operation, every check (a response that
breaks its schema, an undocumented status or content type, a valid request refused, an invalid one
accepted, a server error...). The schema is the one /api/schema/ serves; the requests are schemathesis's,
sent to the app served in this process (pytest-django's live_server, a thread), as a manager's read-write
token over a small desk (api/tests/schema_data.py), with the date rules OpenAPI cannot state taught by
api/tests/schemathesis_hooks.py.

It runs schemathesis's own engine, the one its command line runs (examples, coverage, fuzzing and stateful
phases). Not its pytest plugin: pytest 9.2 broke it (it writes a node attribute pytest no longer has). Nor
its in-process WSGI transport: the engine hands it socket options werkzeug refuses (a TypeError on every
request, schemathesis 4.32.5). A served app needs its data committed: a transactional test.

This is the short run: the examples, coverage and fuzzing phases, 10 examples per operation, a fixed seed,
derandomized (the same run every time), about a minute on 2 busy cores. The long run,
bench/schemathesis_api.py, adds the stateful phase and 200 examples per operation.
"""

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from api.tests import schemathesis_hooks
from api.tests.schema_data import fuzz_desk_create
from metrics.forms import MAX_DAYS

MAX_EXAMPLES = 10
SEED = 1


def _run(schema) -> tuple[int, list[str], int]:
    """Runs every phase on every operation; returns the operations tested, what failed, the cases sent."""
    failures: list[str] = []
    operations: set[str] = set()
    cases = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            cases += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(
                            f"{event.recorder.label}: {failure.code} {failure.title}: {failure.message}\n"
                            f"{check.failure_info.code_sample}"
                        )
            if event.status == Status.ERROR:
                failures.append(f"{event.recorder.label}: error in {event.phase}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {getattr(event, 'value', None) or getattr(event, 'exception', None)!r}")
    return len(operations - {"Stateful tests"}), sorted(set(failures)), cases


# Sequences reset: the desk's tickets are 1, 2 and 3 in every run, as schemathesis's drawn ids are the same in every
# run (a second run on a database that had rows drew the same ids and found no ticket: another run).
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_operation_answers_as_its_schema_says(settings, live_server):
    settings.DESK_API_RATE = "1000000/min"  # one user's thousands of requests: the limit is tested elsewhere
    auth = {"Authorization": f"Bearer {fuzz_desk_create().secret}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=auth)
    schema.config.update(headers=auth, workers=1)
    schema.config.seed = SEED
    schema.config.checks.update(included_check_names=["all"])
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    schema.config.cache.enabled = False  # no replay of an earlier run's failures: this run stands alone

    tested, failures, cases = _run(schema)

    print(*failures, sep="\n\n")  # whole, with the request to send again (pytest's diff cuts it short)
    assert failures == []
    # 19 before PATCH /api/tickets/{id}/, 20 before the like and the deletion of our post, 22 before the repost and
    # the direct message, 24 before the issues and the snooze, 27 before the approval of a reply waiting for it, 28
    # before the recognition list (issue 46), 29 before share of voice, 30 before the Community figures' volume and
    # returning members (issue 70), 32 before the judgement's accuracy on the checked sample.
    assert tested == len(list(schema.get_all_operations())) == 33
    assert cases > 16 * MAX_EXAMPLES


def test_the_hooks_know_the_kpi_pages_longest_range():
    assert schemathesis_hooks.MAX_DAYS == MAX_DAYS
