from datetime import timedelta

import pytest

from metrics.community import past_stamp


@pytest.fixture
def no_midnight_margin(monkeypatch):
    """Run in the minutes before midnight (UTC), the refresh would move the stamp for today's changes too: the tests of
    the most active members' kept ranking, which count its moves, turn the margin off."""
    monkeypatch.setattr(past_stamp, "MIDNIGHT_MARGIN", timedelta(0))
