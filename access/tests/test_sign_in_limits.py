"""Sign-in limits that cannot be turned against the team (access.limits): failures slow down the account
and place they come from, never the right password from elsewhere; refusals say when to try again and do
not check the password; an office behind one address signs in; the owner is told.

Everything goes through the real sign-in page (allauth's LoginView, its form and the desk's adapter) with
Django's test Client, one client per place (REMOTE_ADDR, or a trusted proxy's X-Forwarded-For). Time moves
with time-machine, which patches the clock at the boundary (time.time, datetime.now) for the desk and
allauth alike. Addresses are from the documentation ranges of RFC 5737."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery import current_app as celery_app
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from access.models import SignIn
from mentions.tests.factories import AdvocateFactory, ViewFactory

WRONG = "The username and/or password you specified are not correct."
REFUSED = "Too many failed sign-in attempts. Try again in"
ATTACKER, OWNER, OFFICE = "203.0.113.5", "198.51.100.7", "192.0.2.10"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting how often a password is hashed (checking one hashes it once)."""

    checks = 0

    def encode(self, password, salt):
        CountingHasher.checks += 1
        return super().encode(password, salt)


class SlowHasher(PBKDF2PasswordHasher):
    """Slow enough that attempts sent together are checked at the same time."""

    iterations = 400_000


@pytest.fixture
def queue(db):
    ViewFactory(name="All mentions", slug="all")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tasks_run_inline():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _sign_in(client, username, password="pw"):  # noqa: S107 (the factories' password)
    return client.post("/accounts/login/", {"login": username, "password": password})


def _text(answer) -> str:
    return answer.content.decode()


def _sign_out(client):
    """allauth's sign-out: the session ends, the browser keeps its other cookies (Client.logout drops all)."""
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def _signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def _wait_in(answer) -> int:
    """The seconds a refusal asks for ("Try again in 40 seconds." / "in 4 minutes.")."""
    text = _text(answer)
    number, unit = text[text.index(REFUSED) + len(REFUSED) :].split()[:2]
    return int(number) * (60 if unit.startswith("minute") else 1)


def test_twenty_wrong_passwords_from_one_address_do_not_stop_the_right_one_from_another(clock, queue):
    alice = AdvocateFactory(username="alice")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    # Twenty wrong passwords, each waiting out the delay it is given, so all twenty are checked.
    for n in range(20):
        answer = _sign_in(attacker, "alice", f"guess{n}")
        if REFUSED in _text(answer):
            clock.shift(_wait_in(answer))
            answer = _sign_in(attacker, "alice", f"guess{n}")
        assert WRONG in _text(answer), n
    assert SignIn.objects.filter(outcome="failed", address=ATTACKER).count() == 20

    owner = Client(REMOTE_ADDR=OWNER)
    answer = _sign_in(owner, "alice")
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert _signed_in_as(owner, alice)
    assert owner.get("/").status_code == 200


@override_settings(PASSWORD_HASHERS=["access.tests.test_sign_in_limits.CountingHasher"])
def test_the_flooding_address_is_refused_unchecked_until_its_delay_passes(clock, queue):
    alice = AdvocateFactory(username="alice")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    waits = []
    for n in range(5):
        assert WRONG in _text(_sign_in(attacker, "alice", f"guess{n}"))
    for _ in range(4):  # the delay doubles with each further failure: 30 s, 1 min, 2 min, 4 min
        refused = _sign_in(attacker, "alice", "guess")
        waits.append(_wait_in(refused))
        clock.shift(waits[-1])
        assert WRONG in _text(_sign_in(attacker, "alice", "guess"))
    assert waits == [30, 60, 120, 240]

    CountingHasher.checks = 0
    refused = _sign_in(attacker, "alice", "pw")  # the right password
    assert "Too many failed sign-in attempts. Try again in 8 minutes." in _text(refused)
    assert CountingHasher.checks == 0  # refused before the password was looked at: no oracle
    assert not _signed_in_as(attacker, alice)
    assert SignIn.objects.order_by("-pk").values_list("outcome", flat=True)[0] == "refused"

    clock.shift(timedelta(minutes=8))
    answer = _sign_in(attacker, "alice")
    assert answer.status_code == 302 and _signed_in_as(attacker, alice)
    assert CountingHasher.checks == 1


def test_the_delay_stops_growing_at_its_cap(clock, queue):
    AdvocateFactory(username="alice")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    waits = []
    for n in range(12):
        answer = _sign_in(attacker, "alice", f"guess{n}")
        if REFUSED in _text(answer):
            waits.append(_wait_in(answer))
            clock.shift(waits[-1])
            assert WRONG in _text(_sign_in(attacker, "alice", f"guess{n}"))
    assert waits == [30, 60, 120, 240, 480, 900, 900]  # DESK_SIGNIN_MAX_DELAY_MINUTES = 15


def test_thirty_people_behind_one_office_address_with_typos_all_sign_in(clock, queue):
    people = [AdvocateFactory(username=f"person{n}") for n in range(30)]
    for n, person in enumerate(people):
        client = Client(REMOTE_ADDR=OFFICE)
        for typo in range(1 + n % 2):
            assert WRONG in _text(_sign_in(client, person.username, f"typo{typo}"))
        clock.shift(5)
        answer = _sign_in(client, person.username)
        assert answer.status_code == 302 and _signed_in_as(client, person), person.username
    assert SignIn.objects.filter(outcome="succeeded").count() == 30
    assert not SignIn.objects.filter(outcome="refused").exists()


def test_guesses_spread_over_fifty_addresses_slow_only_places_the_account_never_used(clock, queue):
    alice = AdvocateFactory(username="alice")
    usual = Client(REMOTE_ADDR=OWNER)
    assert _sign_in(usual, "alice").status_code == 302
    _sign_out(usual)
    clock.shift(3600)

    outcomes = []
    for n in range(1, 51):
        answer = _sign_in(Client(REMOTE_ADDR=f"203.0.113.{n}"), "alice", "x")
        outcomes.append("failed" if WRONG in _text(answer) else "refused")
        clock.shift(1)
    failed = outcomes.count("failed")
    assert outcomes[:10] == ["failed"] * 10  # DESK_SIGNIN_ACCOUNT_FAILURES free, then 1 s doubling
    assert failed < 20, outcomes
    assert SignIn.objects.filter(outcome="refused", username="alice").count() == 50 - failed

    # A place the account never used waits (a minute at most)...
    elsewhere = Client(REMOTE_ADDR="198.51.100.200")
    refused = _sign_in(elsewhere, "alice")
    assert 0 < _wait_in(refused) <= 60
    # ... while the owner's usual address signs in at once, with the browser it used or another one.
    another_browser = Client(REMOTE_ADDR=OWNER)
    assert _sign_in(another_browser, "alice").status_code == 302 and _signed_in_as(another_browser, alice)
    assert _sign_in(usual, "alice").status_code == 302 and _signed_in_as(usual, alice)
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.201"), "alice").status_code == 200  # still slowed
    clock.shift(_wait_in(refused))
    assert _sign_in(elsewhere, "alice").status_code == 302 and _signed_in_as(elsewhere, alice)


def test_one_address_trying_many_names_is_refused_but_not_its_known_browsers(clock, queue):
    AdvocateFactory(username="ada")
    bo = AdvocateFactory(username="bo")
    bo_browser = Client(REMOTE_ADDR=OFFICE)
    assert _sign_in(bo_browser, "bo").status_code == 302  # bo's browser is known from now on
    _sign_out(bo_browser)
    sprayer = Client(REMOTE_ADDR=OFFICE)
    for n in range(100):  # DESK_SIGNIN_FAILURES_PER_ADDRESS
        assert WRONG in _text(_sign_in(sprayer, f"name{n}", "Summer2026!"))
        clock.shift(1)
    refused = _sign_in(Client(REMOTE_ADDR=OFFICE), "ada")
    assert REFUSED in _text(refused) and 0 < _wait_in(refused) <= 15 * 60
    assert _sign_in(Client(REMOTE_ADDR=OWNER), "ada").status_code == 302  # elsewhere: unaffected
    assert _sign_in(bo_browser, "bo").status_code == 302  # bo's own browser at the office
    assert _signed_in_as(bo_browser, bo)


def test_a_guesser_in_the_same_office_does_not_hold_up_the_owners_browser(clock, queue):
    alice = AdvocateFactory(username="alice")
    browser = Client(REMOTE_ADDR=OFFICE)
    assert _sign_in(browser, "alice").status_code == 302
    _sign_out(browser)
    colleague = Client(REMOTE_ADDR=OFFICE)
    for n in range(5):
        assert WRONG in _text(_sign_in(colleague, "alice", f"guess{n}"))
    assert REFUSED in _text(_sign_in(colleague, "alice"))
    assert _sign_in(browser, "alice").status_code == 302 and _signed_in_as(browser, alice)
    assert SignIn.objects.filter(outcome="succeeded").exclude(device="").count() == 1


@override_settings(DESK_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_counts_by_its_forwarded_address(clock, queue):
    alice = AdvocateFactory(username="alice")
    # The attacker sends its own X-Forwarded-For; the proxy appends the address it saw.
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.99, {ATTACKER}")
    for n in range(20):
        _sign_in(attacker, "alice", f"guess{n}")
    assert set(SignIn.objects.values_list("address", flat=True)) == {ATTACKER}
    assert SignIn.objects.filter(outcome="failed").count() == 5
    assert SignIn.objects.filter(outcome="refused").count() == 15
    # Straight to the desk's port (not through the proxy), a claimed address is not believed.
    direct = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OWNER)
    assert REFUSED in _text(_sign_in(direct, "alice"))
    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OWNER)
    assert _sign_in(owner, "alice").status_code == 302 and _signed_in_as(owner, alice)
    assert SignIn.objects.get(outcome="succeeded").address == OWNER


@pytest.mark.django_db(transaction=True)
@override_settings(PASSWORD_HASHERS=["access.tests.test_sign_in_limits.SlowHasher"])
def test_attempts_sent_together_at_the_edge_get_one_guess_between_them(queue):
    """Four connections at once, when one failure is left before the delay: one is checked, three are
    refused, so parallel connections add no guesses (without the hold all four were checked)."""
    AdvocateFactory(username="alice")
    for n in range(4):
        assert WRONG in _text(_sign_in(Client(REMOTE_ADDR=ATTACKER), "alice", f"guess{n}"))
    start = threading.Barrier(4)
    answers = []

    def attempt(n):
        try:
            client = Client(REMOTE_ADDR=ATTACKER)
            start.wait()
            answers.append(_text(_sign_in(client, "alice", f"again{n}")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(WRONG in a for a in answers) == [False, False, False, True]
    # The 30 s delay counts down while the slow hasher holds the checked one: 29 s on a busy machine.
    waits = [int(m.group(1)) for a in answers if (m := re.search(r"Try again in (\d+) seconds\.", a))]
    assert len(waits) == 3 and all(25 <= w <= 30 for w in waits), waits
    assert SignIn.objects.filter(outcome="failed").count() == 5
    assert SignIn.objects.filter(outcome="refused").count() == 3


def test_the_owner_is_emailed_once_per_window_and_told_at_their_next_sign_in(
    clock, queue, tasks_run_inline, django_capture_on_commit_callbacks, caplog
):
    alice = AdvocateFactory(username="alice", email="alice@example.com")
    AdvocateFactory(username="bo")  # no e-mail, nothing sent
    attacker = Client(REMOTE_ADDR=ATTACKER)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            _sign_in(attacker, "alice", f"guess-{n}")
            _sign_in(attacker, "bo", f"guess-{n}")
    assert len(mail.outbox) == 1
    clock.shift(30)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _sign_in(Client(REMOTE_ADDR="203.0.113.77"), "alice", "guess-77")
    assert callbacks == [] and len(mail.outbox) == 1  # once per window
    sent = mail.outbox[0]
    assert sent.to == ["alice@example.com"]
    assert "5 failed sign-in attempts on your account since your last sign-in, from 203.0.113.5." in sent.body
    assert not any("guess-" in r.getMessage() for r in caplog.records)  # passwords are never logged

    clock.shift(timedelta(minutes=15))  # the next window
    with django_capture_on_commit_callbacks(execute=True):
        _sign_in(attacker, "alice", "guess-again")
    assert len(mail.outbox) == 2
    assert "7 failed sign-in attempts" in mail.outbox[1].body and "203.0.113.77" in mail.outbox[1].body

    owner = Client(REMOTE_ADDR=OWNER)
    page = owner.post("/accounts/login/", {"login": "alice", "password": "pw"}, follow=True)
    assert _signed_in_as(owner, alice)
    assert (
        "7 failed sign-in attempts on your account since your last sign-in, from 203.0.113.5, 203.0.113.77."
        in _text(page)
    )
    _sign_out(owner)
    page = owner.post("/accounts/login/", {"login": "alice", "password": "pw"}, follow=True)
    assert "failed sign-in attempt" not in _text(page)  # counted since the last sign-in
