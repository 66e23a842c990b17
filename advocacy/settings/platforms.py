"""The outside world the desk talks to: platform polling and HTTP, credentials' encryption key, outgoing mail,
Slack, and the desk's own public address (SITE_URL)."""

from .environment import env, networks_checked
from .tasks import CELERY_TASK_TIME_LIMIT

# A poll holds its channel's lease this long at most; it must outlive CELERY_TASK_TIME_LIMIT
# so a lease never lapses under a poll that is still running.
DESK_POLL_LEASE_SECONDS = env.int("DESK_POLL_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# A poll that stops short of a backlog (its request budget used) is followed this soon by the next.
DESK_BACKLOG_REPOLL_SECONDS = env.int("DESK_BACKLOG_REPOLL_SECONDS", default=15)
# Authors' karma where the platform's items do not carry it (Hacker News, Reddit: people.karma): at most this
# many lookups after each poll of a channel, for the authors whose figure is unknown or a week old.
DESK_KARMA_LOOKUPS_PER_POLL = env.int("DESK_KARMA_LOOKUPS_PER_POLL", default=20)
# Watched threads (mentions.services.watching): how long after our reply the thread is read for an
# answer to it, and how long an outreach's (or a share to Slack's) thread is read at most while unanswered.
DESK_WATCH_AFTER_REPLY_HOURS = env.int("DESK_WATCH_AFTER_REPLY_HOURS", default=48)
DESK_WATCH_OUTREACH_DAYS = env.int("DESK_WATCH_OUTREACH_DAYS", default=14)
# The answers to a DM sent from a ticket (intake.services.direct_replies): its conversation is read in the channel's
# poll for this many days after the DM, and no longer once its ticket has been solved this many days; at most this
# many requests a poll go to reading conversations.
DESK_DM_WATCH_DAYS = env.int("DESK_DM_WATCH_DAYS", default=14)
DESK_DM_SOLVED_DAYS = env.int("DESK_DM_SOLVED_DAYS", default=3)
DESK_DM_REQUESTS_PER_POLL = env.int("DESK_DM_REQUESTS_PER_POLL", default=10)
# An expert silent this many business hours (the coverage schedule's) after an outreach is nudged once in its
# Slack thread; as long again after the nudge, its advocate is told and the next expert offered (experts.nudge).
DESK_OUTREACH_NUDGE_HOURS = env.float("DESK_OUTREACH_NUDGE_HOURS", default=4.0)
# No channel polls more often than this, whatever its budget allows (channels.freshness).
DESK_POLL_FLOOR_SECONDS = env.int("DESK_POLL_FLOOR_SECONDS", default=20)
DESK_MAX_BACKOFF_SECONDS = env.int("DESK_MAX_BACKOFF_SECONDS", default=3600)
DESK_HTTP_TIMEOUT_SECONDS = env.float("DESK_HTTP_TIMEOUT_SECONDS", default=20.0)
# {"https://api.x.com/": "https://x-sandbox.example.com/"}: a platform's API reached at another
# address (a sandbox; the end-to-end tests' local fake). Empty in production.
DESK_PLATFORM_URL_OVERRIDES = env.json("DESK_PLATFORM_URL_OVERRIDES", default={})
# The demo desk (`make run`): every platform's API answered on this machine from the demo week
# (channels.demo.replay); any other host outside 127.0.0.1 is refused. Off in production.
DESK_DEMO_REPLAY = env.bool("DESK_DEMO_REPLAY", default=False)
# An issue linked to tickets is read again at most this often (stories.issues.follow), to be polite to the trackers'
# rate limits; on the demo desk, whose trackers are answered on this machine, every minute, so that a newcomer sees
# an issue filed from a ticket followed to done (and its follow-up drafted) in a few minutes.
DESK_ISSUE_FOLLOW_MINUTES = env.int("DESK_ISSUE_FOLLOW_MINUTES", default=1 if DESK_DEMO_REPLAY else 15)
# How far back a competitor's first search on a channel reads (share of voice, intake.services.competitors): a day,
# so naming one costs a day's results; on the demo desk a month, so its share of voice covers the demo's month.
# At most 720 (Bluesky's search reads no further).
DESK_COMPETITOR_BACKFILL_HOURS = env.int("DESK_COMPETITOR_BACKFILL_HOURS", default=720 if DESK_DEMO_REPLAY else 24)
# The desk fetches no loopback, private, link-local, shared or reserved address (advocacy.fetch_guard: status
# feeds, release sources, knowledge sources, platforms' base URLs, mailboxes' IMAP servers, the embeddings
# endpoint, Slack) unless it lies in one of these networks (CIDRs, comma-separated): a team's own GitLab,
# Discourse, mail or embeddings server.
DESK_FETCH_ALLOWED_NETWORKS = networks_checked(
    "DESK_FETCH_ALLOWED_NETWORKS", env.list("DESK_FETCH_ALLOWED_NETWORKS", default=[])
)
# Encrypts channel credentials at rest; derived from SECRET_KEY when unset.
DESK_ENCRYPTION_KEY = env.str("DESK_ENCRYPTION_KEY", default="")
DESK_USER_AGENT = env.str("DESK_USER_AGENT", default="TriageDesk/0.1 (+https://github.com/triage-desk)")

# --- Outgoing mail (replies to e-mail tickets) --------------------------------------------
# e.g. smtp+tls://user:password@smtp.example.com:587 ; the default prints mail to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The sender of the desk's own mail to its users and admins (failed sign-in attempts on their account:
# access/notices.py; webhook pause alerts: api/webhook_alerts.py); replies to e-mail tickets go out from
# their mailbox's address instead.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# --- Slack (expert outreach) --------------------------------------------------------------
# A bot token (xoxb-…) with chat:write; without it outreach cannot be sent (the page says so).
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api")
# The desk as a Slack app (slackapp; docs/platforms/slack-app.md): requests from Slack are verified with the
# app's signing secret; without it /slack/events/ and /slack/interactions/ answer 404. The bot's user id (U…)
# lets the app ignore its own messages. An app-level token (xapp-…) with connections:write runs Socket Mode.
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_BOT_USER_ID = env.str("SLACK_BOT_USER_ID", default="")
SLACK_APP_TOKEN = env.str("SLACK_APP_TOKEN", default="")
# Where the "Spam report" macro posts the ticket, with a link to the person who reported it
# (notifications/spam_report.py); empty: it posts nothing.
DESK_ABUSE_SLACK_CHANNEL = env.str("DESK_ABUSE_SLACK_CHANNEL", default="#abuse")
# Where the desk is reached from a browser, behind any proxy (https://desk.example.com): the
# callback addresses registered with each platform's OAuth app, links in Slack messages and
# suggested replies. DESK_BASE_URL is its older name, still read.
SITE_URL = env.str("SITE_URL", default=env.str("DESK_BASE_URL", default="http://127.0.0.1:8000")).rstrip("/")
DESK_BASE_URL = SITE_URL

# Stories (stories.detection.detector): a ticket joins a story whose latest mention is at most this many hours older;
# loose tickets form a new story within half of it.
DESK_STORY_WINDOW_HOURS = env.int("DESK_STORY_WINDOW_HOURS", default=24)
# Spikes (stories.detection.spikes): a story or a term with at least this many tickets in the last hour, and at least
# this many times its usual hourly rate, is announced once a day in the advocates' Slack channel.
DESK_STORY_SPIKE_MIN = env.int("DESK_STORY_SPIKE_MIN", default=5)
DESK_STORY_SPIKE_FACTOR = env.float("DESK_STORY_SPIKE_FACTOR", default=4.0)
