"""The demo's stories (after seed_demo): a release day told by 20 mentions on X, Reddit, Mastodon and Bluesky, all
linking to the release post, and an outage told on X, Reddit and Hacker News with the status page's incident, stored
through the ingest pipeline like any polled page and grouped by the story detector. The release story gets its answer
drafted for each ticket, every one from our connected account there (channels.demo.accounts: the platforms' replays
answer what the desk sends), so "send them all" posts the 20 answers from the desk; the outage story is answered,
two of its tickets marked replied. No network: the mentions are built here (Mastodon's and Bluesky's as their demo
instance serves a post, read by the adapter's parser). Safe to run twice: stories already there are left alone."""

# ruff: noqa: E501  (the samples are prose)

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.adapters.bluesky.replay import view_of as bluesky_view
from channels.adapters.mastodon.replay import status as mastodon_status
from channels.adapters.registry import get_adapter
from channels.adapters.twitter.replay import user_id as x_user_id
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.replay_kit import zulu
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.models import DutySettings
from stories.answering.services import story_answer_prepare, story_reply_mark
from stories.detection.detector import stories_detect
from stories.detection.editing import story_rename
from stories.detection.text import link_normalise
from stories.management.commands._demo_release import release_plan_seed
from stories.models import Membership, Story

# The release post's address as GitLab dates it, on the demo's release day: the day of the first release-day mention
# (the story's day), so the queue's release day, the story, the release plan and the post agree.
RELEASE = "https://about.gitlab.com/releases/{day}/gitlab-18-6-released/"
INCIDENT = "https://status.gitlab.com/pages/incident/5b36dc6502d06804c08349f7/6741a9c2"

# (platform, minutes before now, author, title, text, truth): `truth` is what a reader makes of the mention, as the demo
# threads' (channels/demo/threads/thread.py)
RELEASE_DAY = [
    (
        "twitter",
        290,
        "devops_dana",
        "",
        f"@gitlab 18.6 is out and the new runner helper image broke every docker-in-docker job we have. Is there a flag to keep the old one? {RELEASE}",
        "needs_response",
    ),
    (
        "mastodon",
        280,
        "tptacek_fan@hachyderm.io",
        "",
        f"The interesting bit in the 18.6 notes is the helper image switch. Anyone know if pinned helper images still work? {RELEASE}",
        # A question to other users ("anyone know"), not to the team.
        "worth_knowing",
    ),
    (
        "reddit",
        270,
        "ci_carla",
        "18.6 upgrade: jobs fail with 'helper image not found'",
        f"Upgraded our self-managed instance this morning. Every job that pins helper_image now fails with 'not found'. Release post: {RELEASE}",
        "needs_response",
    ),
    (
        "twitter",
        262,
        "kube_kim",
        "",
        f"@gitlab after 18.6 our k8s runners pull a different helper image and air-gapped clusters can't reach it {RELEASE}",
        "needs_response",
    ),
    (
        "twitter",
        251,
        "pipeline_pat",
        "",
        f"Loving the faster pipelines in 18.6 but my DinD builds are red since the upgrade @gitlab {RELEASE}",
        "needs_response",
    ),
    (
        "reddit",
        244,
        "selfhosted_sven",
        "Is anyone else's runner broken after 18.6?",
        f"gitlab-runner 18.6 + docker executor: 'failed to pull helper image'. Rolled back for now. {RELEASE}",
        # Arguable: "anyone else" asks other users, but it is a bug report in the product's own subreddit.
        "needs_response",
    ),
    (
        "bluesky",
        236,
        "jdoe",
        "",
        f"We hit this too: pinned helper image tags are gone after 18.6, see the deprecations section {RELEASE}",
        # Arguable: the bug in passing, pointing others to the docs; nothing asked of anyone.
        "worth_knowing",
    ),
    (
        "twitter",
        225,
        "sre_rosa",
        "",
        f"@gitlab is the helper image change in 18.6 documented anywhere? our mirror doesn't have it {RELEASE}",
        "needs_response",
    ),
    (
        "twitter",
        214,
        "ops_omar",
        "",
        f"@gitlab GitLab Runner 18.6: helper_image pin ignored?? {RELEASE}",
        "needs_response",
    ),
    (
        "reddit",
        203,
        "homelab_hana",
        "Helper image pin ignored in 18.6?",
        f"My config.toml pins helper_image and 18.6 ignores it. Bug or intended? {RELEASE}",
        "needs_response",
    ),
    (
        "mastodon",
        196,
        "throwaway_ci@fosstodon.org",
        "",
        f"Release notes say the helper image moved registries in 18.6. That breaks every mirror setup I know of. {RELEASE}",
        # A grumble addressed to nobody.
        "worth_knowing",
    ),
    (
        "twitter",
        185,
        "build_bea",
        "",
        f"@gitlab 18.6 broke our Windows runners too, same helper image error {RELEASE}",
        "needs_response",
    ),
    (
        "reddit",
        171,
        "gitlab_newbie",
        "Confused by the runner change in 18.6",
        f"Not sure what I need to change after the 18.6 upgrade, the post mentions the helper image but not how to update my pin. {RELEASE}",
        "needs_response",
    ),
    (
        "twitter",
        160,
        "cloud_chen",
        "",
        f"@gitlab any ETA for a fix for the 18.6 helper image pin regression? {RELEASE}",
        "needs_response",
    ),
    (
        "bluesky",
        148,
        "mirror_mike",
        "",
        f"Mirrors need the new helper image path, the old one 404s since 18.6 {RELEASE}",
        # Arguable: the old path 404s, but it is said to other users, as advice.
        "worth_knowing",
    ),
    (
        "reddit",
        131,
        "devsecops_dev",
        "18.6 helper image and our mirror",
        f"We mirror every image internally. After 18.6 runners ask for a path our mirror doesn't have. {RELEASE}",
        "needs_response",
    ),
    (
        "twitter",
        117,
        "qa_quinn",
        "",
        f"@gitlab rolled back to 18.5 because of the helper image thing in 18.6, tell me when it's safe {RELEASE}",
        "needs_response",
    ),
    (
        "mastodon",
        96,
        "old_timer",
        "",
        f"Pinning helper images was the documented way for air-gapped installs. 18.6 quietly changed that. {RELEASE}",
        # A grumble addressed to nobody.
        "worth_knowing",
    ),
    (
        "reddit",
        82,
        "runner_ron",
        "PSA: 18.6 helper image path changed",
        f"If your jobs fail after 18.6, it's the helper image path. Workaround until a fix: update the pin to the new registry path. {RELEASE}",
        # Another user's workaround (a PSA).
        "worth_knowing",
    ),
    (
        "twitter",
        64,
        "late_lou",
        "",
        f"@gitlab same helper image error on 18.6 here, any workaround? {RELEASE}",
        "needs_response",
    ),
]
OUTAGE = [
    (
        "twitter",
        48,
        "push_petra",
        "",
        f"@gitlab is gitlab.com down? 502 on every git push {INCIDENT}",
        "needs_response",
    ),
    (
        "twitter",
        44,
        "merge_max",
        "",
        f"@gitlab getting 502s on merge requests, status page says investigating {INCIDENT}",
        "needs_response",
    ),
    (
        "reddit",
        41,
        "ops_olga",
        "gitlab.com returning 502 for pushes",
        f"Pushes and the web UI give 502 since 20 minutes. Status page: {INCIDENT}",
        "needs_response",
    ),
    ("twitter", 37, "ci_ivan", "", f"@gitlab pipelines stuck and 502 everywhere {INCIDENT}", "needs_response"),
    # Arguable: an outage report, but telling Hacker News of an incident the status page already tracks
    (
        "hackernews",
        33,
        "sre_sarah",
        "",
        f"GitLab.com is having an incident right now, 502 on push: {INCIDENT}",
        "worth_knowing",
    ),
    ("twitter", 29, "dev_dora", "", f"@gitlab down again? 502 {INCIDENT}", "needs_response"),
]
RELEASE_ANSWER = "Thanks for flagging this! 18.6 moved the runner helper image to a new registry path, and pinned helper_image values that point at the old path fail. Update the pin to the new path (the upgrade notes show it); 18.6.1, out Thursday, accepts old pins again."
RELEASE_LINK = "https://docs.gitlab.com/runner/configuration/advanced-configuration/#helper-image"
OUTAGE_ANSWER = "Sorry about this: gitlab.com had elevated 502 errors on pushes and merge requests between 14:05 and 14:40 UTC. It is resolved; follow the incident for the details."


def release_day(now: datetime | None = None) -> date:
    """The demo's release day: when its first release-day mention was posted (the story's first day)."""
    earliest = max(minutes for _, minutes, *_ in RELEASE_DAY)
    return timezone.localdate((now or timezone.now()) - timedelta(minutes=earliest))


def release_url(day: date) -> str:
    return RELEASE.replace("{day}", f"{day:%Y/%m/%d}")


def _mention(kind: str, n: int, minutes: int, author: str, title: str, text: str) -> IncomingMention:
    at = timezone.now() - timedelta(minutes=minutes)
    text = text.replace(RELEASE, release_url(release_day()))
    if kind == "twitter":
        post_id = str(1_860_500_000_000_000_000 + n)
        # The post as X sends it (the demo's api.x.com names its author by the id it gives the handle): a DM to its
        # author needs that id, as for a polled post.
        raw = {
            "id": post_id,
            "text": text,
            "author_id": x_user_id(author),
            "conversation_id": post_id,
            "created_at": zulu(at),
        }
        return IncomingMention(
            external_id=post_id, created_at=at, text=text, author_handle=author, author_name=author.replace("_", " ").title(),
            author_url=f"https://x.com/{author}", permalink=f"https://x.com/{author}/status/{post_id}", thread_id=post_id,
            mentioned=("gitlab",), raw=raw,
        )  # fmt: skip
    if kind == "reddit":
        post_id = f"1h{n:04x}"
        return IncomingMention(
            external_id=f"t3_{post_id}", created_at=at, text=text, title=title, author_handle=author, author_name=author,
            author_url=f"https://www.reddit.com/user/{author}", permalink=f"https://www.reddit.com/r/gitlab/comments/{post_id}/",
            thread_id=f"t3_{post_id}",
        )  # fmt: skip
    if kind == "mastodon":
        # A status of the demo's mastodon.social, its id in the instance's form (a millisecond time shifted 16 bits,
        # then a place of its own), read by the adapter's parser as a poll would store it.
        status_id = str((int(at.timestamp() * 1000) << 16) + n)
        written = IncomingMention(external_id=status_id, created_at=at, text=text, author_handle=author)
        return _polled(kind, mastodon_status(written, status_id, None))
    if kind == "bluesky":
        # A post view of the demo's bsky.social (AT URI and CID as it makes them), read by the adapter's parser.
        written = IncomingMention(external_id="", created_at=at, text=text, author_handle=author)
        return _polled(kind, bluesky_view(written, "", index=n % 1024))
    story_id = 42_100_000 + n * 10
    return IncomingMention(
        external_id=str(story_id + 1), created_at=at, text=text, author_handle=author, author_name=author,
        author_url=f"https://news.ycombinator.com/user?id={author}", permalink=f"https://news.ycombinator.com/item?id={story_id + 1}",
        parent_id=str(story_id), thread_id=str(story_id),
    )  # fmt: skip


def _polled(kind: str, payload: dict[str, Any]) -> IncomingMention:
    (mention,) = get_adapter(kind).parse_payload([payload])
    return mention


def _channel(kind: str) -> Channel:
    """The demo channel of `kind` (seed_demo's), or one made for the stories alone, configured as the demo's."""
    found = Channel.objects.filter(slug=demo_slug("hn" if kind == "hackernews" else kind)).first()
    if found is not None:
        return found
    spec = DEMO_CHANNELS.get(kind, {"config": {"keywords": ["gitlab"]}, "our_accounts": []})
    channel, _ = Channel.objects.get_or_create(
        slug=f"{kind}-stories-demo",
        defaults={"kind": kind, "name": f"{kind} (stories demo)", "config": spec["config"],
                  "our_accounts": spec["our_accounts"]},
    )  # fmt: skip
    return channel


def _story_linking(url: str) -> Story | None:
    """The live story whose tickets share `url` (JSON containment is PostgreSQL's only: read in Python)."""
    key = link_normalise(url)
    return next((s for s in Story.objects.filter(merged_into__isnull=True) if key in s.links), None)


class Command(BaseCommand):
    help = "Demo stories: a release day of 20 mentions on X, Reddit, Mastodon and Bluesky, and an outage (no network)."

    def handle(self, *args: Any, **options: Any) -> None:
        if _story_linking(release_url(release_day())) is not None:
            self.stdout.write("Demo stories are there already.")
            return
        channels = {kind: _channel(kind) for kind in dict.fromkeys(kind for kind, *_ in RELEASE_DAY + OUTAGE)}
        for wave, base in ((RELEASE_DAY, 7000), (OUTAGE, 7500)):
            by_kind: dict[str, list[IncomingMention]] = {}
            for i, (kind, minutes, author, title, text, _truth) in enumerate(wave):
                by_kind.setdefault(kind, []).append(_mention(kind, base + i, minutes, author, title, text))
            for kind, mentions in by_kind.items():
                mentions_ingest(channel=channels[kind], mentions=mentions)
        result = stories_detect()
        self.stdout.write(f"Stories: {result.read} tickets read, {result.joined} joined, {result.made} stories made.")
        self._work()

    def _work(self) -> None:
        """What the team did so far: the release story named and drafted, the outage answered on two tickets."""
        User = get_user_model()
        advocate = User.objects.filter(username="advocate").first() or User.objects.filter(is_superuser=True).first()
        if advocate is None or not advocate.has_perm("mentions.work_queue"):
            return
        release, outage = _story_linking(release_url(release_day())), _story_linking(INCIDENT)
        if release is not None:
            story_rename(
                story=release, user=advocate, title="GitLab 18.6: pinned runner helper images fail after the upgrade"
            )
            story_answer_prepare(story=release, user=advocate, answer=RELEASE_ANSWER, link=RELEASE_LINK)
            release.refresh_from_db()
            plan = release_plan_seed(release, advocate, url=release_url(release_day()))  # its page shows the plan
            if plan is not None and DutySettings.objects.update(release_day=plan.release_date.day):
                # The queue's release day is the story's: a demo desk's only, made by seed_demo.
                self.stdout.write(f"Stories: release day is {plan.release_date:%a %d %b}, the release story's day.")
        if outage is not None:
            story_rename(story=outage, user=advocate, title="gitlab.com: 502 on pushes and merge requests")
            story_answer_prepare(story=outage, user=advocate, answer=OUTAGE_ANSWER, link=INCIDENT)
            first_two = Membership.objects.filter(story=outage).order_by("ticket__requested_at")[:2]
            for ticket_id in first_two.values_list("ticket_id", flat=True):
                link = f"https://x.com/gitlab/status/{1_860_600_000_000_000_000 + ticket_id}"
                story_reply_mark(story=outage, ticket_id=ticket_id, user=advocate, body="", link=link)
        self.stdout.write("Stories: the release story drafted for each ticket, the outage answered on two tickets.")
