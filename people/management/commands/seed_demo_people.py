"""The demo's people (`manage.py seed_demo` runs it, after the week's mentions made their people through the
ingest): who among the week's authors the team knows (core contributors with their region, time zone and
what they contributed; customers; press), a name two accounts share for a likeness to confirm, one contributor's
two accounts already confirmed as one person (merged as *Same person* merges them), a batch of discount codes with
two handed out, and gifts. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand
from django.db import transaction
from django.utils import timezone

from advocacy.desk_settings import desk_settings_changed
from mentions.models import Ticket
from people.journey.asked import asked_rows
from people.journey.record import activities_add, contributions_record
from people.models import (
    Contribution,
    DiscountBatch,
    DiscountCode,
    Gift,
    Identity,
    Level,
    Person,
    PersonEvent,
    PersonTag,
    Recognition,
)
from people.services import person_merge

# (platform, handle): name, tags, region, time zone, notes
KNOWN = {
    ("hackernews", "m_okafor"): (
        "Mira Okafor",
        ["core contributor"],
        "emea",
        "Africa/Lagos",
        "Maintains the Helm chart linter; prefers e-mail over DMs.",
    ),
    ("hackernews", "kpetrov"): ("Kiril Petrov", ["core contributor"], "emea", "Europe/Sofia", ""),
    ("twitter", "oss_ola"): ("Ola Nowak", ["core contributor"], "emea", "Europe/Warsaw", "Runs the Kraków meetup."),
    ("discourse", "forum_felix"): ("Felix Moreau", ["core contributor"], "americas", "America/Montreal", ""),
    ("gitlab", "docs_dora"): ("Dora Tanaka", ["core contributor"], "apac", "Asia/Tokyo", "Docs translations (ja)."),
    ("email", "maintainer@example.net"): ("Priya Raman", ["customer"], "apac", "Asia/Kolkata", "Premium, 40 seats."),
    ("hackernews", "founder_fi"): ("Fiona Hale", ["customer"], "americas", "America/New_York", ""),
    ("twitter", "devrel_dee"): (
        "Dee Morgan",
        ["press"],
        "americas",
        "America/Los_Angeles",
        "Writes for a DevOps weekly.",
    ),
    # One name on two platforms: the person page suggests they may be the same (a likeness, never a merge).
    ("hackernews", "ana_dev"): ("Ana Ruiz", [], "emea", "Europe/Madrid", ""),
    ("twitter", "ana_builds"): ("Ana Ruiz", [], "", "", ""),
    # One contributor on two platforms, known to be one person (SAME_PERSON): the requester card on either ticket
    # shows both accounts and both tickets.
    ("github", "iac_ines"): (
        "Inês Duarte",
        ["core contributor"],
        "emea",
        "Europe/Lisbon",
        "Maintains the Terraform provider's token resources; posts upgrade notes on Mastodon.",
    ),
    ("mastodon", "ops_ines@fosstodon.org"): ("Inês Duarte", [], "", "", ""),
}
# (platform, handle) merged into (platform, handle): the team confirmed these accounts are one person.
SAME_PERSON = ((("mastodon", "ops_ines@fosstodon.org"), ("github", "iac_ines")),)

# (platform, handle, kind, days ago, title, link)
CONTRIBUTIONS = (
    (
        "hackernews",
        "m_okafor",
        "merge_request",
        12,
        "Helm chart lint job template",
        "https://gitlab.com/gitlab-org/gitlab/-/merge_requests/170001",
    ),
    (
        "hackernews",
        "m_okafor",
        "talk",
        40,
        "Linting Helm charts in CI (KubeCon Africa)",
        "https://example.org/talks/helm-lint",
    ),
    (
        "hackernews",
        "kpetrov",
        "blog_post",
        20,
        "Monorepo pipelines at 120 services",
        "https://example.org/blog/monorepo-pipelines",
    ),
    (
        "github",
        "iac_ines",
        "merge_request",
        18,
        "gitlab_group_access_token: rotation support",
        "https://github.com/gitlabhq/terraform-provider-gitlab/pull/1882",
    ),
    ("twitter", "oss_ola", "meetup", 9, "GitLab Kraków meetup #14", "https://www.meetup.com/gitlab-krakow/"),
    (
        "twitter",
        "oss_ola",
        "merge_request",
        30,
        "Polish translation fixes",
        "https://gitlab.com/gitlab-org/gitlab/-/merge_requests/169420",
    ),
    (
        "discourse",
        "forum_felix",
        "forum_answer",
        3,
        "Runner cache on S3 with MinIO",
        "https://forum.gitlab.com/t/runner-cache-minio/101",
    ),
    (
        "discourse",
        "forum_felix",
        "forum_answer",
        15,
        "Protected variables in child pipelines",
        "https://forum.gitlab.com/t/child-pipeline-vars/88",
    ),
    (
        "gitlab",
        "docs_dora",
        "merge_request",
        6,
        "Japanese docs: CI/CD variables",
        "https://gitlab.com/gitlab-org/gitlab/-/merge_requests/170455",
    ),
)

# Whose level-ups wait on the Recognition page (the others were thanked already).
RECOGNISE = (("twitter", "oss_ola"), ("discourse", "forum_felix"), ("gitlab", "docs_dora"))

CODES = [f"THANKS26-{n:04d}" for n in (1147, 2291, 3308, 4415, 5562, 6673, 7719, 8804, 9936, 1058, 2169, 3275)]


class Command(BaseCommand):
    help = "Seed the demo's people: tags, contributions, discount codes and gifts (run by seed_demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        if DiscountBatch.objects.exists():
            return
        manager = get_user_model().objects.filter(username="manager").first()
        people = self._known()
        self._same_person(people, manager)
        now = timezone.now()
        logged = []
        for platform, handle, kind, days, title, link in CONTRIBUTIONS:
            person = people.get((platform, handle))
            if person is not None:
                logged.append(
                    Contribution.objects.create(
                        person=person,
                        kind=kind,
                        date=(now - timedelta(days=days)).date(),
                        title=title,
                        link=link,
                        recorded_by=manager,
                    )
                )
        batch = DiscountBatch.objects.create(
            name="Contributor thank-you 2026", note="50% off a year of Premium, until 2027-03-31", uploaded_by=manager
        )
        self._journey(people, logged, batch, manager, now)
        DiscountCode.objects.bulk_create(DiscountCode(batch=batch, code=code) for code in CODES)
        desk_settings_changed()  # no signal from bulk writes: the ticket page's "codes left"
        for key, code in ((("hackernews", "m_okafor"), CODES[0]), (("twitter", "oss_ola"), CODES[1])):
            person = people.get(key)
            if person is not None:
                DiscountCode.objects.filter(code=code).update(
                    person=person, given_by=manager, given_at=now - timedelta(days=2)
                )
                PersonEvent.objects.create(
                    person=person,
                    kind=PersonEvent.Kind.CODE_GIVEN,
                    actor=manager,
                    data={"code": code, "batch": batch.name},
                )
        self._gifts(people, manager, now)

    def _known(self) -> dict[tuple[str, str], Person]:
        tags = {
            name: PersonTag.objects.get_or_create(name=name)[0] for name in ("core contributor", "customer", "press")
        }
        identities = {
            (i.platform, i.key): i
            for i in Identity.objects.select_related("person").filter(key__in=[k for _, k in KNOWN])
        }
        people = {}
        for key, (name, tag_names, region, time_zone, notes) in KNOWN.items():
            identity = identities.get(key)
            if identity is None:  # the replay did not bring this author (DESK_DEMO_REPLAY off)
                continue
            person = identity.person
            Person.objects.filter(pk=person.pk).update(name=name, region=region, time_zone=time_zone, notes=notes)
            person.tags.add(*(tags[t] for t in tag_names))
            people[key] = person
        return people

    def _same_person(self, people: dict[tuple[str, str], Person], manager) -> None:
        """Each SAME_PERSON pair merged through the people app's own merge (people.services.person_merge, what *Same
        person* runs), so the person's history says who merged them; the merged account then names its survivor."""
        for source_key, into_key in SAME_PERSON:
            source, into = people.get(source_key), people.get(into_key)
            if source is None or into is None or source.pk == into.pk:
                continue  # the replay did not bring one of the two accounts
            people[source_key] = person_merge(source=source, into=into, actor=manager)

    def _journey(self, people, logged, batch, manager, now) -> None:
        """The contributions as the contributor journey's activities (on top of the tickets the week's ingest
        counted as asked), so levels differ; the level-ups the team already thanked are decided, the RECOGNISE ones
        left open for the Recognition page, whose Contributor level offers the demo's batch."""
        Level.objects.filter(name="Contributor").update(discount_batch=batch)
        # The week's tickets as their requesters' "asked", here rather than in the worker the ingest enqueued them
        # for (people.journey.asked: it then finds them counted), so the demo's levels are there when it opens.
        activities_add(asked_rows(list(Ticket.objects.values_list("pk", flat=True))))
        contributions_record(logged)
        thanked = Recognition.objects.exclude(person__in=[p for k, p in people.items() if k in RECOGNISE])
        thanked.update(state=Recognition.State.DISMISSED, decided_by=manager, decided_at=now)

    def _gifts(self, people, manager, now) -> None:
        mira, felix = people.get(("hackernews", "m_okafor")), people.get(("discourse", "forum_felix"))
        if mira is not None:
            Gift.objects.create(
                person=mira,
                item="Hoodie and sticker pack",
                state=Gift.State.SHIPPED,
                sent_by=manager,
                shipped_at=now - timedelta(days=5),
            )
        if felix is not None:
            Gift.objects.create(
                person=felix,
                item="Contributor mug",
                state=Gift.State.REQUESTED,
                sent_by=manager,
                postal_address="Felix Moreau\n1200 rue Example\nMontréal QC H2X 1Y4\nCanada",
            )
