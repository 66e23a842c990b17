"""The demo's expert directory (`manage.py seed_demo` runs it): a few experts so the suggestions and the
experts page have something to show, and a few outreaches from the demo week's tickets (one answered, one
sent and waiting) so the KPIs and the directory count them. Idempotent."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand

from experts.models import Expert, ExpertIdentity, Outreach, ProductArea
from mentions.models import Ticket

# (tag of the ticket asked about, expert, answered?)
OUTREACHES = (("registry", "Pat Registry", True), ("ci", "Vera Runner", False), ("kubernetes", "Vera Runner", True))


class Command(BaseCommand):
    help = "Seed the demo's experts (run by seed_demo)."

    def handle(self, *args, **options):
        people = [
            ("Vera Runner", "U0VERA", ["Verify"], ["gitlab-ci", "runner", "caching", "pipelines"], "vera_ci"),
            ("Cory Diff", "U0CORY", ["Create"], ["merge requests", "code review", "diffs", "web ide"], "corydiff"),
            ("Pat Registry", "U0PAT", ["Package"], ["container registry", "npm", "rate limits"], "pat_pkg"),
            ("Technical Evangelists", "S0EVANG", [], ["pricing", "premium", "ultimate", "startups", "education"], ""),
        ]
        for name, slack, areas, topics, hn in people:
            expert, created = Expert.objects.get_or_create(
                name=name, defaults={"slack_handle": slack, "topics": topics, "is_group": slack.startswith("S")}
            )
            if created:
                expert.areas.add(*ProductArea.objects.filter(name__in=areas))
                if hn:
                    ExpertIdentity.objects.get_or_create(kind="hackernews", handle=hn, defaults={"expert": expert})
        self._outreaches()

    def _outreaches(self) -> None:
        if Outreach.objects.exists():
            return
        advocate = get_user_model().objects.filter(username="advocate").first()
        for tag, name, answered in OUTREACHES:
            ticket = Ticket.objects.filter(tags__name=tag).exclude(channel__kind="hackernews").order_by("pk").first()
            expert = Expert.objects.filter(name=name).first()
            if ticket is None or expert is None:
                continue
            sent = ticket.requested_at + timedelta(minutes=30)
            Outreach.objects.create(
                ticket=ticket,
                expert=expert,
                advocate=advocate,
                status=Outreach.Status.ANSWERED if answered else Outreach.Status.SENT,
                message=f"Could you help with this question about {tag}? {ticket.subject}".strip(),
                slack_channel="#questions",
                sent_at=sent,
                answered_at=sent + timedelta(hours=2) if answered else None,
                answer_seconds=2 * 3600 if answered else None,
            )
