"""The Community page's daily rollups on PostgreSQL (metrics.models.CommunityDay; its sums CommunitySentimentDay, over
judgement and intent, and CommunityChoiceDay, over the channels per choice; CommunityTermDay and its sum over the
channels, CommunityTermSumDay), rebuilt for every
"ticket" day the KPI rollups rebuild (metrics.rollups.rollups_refresh runs COMMUNITY_DAYS_SQL after TICKET_DAYS_SQL,
with the same day's parameters, then CommunityIdentityDay's, metrics.community.past_stamp, and CommunityPersonDay's,
metrics.community.person_rollup), so a read that refreshes the KPI rollups refreshes these too."""

from __future__ import annotations

import re
import string

from metrics.statement_triggers import emptying_function_sql, triggers_create_sql, triggers_drop_sql

# Message.Kind.PRIVATE, spelled out so the migrations that import this SQL import no models (metrics/tests/
# test_community_rollup.py checks it still matches).
PRIVATE = "private"
TERM_MIN, TERM_MAX = 4, 32
# fmt: off
STOPWORDS = frozenset((
    "about", "above", "after", "again", "against", "also", "anyone", "anything", "because", "been", "before",
    "being", "below", "between", "both", "cannot", "could", "didn", "doesn", "does", "doing", "done", "down",
    "during", "each", "even", "every", "from", "further", "have", "having", "here", "hers", "into", "just", "know",
    "like", "make", "more", "most", "much", "must", "need", "only", "other", "ours", "over", "really", "same",
    "should", "since", "some", "still", "such", "than", "that", "their", "theirs", "them", "then", "there", "these",
    "they", "thing", "think", "this", "those", "through", "under", "until", "very", "want", "were", "what", "when",
    "where", "which", "while", "will", "with", "would", "your", "yours", "yourself", "anybody", "someone",
    "something", "thanks", "thank", "please", "hello", "http", "https",
))
# fmt: on
LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
CUT = re.compile(r"[^a-z0-9]+")


# A day's rows are rebuilt for some of its channels, or for all of them: `%(channels)s`, an array of channel ids, NULL
# for every channel (metrics.rollups.ticket_marks_sql says why). The parameters are sent as literals, so the planner
# folds the NULL test away either way.
def in_slice(alias: str) -> str:
    """The SQL condition that a row of `alias` is in the slice being rebuilt."""
    return f"(%(channels)s::bigint[] IS NULL OR {alias}.channel_id = ANY(%(channels)s::bigint[]))"


# The rule as SQL on `mentions_ticket t` (metrics.community.rollup).
COUNTED_SQL = (
    "t.merged_into_id IS NULL AND NOT EXISTS (SELECT 1 FROM mentions_message m WHERE m.ticket_id = t.id "
    f"AND m.kind = '{PRIVATE}' AND m.platform_created_at <= t.requested_at)"
)
_SQL_STOPWORDS = ", ".join(f"'{w}'" for w in sorted(STOPWORDS))
# The terms of `t.subject`, one row per distinct term (`w.term`).
TERMS_SQL = f"""
    CROSS JOIN LATERAL (
        SELECT DISTINCT x AS term FROM regexp_split_to_table(
            translate(t.subject, '{string.ascii_uppercase}', '{string.ascii_lowercase}'), '[^a-z0-9]+') x
        WHERE length(x) BETWEEN {TERM_MIN} AND {TERM_MAX} AND x !~ '^[0-9]+$' AND x NOT IN ({_SQL_STOPWORDS})
    ) w
"""

# CommunityDay's row `c` as one row per choice column (metrics.models_community.CommunityChoiceDay).
CHOICES_SQL = (
    "CROSS JOIN LATERAL (VALUES ('intent', c.intent), ('judgement', c.judgement), ('sentiment', c.sentiment)) "
    "v(choice, value)"
)

# One slice of a day (its channel, or every channel); CommunityChoiceDay, over every channel, from the whole day's
# CommunityDay rows (a few hundred at most).
COMMUNITY_DAYS_SQL = f"""
DELETE FROM metrics_communityday d WHERE d.day = %(day)s AND {in_slice("d")};
INSERT INTO metrics_communityday (day, channel_id, product_id, judgement, intent, sentiment, mentions)
SELECT %(day)s, t.channel_id, coalesce(t.product_id, 0), t.judgement, t.intent, t.sentiment, count(*)
FROM mentions_ticket t
WHERE t.requested_at >= %(since)s AND t.requested_at < %(until)s AND {in_slice("t")} AND {COUNTED_SQL}
GROUP BY t.channel_id, coalesce(t.product_id, 0), t.judgement, t.intent, t.sentiment;
DELETE FROM metrics_communitysentimentday d WHERE d.day = %(day)s AND {in_slice("d")};
INSERT INTO metrics_communitysentimentday (day, channel_id, product_id, sentiment, mentions)
SELECT %(day)s, d.channel_id, d.product_id, d.sentiment, sum(d.mentions) FROM metrics_communityday d
WHERE d.day = %(day)s AND {in_slice("d")}
GROUP BY d.channel_id, d.product_id, d.sentiment;
DELETE FROM metrics_communitychoiceday WHERE day = %(day)s;
INSERT INTO metrics_communitychoiceday (day, product_id, choice, value, mentions)
SELECT %(day)s, c.product_id, v.choice, v.value, sum(c.mentions) FROM metrics_communityday c
{CHOICES_SQL}
WHERE c.day = %(day)s GROUP BY c.product_id, v.choice, v.value;
DELETE FROM metrics_communitytermday d WHERE d.day = %(day)s AND {in_slice("d")};
INSERT INTO metrics_communitytermday (day, channel_id, product_id, term, mentions)
SELECT %(day)s, t.channel_id, coalesce(t.product_id, 0), w.term, count(*)
FROM mentions_ticket t
{TERMS_SQL}
WHERE t.requested_at >= %(since)s AND t.requested_at < %(until)s AND {in_slice("t")} AND {COUNTED_SQL}
GROUP BY t.channel_id, coalesce(t.product_id, 0), w.term;
DELETE FROM metrics_communitytermsumday WHERE day = %(day)s;
INSERT INTO metrics_communitytermsumday (day, product_id, term, mentions)
SELECT %(day)s, d.product_id, d.term, sum(d.mentions) FROM metrics_communitytermday d
WHERE d.day = %(day)s GROUP BY d.product_id, d.term;
"""
# The day's CommunityIdentityDay rows: metrics.community.past_stamp.IDENTITY_DAYS_SQL, which says whether they changed.

# Every CommunityTermSumDay row at once, from CommunityTermDay: the migration that adds the rollup.
TERM_SUM_DAYS_BUILD_SQL = """
INSERT INTO metrics_communitytermsumday (day, product_id, term, mentions)
SELECT d.day, d.product_id, d.term, sum(d.mentions) FROM metrics_communitytermday d GROUP BY d.day, d.product_id, d.term
"""

# A TRUNCATE of the tickets or their events empties CommunityTermSumDay as metrics.rollups' trigger empties the others
# (a function of its own: that one is installed by earlier migrations, before this table exists).
_TERM_SUMS_TRIGGERS = [
    ("metrics_term_sums_ticket_trunc", "mentions_ticket", "TRUNCATE", "", "metrics_term_sums_truncated"),
    ("metrics_term_sums_event_trunc", "mentions_ticketevent", "TRUNCATE", "", "metrics_term_sums_truncated"),
]
TERM_SUMS_TRUNCATE_SQL = emptying_function_sql(
    "metrics_term_sums_truncated", "metrics_communitytermsumday"
) + triggers_create_sql(_TERM_SUMS_TRIGGERS)
DROP_TERM_SUMS_TRUNCATE_SQL = triggers_drop_sql(_TERM_SUMS_TRIGGERS, functions=("metrics_term_sums_truncated",))

# Every CommunityChoiceDay row at once, from CommunityDay: the migration that adds the rollup.
CHOICE_DAYS_BUILD_SQL = f"""
INSERT INTO metrics_communitychoiceday (day, product_id, choice, value, mentions)
SELECT c.day, c.product_id, v.choice, v.value, sum(c.mentions) FROM metrics_communityday c
{CHOICES_SQL}
GROUP BY c.day, c.product_id, v.choice, v.value
"""
