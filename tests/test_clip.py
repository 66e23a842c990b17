"""The templates' `clip` filter answers what Django's `truncatechars` answers, for any text and length (it is only
faster): hypothesis draws texts with combining marks, wide characters and ASCII, and lengths around theirs."""

from __future__ import annotations

from django.template.defaultfilters import truncatechars
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
