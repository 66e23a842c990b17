"""Whether a newly learned version judges the desk's new mentions (issue 68): the gate `judgement_learn` applies on
the desk's newest labelled tickets, which neither version learned from.

Why not "never lower needs-a-response recall" (issue 56's gate): a cold start that calls nearly everything "needs
a response" has a recall of 1.0, so no version could ever buy precision, and the queue stayed the whole stream. The
rule now keeps both sides above a floor and asks for a lower cost:

- needs-a-response recall stays at or above RECALL_FLOOR (0.9), or the active version's when that is lower: a
  person left unanswered is the costly error;
- noise precision stays at or above NOISE_PRECISION_FLOOR (0.95), or the active version's when lower, once the
  version calls FLOOR_CALLS (10) or more of the held-out mentions noise: a mention hidden as noise that was not;
- and the cost per mention (COSTS: what each kind of mistake costs the team, in minutes of an advocate's attention
  as the handbook weighs them) is lower than the active version's: fewer reads for nothing, more noise recognised.

With fewer than MIN_TO_TELL held-out labels nothing can be told, and the desk keeps learning: the new version, which
learned from more of the team's labels, judges unless it found fewer of the held-out mentions that need a response
than the active one; its note says the labels were too few to tell (judgement_learn)."""

from __future__ import annotations

from mentions.judgement.scoring import Scores, scores
from mentions.models.judgement import Judgement

RECALL_FLOOR = 0.9
NOISE_PRECISION_FLOOR = 0.95
# Noise precision on fewer calls than this says nothing (one mistake in two calls is 0.5): the cost, which weighs a
# person hidden as noise at 10, decides alone then.
FLOOR_CALLS = 10
MIN_TO_TELL = 25  # 100 labelled tickets hold back 25: the first time a team's week can tell
NR, WK, NOISE = Judgement.NEEDS_RESPONSE.value, Judgement.WORTH_KNOWING.value, Judgement.NOISE.value
# (label, judged) → cost. Missing a mention that needs a response costs most (an unanswered person; hidden as noise
# worse still); serving one that does not costs an advocate a read; calling noise worth knowing costs a glance.
COSTS: dict[tuple[str, str], float] = {
    (NR, WK): 5.0,
    (NR, NOISE): 10.0,
    (WK, NR): 1.0,
    (WK, NOISE): 2.0,
    (NOISE, NR): 1.0,
    (NOISE, WK): 0.5,
}


def cost(truth: list[str], judged: list[str]) -> float:
    """The mean cost per mention of `judged` against `truth` (0 when all are right)."""
    total = sum(COSTS.get((t, j), 0.0) for t, j in zip(truth, judged, strict=True))
    return round(total / len(truth), 3) if truth else 0.0


def silence(s: Scores) -> float:
    """Noise precision, the silence side: a version that calls nothing noise hides nobody (1.0)."""
    return 1.0 if s.noise_precision is None else s.noise_precision


def refusal(truth: list[str], new: list[str], current: list[str] | None) -> str:
    """Why the version that judged `new` may not replace the one that judged `current` on the same held-out labels,
    in words with both versions' figures ("" when it may)."""
    if current is None:
        return ""
    ours, theirs = scores(truth, new), scores(truth, current)
    recall, was = ours.needs_response_recall or 0.0, theirs.needs_response_recall or 0.0
    if len(truth) < MIN_TO_TELL:
        # Nothing can be told, so the desk keeps learning: the version that learned from more of the team's labels
        # judges, unless it missed one the active version found (the only thing so few labels can show).
        if recall < was:
            return (
                f"Too few held-out labels to tell ({len(truth)}; {MIN_TO_TELL} needed), and it found fewer of those "
                f"that need a response ({recall:.2f} against {was:.2f}): the active version stays."
            )
        return ""
    lowered = []
    if recall < min(RECALL_FLOOR, was):
        lowered.append(
            f"needs-a-response recall to {recall:.2f} (the active version: {was:.2f}; the floor {RECALL_FLOOR})"
        )
    called_noise = sum(j == NOISE for j in new)
    if called_noise >= FLOOR_CALLS and silence(ours) < min(NOISE_PRECISION_FLOOR, silence(theirs)):
        lowered.append(
            f"noise precision to {silence(ours):.2f} (the active version: {silence(theirs):.2f}; the floor "
            f"{NOISE_PRECISION_FLOOR})"
        )
    if lowered:
        return f"Would have lowered {' and '.join(lowered)} on the newest {len(truth)} labelled tickets."
    ours_cost, theirs_cost = cost(truth, new), cost(truth, current)
    if ours_cost < theirs_cost:
        return ""
    return (
        f"No lower cost on the newest {len(truth)} labelled tickets: {ours_cost:.2f} a mention against the active "
        f"version's {theirs_cost:.2f} (needs-a-response precision {_f(ours.needs_response_precision)} against "
        f"{_f(theirs.needs_response_precision)}, noise recall {_f(ours.noise_recall)} against "
        f"{_f(theirs.noise_recall)})."
    )


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def told(held: int) -> str:
    """The note of a version made active on too few held-out labels to tell ("" with enough)."""
    if held >= MIN_TO_TELL:
        return ""
    return (
        f"Too few held-out labels to tell ({held}; {MIN_TO_TELL} needed): used, since it learned from more of the "
        "team's labels and found as many of those that need a response; judged again at the next run."
    )
