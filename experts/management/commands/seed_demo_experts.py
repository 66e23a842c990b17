"""The demo's expert directory (`manage.py seed_demo` runs it): a few experts so the suggestions and the
experts page have something to show. Idempotent."""

from django.core.management import BaseCommand

from experts.models import Expert, ExpertIdentity, ProductArea


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
