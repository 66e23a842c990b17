"""Background work: Redis (broker and cache) or the embedded SQLite broker and file cache, Celery, and the one beat
schedule with the intervals its entries run at."""

from datetime import timedelta
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .environment import VAR_DIR, env

REDIS_URL = env.str("REDIS_URL", default="")
# Redis Sentinel: the sentinels' host:port and the name they know the master by. The broker and the cache then ask
# them where the master is, and follow it after a failover; REDIS_URL, if set, gives only the database number and
# the password (its host is not used).
REDIS_SENTINELS = env.list("REDIS_SENTINELS", default=[])
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="")
if REDIS_SENTINELS and not REDIS_SENTINEL_MASTER:
    raise ImproperlyConfigured("REDIS_SENTINELS is set: set REDIS_SENTINEL_MASTER to the master's name too.")

# A task taken by a worker that then died without a word (SIGKILL, the OOM killer, a machine lost) stays in Redis
# unacknowledged; another worker puts it back on its queue once it is this old (kombu's visibility timeout). It
# must exceed the longest task (CELERY_TASK_TIME_LIMIT) and the longest countdown a queued task waits out, or a
# task still running or waiting is handed to a second worker too. Celery's default, an hour.
DESK_BROKER_VISIBILITY_SECONDS = env.int("DESK_BROKER_VISIBILITY_SECONDS", default=3600)

if REDIS_URL or REDIS_SENTINELS:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": DESK_BROKER_VISIBILITY_SECONDS,
        # Look for such tasks every 10 s (one query per worker), not kombu's default of every 100 s (10 s, with
        # only every 10th look made); sooner when the timeout is short, as in tests/test_worker_kill.py.
        "unacked_restore_interval": max(1, min(10, DESK_BROKER_VISIBILITY_SECONDS // 10)),
        "unacked_restore_throttle": 1,
    }
    CACHES = {"default": {"BACKEND": "advocacy.cache_redis.SharedClientRedisCache", "LOCATION": REDIS_URL}}
    if REDIS_SENTINELS:
        _master = urlsplit(REDIS_URL or "redis://")
        _db = _master.path.strip("/") or "0"
        _auth = f":{quote(unquote(_master.password), safe='')}@" if _master.password else ""
        # kombu's sentinel transport: one sentinel:// address per sentinel, `;` between them; the first one's
        # password and database number are the master's.
        CELERY_BROKER_URL = ";".join(f"sentinel://{_auth}{sentinel}/{_db}" for sentinel in REDIS_SENTINELS)
        CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
        CACHES["default"] = {
            "BACKEND": "advocacy.cache_redis.SentinelRedisCache",
            "LOCATION": REDIS_SENTINELS,
            "OPTIONS": {
                "master_name": REDIS_SENTINEL_MASTER,
                "db": int(_db),
                "password": unquote(_master.password) if _master.password else None,
            },
        }
else:
    # A broker that needs no server, shared by the web, worker, meaning and beat processes `make run` starts: kombu's
    # SQLAlchemy transport on a SQLite file, with what several processes at once need (advocacy.broker: why not
    # kombu's filesystem transport, whose worker died on a half-written message file).
    CELERY_BROKER_URL = f"sqlite:///{VAR_DIR / 'broker.sqlite3'}"
    CELERY_BROKER_TRANSPORT = "advocacy.broker:Transport"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_TASK_IGNORE_RESULT = True
# The tasks that read or compute meaning (the sentence-embedding model, advocacy.embeddings) run on one queue, which
# one process serves (the Procfile's `meaning`, --pool=solo): the model is loaded once, not in every pool child of
# the main worker. The after-ingest task is among them because the story detector it runs reads the new tickets'
# meaning; it runs in the order the ingest queued it, before the judgement of the same tickets.
DESK_MEANING_QUEUE = env.str("DESK_MEANING_QUEUE", default="meaning")
# Work that waits on someone else's network has a queue per kind, so a slow kind never starves another: a platform
# answering polls slowly does not hold back a story's sends, and an hour of docs revalidation does not hold back a
# poll. One worker serves them all on a small install (the Procfile's `worker`); a large team runs a worker per
# queue (docs/operations.md, "Scaling out"). Everything else (sweeps, rollups: quick database work) stays on
# Celery's default queue, `celery`. Webhook deliveries name their queue when queued (DESK_WEBHOOK_QUEUE).
# Polls and pushed deliveries (Slack's events) that become tickets.
DESK_INGEST_QUEUE = env.str("DESK_INGEST_QUEUE", default="ingest")
# Posts to platforms and Slack that an advocate or a schedule is waiting on (a reply in the composer is sent in its
# request, not here; a story's answers and an issue's follow-ups are).
DESK_SENDS_QUEUE = env.str("DESK_SENDS_QUEUE", default="sends")
# Our docs fetched for the knowledge panel: many pages, each a slow GET. And the team's own language model's drafts,
# summaries and connection test (mentions.assistant), each request waiting on the team's endpoint up to its timeout.
DESK_KNOWLEDGE_QUEUE = env.str("DESK_KNOWLEDGE_QUEUE", default="knowledge")
# The queues the main worker (bin/desk-worker worker) serves, when not all of those advocacy/processes.py gives it:
# a large team runs a worker per queue, each started with its own list. Empty: the default list.
DESK_WORKER_QUEUES = env.list("DESK_WORKER_QUEUES", default=[])
# (queue, its tasks) pairs, not a dict keyed by queue: two queue settings given the same name must both route.
_QUEUE_TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        DESK_MEANING_QUEUE,
        (
            "intake.tickets_ingested",
            "mentions.judgement_run",
            "mentions.judgement_follow",
            "mentions.judgement_learn",
            "stories.detect",
            "answers.meaning_fill",
            "answers.suggest",
            "answers.suggestions_refresh",
            "answers.fit_learn",
        ),
    ),
    (
        DESK_INGEST_QUEUE,
        ("intake.poll_due", "intake.poll", "intake.watch_threads", "slackapp.event_work", "slackapp.events_sweep"),
    ),
    (
        DESK_SENDS_QUEUE,
        (
            "stories.answer_send",
            "stories.issue_followups_send",
            "stories.spike_alerts_send",
            "notifications.slack_flush",
            "notifications.community_post",
            "notifications.outreach_retry",
            "notifications.front_page_announce",
            "metrics.reports_send",
        ),
    ),
    (
        DESK_KNOWLEDGE_QUEUE,
        ("answers.docs_index", "answers.team_model_draft", "mentions.team_model_summaries", "mentions.team_model_test"),
    ),
)
CELERY_TASK_ROUTES = {name: {"queue": queue} for queue, names in _QUEUE_TASKS for name in names}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A task is acknowledged when it has run, not when it starts: a worker that dies mid-task leaves it to be run again
# (every task is idempotent: sends under their idempotency key, sweeps and polls by their rows' state).
CELERY_TASK_ACKS_LATE = True
# ...and that includes a pool process that dies mid-task (the OOM killer, a SIGKILL, a crash in a C library):
# without this, the worker's parent acknowledges the task it lost (WorkerLostError) and it is never run. Celery
# warns that a task that kills its process every time is then run again and again: that shows as the same task id
# in repeated WorkerLostError lines (docs/operations.md says what to do). A hard time limit
# (CELERY_TASK_TIME_LIMIT) is not a lost worker: such a task is acknowledged as failed, not retried.
# tests/test_worker_kill.py kills real workers both ways.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# One beat schedule, here, reviewed. Each entry expires so a backlog of stale dispatches
# (worker down for an hour) is dropped instead of replayed.
# A channel whose time has come waits up to one tick for its poll: short, because the check is one
# indexed query and every second of it is a second a new mention is not yet visible.
DESK_DISPATCH_SECONDS = env.int("DESK_DISPATCH_SECONDS", default=5)
# SLA breaches, after-hours urgent pings (and their retries), the end-of-day digest and
# advocate-for-a-day expiry all run on this beat; each task is idempotent, so a late or
# doubled run changes nothing.
DESK_CLOCK_SECONDS = env.int("DESK_CLOCK_SECONDS", default=120)
# A follow-up on an assigned ticket that its assignee has not acted on for this long returns
# the ticket to the queue (an hour: most of a working session, well inside the 5 h target).
DESK_FOLLOWUP_RETURN_MINUTES = env.int("DESK_FOLLOWUP_RETURN_MINUTES", default=60)


def _beat_schedule(*entries: tuple) -> dict:
    """Each entry (task, period[, expires]) named after its task (<app>.<task>, tests/test_task_names.py). A run no
    worker took within its period expires (the next one is on its way), or after `expires` seconds where given."""
    return {
        task: {
            "task": task,
            "schedule": period,
            "options": {"expires": int(more[0] if more else period.total_seconds())},
        }
        for task, period, *more in entries
    }


CELERY_BEAT_SCHEDULE = _beat_schedule(
    ("api.webhooks_run", timedelta(seconds=10)),
    # Slack deliveries stored while no worker could be asked (slackapp.tasks).
    ("slackapp.events_sweep", timedelta(seconds=60)),
    # Answered tickets join the suggestions beside the composer (answers.index.follow).
    ("answers.index", timedelta(seconds=60)),
    # Their meaning, behind the index, newest first (answers.suggestions.meaning), on the meaning queue.
    ("answers.meaning_fill", timedelta(seconds=60)),
    ("answers.prune", timedelta(hours=1)),
    # Stored suggestions (answers.suggestions.stored): the open tickets of the last two weeks whose suggestions are
    # older than the index's generation, or missing, computed again a batch a run, on the meaning queue.
    ("answers.suggestions_refresh", timedelta(seconds=60)),
    # "Nothing fits" learnt from what advocates did with the suggestions (answers.fit.use), on the meaning queue.
    ("answers.fit_learn", timedelta(hours=6), 3600),
    # Stories: tickets the after-ingest run missed join their story (stories.detection.detector).
    ("stories.detect", timedelta(seconds=60)),
    ("stories.prune", timedelta(hours=1)),
    # Status pages: the due feeds read, their incidents opening or joining stories (stories.incidents.polling).
    ("stories.status_poll", timedelta(seconds=120)),
    # Spikes the after-ingest checks missed, and the alerts still to post (stories.detection.spikes).
    ("stories.spikes", timedelta(seconds=60)),
    # Linked issues read (each at most every 15 minutes), follow-ups drafted when one closes (stories.issues.follow).
    ("stories.issues_follow", timedelta(seconds=60)),
    # Release day prepared: the blog's feed read, a release's story opened the day before (stories.releases).
    ("stories.releases", timedelta(minutes=5)),
    ("intake.poll_due", timedelta(seconds=DESK_DISPATCH_SECONDS)),
    ("metrics.rollups_refresh", timedelta(seconds=60)),
    # The Community page's most active members of its usual ranges ranked before a manager asks, so a day's first
    # view does not pay for the day that came (metrics.community.ahead).
    ("metrics.community_ahead", timedelta(minutes=5)),
    ("intake.watch_threads", timedelta(seconds=60)),
    ("notifications.urgent_sweep", timedelta(seconds=DESK_CLOCK_SECONDS)),
    ("mentions.sla_sweep", timedelta(seconds=DESK_CLOCK_SECONDS)),
    ("notifications.coverage_digest", timedelta(minutes=5)),
    # Mentions the after-ingest run missed (a worker down, the embeddings endpoint failing) and imported history are
    # judged (mentions.judgement.run): live ones first, newest first, about 15 s a run, idempotent. Often, so a
    # backlog (an import, an outage) drains behind the live tickets at most of the worker's pace.
    ("mentions.judgement_run", timedelta(seconds=20)),
    # The desk's own judgement model learns from its labelled tickets (mentions.judgement.learning): a new version
    # is kept, and made active only when it beats the active one on the newest labelled tickets.
    ("mentions.judgement_learn", timedelta(hours=6), 3600),
    # The product name's other senses, learned from the mentions labelled noise, suggested in admin as exclusion
    # terms (mentions.judgement.exclusions); applied only once a person accepts one.
    ("mentions.exclusions_suggest", timedelta(days=1), 3600),
    # Long threads that grew get the team model's summary (mentions.assistant.summary); one query when it is off.
    ("mentions.team_model_summaries", timedelta(seconds=60)),
    # Follow-ups on assigned tickets nobody acted on go back to the queue (mentions.services.followups).
    ("mentions.followups_return", timedelta(seconds=60)),
    # Experts silent on an outreach nudged once, then their advocate told (notifications.outreach_nudge).
    ("notifications.outreach_nudges", timedelta(seconds=60)),
    # Hand-overs past their deadline without the receiver acting go back to the giver (mentions.services.handover).
    ("mentions.handovers_return", timedelta(seconds=60)),
    # Snoozed tickets whose time came go back to their owner, or to the queue (mentions.services.snooze).
    ("mentions.snoozes_wake", timedelta(seconds=60)),
    ("mentions.advocate_grants_expire", timedelta(minutes=5)),
    # Connected accounts: tokens refreshed before they expire (channels.accounts.tokens).
    ("channels.accounts_refresh", timedelta(minutes=5)),
    # Replies whose worker died mid-send become "unknown" (mentions.services.replies).
    ("mentions.replies_sweep", timedelta(minutes=5)),
    # Slack routing: post what the outbox holds, batched per destination (notifications.outbox).
    ("notifications.slack_flush", timedelta(seconds=10)),
    # Scheduled reports to Slack and the managers (metrics.reports): due ones queued, waiting ones delivered.
    ("metrics.reports_send", timedelta(minutes=15)),
    # Our docs for the knowledge panel: new sitemap pages, then the oldest revalidated (answers.knowledge).
    ("answers.docs_index", timedelta(hours=1)),
)
