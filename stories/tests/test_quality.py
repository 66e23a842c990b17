"""The detector on the hand-written release-day afternoon (stories/eval/release_day.json, blind to the code):
the figures bench/README.md reports stay at least where they are. The seeded triage rules run, as on a desk
(their tags are words the detector reads). The set is replayed through the real ingest in
ten-minute slices, the detector after each, as stories_evaluate does."""

import pytest

from stories.evaluation import dataset_load, evaluate

pytestmark = pytest.mark.django_db


def test_each_story_is_found_and_unrelated_mentions_mostly_kept_out(handbook_rules):
    result = evaluate(dataset_load())
    figures = {s.label: s for s in result.stories}
    assert set(figures) == {"release", "outage", "viral"}
    # Release and the viral post: most of each story in one detected story, few intruders.
    for label in ("release", "viral"):
        assert figures[label].fragments <= 2, label
        assert figures[label].precision >= 0.8 and figures[label].recall >= 0.8, (label, figures[label])
    # The outage is told in few shared words (see docs/stories.md): held where it is, not where we want it.
    assert figures["outage"].precision >= 0.8 and figures["outage"].recall >= 0.45
    assert figures["viral"].precision >= 0.85
    assert result.unrelated_in_labelled <= 6  # of 48 unrelated mentions
