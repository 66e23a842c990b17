"""The demo's answers (run by seed_demo after the week): questions the team answered weeks ago that this week's
mentions ask again in other words, so the Answers panel has something to suggest; a few saved replies; then the
index. The earlier questions go through the ingest pipeline like any polled page (our replies recognised as
ours), on the week's demo channels. Safe to run twice: what exists is left alone."""

# ruff: noqa: E501  (the samples are prose)

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from answers.index.follow import answers_index
from answers.models import Answer, SavedReply
from channels.adapters.base import IncomingMention
from channels.demo.channels import demo_slug
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket

# (channel kind, days ago, title, author, question, our reply, the question's truth: what a reader makes of it, as the
# demo threads' `truth`, channels/demo/threads/thread.py; all seven ask the team something)
EARLIER = [
    (
        "reddit",
        24,
        "Docker pulls from registry.gitlab.com fail with 429 in CI",
        "ci_carla",
        "Since this week roughly a third of our jobs die pulling images: 429 Too Many Requests. We pull the same node image in every job.",
        "That's the pull rate limit, not an outage. Point your jobs at the dependency proxy: it caches the images for your group and your jobs stop counting against the limit. https://docs.gitlab.com/ee/user/packages/dependency_proxy/",
        "needs_response",
    ),
    (
        "twitter",
        18,
        "",
        "devops_dan",
        "@gitlab our image pulls keep getting 'too many requests' in pipelines, is something down?",
        "No outage: that's the pull rate limit. The dependency proxy caches images for your jobs https://docs.gitlab.com/ee/user/packages/dependency_proxy/",
        "needs_response",
    ),
    (
        "stackexchange",
        30,
        "Kubernetes executor: helper image cannot be pulled in an air-gapped cluster",
        "offline_olga",
        "Our cluster has no egress. Every job pod fails with ErrImagePull on registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper. Can the runner use a helper image from our own registry?",
        "Yes: mirror the helper image into your registry and set `helper_image` in the `[runners.kubernetes]` section of config.toml (keep the tag matching your runner version). https://docs.gitlab.com/runner/configuration/advanced-configuration.html#helper-image",
        "needs_response",
    ),
    (
        "discourse",
        21,
        "New pipelines never leave 'created' after upgrading",
        "forum_greta",
        "Upgraded to 18.4 last night. Every new pipeline sits in created forever; runners are idle and online.",
        "The upgrade's background migration can leave Sidekiq's pipeline_processing queue paused. In Admin > Monitoring > Background jobs, check that queue and resume it; new pipelines start within a minute. https://docs.gitlab.com/ee/administration/sidekiq/",
        "needs_response",
    ),
    (
        "twitter",
        26,
        "",
        "prof_pablo",
        "@gitlab does your education programme cover a self-managed instance for our CS department?",
        "Yes, GitLab for Education gives free Ultimate seats for teaching and research, SaaS or self-managed: https://about.gitlab.com/solutions/education/",
        "needs_response",
    ),
    (
        "reddit",
        15,
        "Omnibus install on a 4 GB VM keeps swapping",
        "tiny_vm_tom",
        "Five users, a small VM, and GitLab takes all the memory. What can I turn off or down?",
        "Lower puma['worker_processes'] and sidekiq['concurrency'], turn off what you don't use (Prometheus, the registry), and follow the memory-constrained guide: https://docs.gitlab.com/omnibus/settings/memory_constrained_envs.html",
        "needs_response",
    ),
    (
        "discourse",
        28,
        "apt update: EXPKEYSIG for packages.gitlab.com",
        "apt_anya",
        "apt update now fails with EXPKEYSIG on the GitLab repository and I can't install the new release.",
        "The repository's signing key was rotated. Fetch the current key as the package signatures page shows, then apt update again: https://docs.gitlab.com/omnibus/update/package_signatures.html",
        "needs_response",
    ),
]

SAVED = [
    ("Thanks, looking into it", "status", "Thanks {requester}! We're looking into it and will update you here."),
    (
        "Known issue: link to the issue",
        "bug known issue tracker",
        "Thanks {requester}, this is a known issue: {link}. A thumbs-up there helps us prioritise it, and you'll be notified when it's fixed.",
    ),
    (
        "Outage: follow the status page",
        "down incident outage 502",
        "Hi {handle}, we're aware and working on it. Updates are on https://status.gitlab.com",
    ),
    (
        "Take it to the forum",
        "long question forum config",
        "Hi {handle}, this needs more room than a post here: could you open a topic on https://forum.gitlab.com with your .gitlab-ci.yml? We'll pick it up there.",
    ),
    (
        "Education programme",
        "university school student licence",
        "Hi {requester}, GitLab for Education gives free Ultimate seats for teaching and research: https://about.gitlab.com/solutions/education/",
    ),
]


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        advocate = get_user_model().objects.filter(username="advocate").first()
        now = timezone.now()
        made = 0
        for n, (kind, days, title, author, question, reply, _truth) in enumerate(EARLIER):
            channel = Channel.objects.filter(slug=demo_slug(kind)).first()
            root = f"demo-answered-{kind}-{n}"
            if channel is None or Message.objects.filter(channel=channel, external_id=root).exists():
                continue
            asked = now - timedelta(days=days, hours=3)
            mentions = [
                IncomingMention(external_id=root, created_at=asked, text=question, author_handle=author,
                                author_name=author, title=title, thread_id=root, raw={"demo": True}),
                IncomingMention(external_id=f"{root}-1", created_at=asked + timedelta(hours=2), text=reply,
                                author_handle=channel.our_accounts[0] if channel.our_accounts else "",
                                parent_id=root, thread_id=root, by_us=True, raw={"demo": True}),
            ]  # fmt: skip
            mentions_ingest(channel=channel, mentions=mentions)
            ticket_id = Message.objects.filter(channel=channel, external_id=root).values_list("ticket_id", flat=True)
            Ticket.objects.filter(pk__in=ticket_id).update(
                status=Ticket.Status.SOLVED, solved_at=asked + timedelta(hours=3), assignee=advocate
            )
            Message.objects.filter(channel=channel, external_id=f"{root}-1").update(author_user=advocate)
            made += 1
        for title, keywords, body in SAVED:
            SavedReply.objects.get_or_create(title=title, defaults={"keywords": keywords, "body": body})
        added = answers_index(everything=True)
        # The index's size, not what this run added: seeded again (`make demo-reset`), it adds few or none while
        # every answer is still there.
        total = Answer.objects.count()
        self.stdout.write(
            f"Answers: {made} earlier question{'s' if made != 1 else ''}, {len(SAVED)} saved replies, "
            f"{total} answer{'s' if total != 1 else ''} in the index ({added} added now)."
        )
