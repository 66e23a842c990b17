from django.core.management.base import BaseCommand

from stories.detection.detector import stories_detect


class Command(BaseCommand):
    help = "Run the story detector now over every ticket it has not read yet (otherwise it runs after each ingest)."

    def handle(self, *args: object, **options: object) -> None:
        result = stories_detect(sweep=True)
        self.stdout.write(f"{result.read} tickets read, {result.joined} joined stories, {result.made} new stories.")
