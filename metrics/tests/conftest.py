from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from metrics.community import past_stamp
from metrics.tests.community_desk import TODAY


@pytest.fixture
def no_midnight_margin(monkeypatch):
    """The tests of the most active members' kept ranking count the stamp's moves, so their clock stands at noon of
    TODAY (ticking): far from midnight, where the refresh would move the stamp for today's changes too, and on the
    day the tests built their tickets around whenever the run reaches them."""
    monkeypatch.setattr(past_stamp, "MIDNIGHT_MARGIN", timedelta(0))
    with time_machine.travel(datetime.combine(TODAY, time(12), tzinfo=UTC), tick=True):
        yield
