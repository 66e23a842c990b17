-- Synthetic dataset for the search benchmark (bench/search.py): 1,000,000 tickets and
-- 3,000,000 messages whose words follow a Zipf-like law (word rank k drawn with probability
-- ~ log((k+1)/k)), so a few words are in a third of the messages and most are rare.
-- Run on an EMPTY, migrated database of your own (it deletes every ticket and message):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f bench/search_dataset.sql
-- "pipeline" (rank 6) is in ~30% of the messages; "registry" is in 300 ("registries" in 100
-- more); the phrase "merge train" is planted in 2,000; "kubernetes" in ~19%, "tfbte" in ~2%.
SET synchronous_commit = off;
SELECT setseed(0.13);

TRUNCATE mentions_ticket_tags, mentions_message, mentions_ticket, mentions_tag RESTART IDENTITY CASCADE;

INSERT INTO channels_channel (kind, name, slug, enabled, high_priority, poll_interval_seconds, config, our_accounts,
    slack_channel, cursor, health, last_error, consecutive_failures, lease_token, created_at, updated_at,
    credentials_encrypted, platform_status, usage)
SELECT 'hackernews', 'Bench ' || n, 'bench-' || n, false, n = 1, 300, '{}', '[]', '', '{}', 'ok', '', 0, '',
       now(), now(), '', '{}', '{}'
FROM generate_series(1, 5) n
ON CONFLICT (name) DO NOTHING;

INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT '!', false, 'bench_adv' || n, 'Bench', 'Advocate ' || n, '', false, true, now()
FROM generate_series(1, 10) n
ON CONFLICT (username) DO NOTHING;

CREATE TEMP TABLE vocab (rank int PRIMARY KEY, word text NOT NULL);
INSERT INTO vocab
SELECT n, CASE n
    WHEN 1 THEN 'gitlab' WHEN 2 THEN 'the' WHEN 3 THEN 'runner' WHEN 4 THEN 'build' WHEN 5 THEN 'docker'
    WHEN 6 THEN 'pipeline' WHEN 7 THEN 'cache' WHEN 8 THEN 'merge' WHEN 9 THEN 'deploy' WHEN 10 THEN 'error'
    WHEN 11 THEN 'kubernetes' WHEN 12 THEN 'issue' WHEN 13 THEN 'release' WHEN 14 THEN 'timeout'
    ELSE translate(substr(md5(n::text), 1, 4 + n % 5), '0123456789', 'qwrtypsdfg') END
FROM generate_series(1, 5000) n;

-- Channels and users by position, whatever ids they got.
CREATE TEMP TABLE ch AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM channels_channel WHERE slug LIKE 'bench-%';
CREATE TEMP TABLE adv AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM auth_user WHERE username LIKE 'bench_adv%';

INSERT INTO mentions_ticket (subject, status, priority, high_priority, requester_handle, requester_name, requester_url,
    reply_draft, requested_at, created_at, updated_at, channel_id, sla_breached, sla_target, reply_from_role,
    assignee_id)
SELECT 'Ticket ' || i, s.status, s.priority, s.priority IN ('high', 'urgent'), 'user' || (i % 200000),
       'Person ' || (i % 200000), '', '', timestamptz '2023-11-23' + (i * interval '94.6 seconds'), now(), now(),
       (SELECT id FROM ch WHERE n = 1 + i % 5), false, '', '',
       CASE WHEN s.status = 'new' THEN NULL ELSE (SELECT id FROM adv WHERE n = 1 + i % 10) END
FROM generate_series(1, 1000000) i
CROSS JOIN LATERAL (SELECT
    CASE WHEN i > 990000 THEN (ARRAY['new', 'open', 'pending'])[1 + i % 3] ELSE 'solved' END AS status,
    (ARRAY['low', 'normal', 'normal', 'normal', 'normal', 'normal', 'high', 'urgent'])[1 + i % 8] AS priority) s;

-- Three messages per ticket, ids in ticket (time) order; 20 words each.
INSERT INTO mentions_message (ticket_id, channel_id, kind, external_id, parent_external_id, thread_external_id,
    author_handle, author_name, author_url, title, body, permalink, platform_created_at, raw, mentioned,
    created_at, updated_at)
SELECT t.id, t.channel_id, CASE WHEN k = 2 THEN 'our_reply' ELSE 'inbound' END, 'b' || t.id || '-' || k, '', '',
       CASE WHEN k = 2 THEN 'gitlab' ELSE t.requester_handle END, CASE WHEN k = 2 THEN 'GitLab' ELSE t.requester_name END,
       '', CASE WHEN k = 1 THEN 'Ticket ' || t.id ELSE '' END,
       (SELECT string_agg(voc.w[least(5000, floor(power(5000, random()))::int + 0 * g * t.id * k)], ' ')
          FROM generate_series(1, 20) g)
         || CASE WHEN (t.id * 3 + k) % 10000 = 7 THEN ' registry' WHEN (t.id * 3 + k) % 30000 = 11 THEN ' registries'
                 WHEN (t.id * 3 + k) % 1500 = 5 THEN ' the merge train stalled' ELSE '' END,
       '', t.requested_at + k * interval '7 minutes', '{}', '[]', now(), now()
FROM mentions_ticket t CROSS JOIN generate_series(1, 3) k CROSS JOIN (SELECT array_agg(word ORDER BY rank) AS w FROM vocab) voc
ORDER BY t.id, k;

INSERT INTO mentions_tag (name, created_at, updated_at)
SELECT name, now(), now() FROM unnest(ARRAY['bug', 'feature-request', 'security', 'downtime', 'support-question',
    'spam', 'ci', 'registry-outage', 'pricing', 'praise']) name;
INSERT INTO mentions_ticket_tags (ticket_id, tag_id)
SELECT t.id, (SELECT id FROM mentions_tag ORDER BY id OFFSET (t.id % 10) LIMIT 1)
FROM mentions_ticket t WHERE t.id % 3 = 0;

ANALYZE mentions_ticket; ANALYZE mentions_message; ANALYZE mentions_ticket_tags; ANALYZE mentions_tag;
