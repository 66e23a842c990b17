"""The templates' `clip` and `stamp` filters answer what Django's `truncatechars` and `date` answer, for any text
and length, any date and time in any time zone (they are only faster): hypothesis draws texts with combining
marks, wide characters and ASCII, and lengths around theirs; dates, aware and naive times, and a zone."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

from django.template import Context, Template
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from mentions.templatetags.desk import clip

TEXTS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="ascii"), max_size=300),
    st.text(alphabet="ae\u0301\u0308o\u0303 日本語🙂\n", max_size=60),
)


@given(TEXTS, st.integers(min_value=-2, max_value=320))
@example("Cafe\u0301 au lait", 5)
@example("x" * 181, 180)
@example("short", "not a number")
def test_clip_answers_what_truncatechars_answers(text, length):
    assert clip(text, length) == truncatechars(text, length)


ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham"])
WHEN = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.none(),
)
FORMATS = st.sampled_from(["c", "Y-m-d H:i", "Y-m-d", "j M H:i", "D j M", "F Y"])


@given(WHEN, FORMATS, ZONES)
def test_stamp_answers_what_date_answers(value, fmt, zone):
    def rendered(source: str) -> str:
        try:
            return Template(source).render(Context({"v": value}))
        except TypeError as exc:  # a date asked for its time: Django refuses, and so must we
            return f"refused: {exc}"

    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert rendered("{% load desk %}{{ v|stamp:'" + fmt + "' }}") == rendered("{{ v|date:'" + fmt + "' }}")


@given(
    st.one_of(
        st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
        st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
        st.none(),
    ),
    ZONES,
)
@example(datetime(2024, 2, 29, 12, tzinfo=UTC), "UTC")
def test_ago_answers_what_timesince_answers(value, zone):
    """Around now, in the past and the future (both say "0 minutes" then). Both read the clock: ours is asked
    before and after Django's, so a minute turning between them cannot fail the test."""
    context = Context({"v": value})
    ours = Template("{% load desk %}{{ v|ago }}")
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        before = ours.render(context)
        django = Template("{{ v|timesince }}").render(context)
        assert django in (before, ours.render(context))


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_ago_until_answers_what_timesince_until_answers(value, until):
    context = Context({"v": value, "u": until})
    ours = Template("{% load desk %}{{ v|ago:u }}").render(context)
    assert ours == Template("{{ v|timesince:u }}").render(context)
