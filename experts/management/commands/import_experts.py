from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from experts.csv_import import experts_import_csv


class Command(BaseCommand):
    help = (
        "Import experts from a CSV file (columns: name, slack_handle, areas, topics, is_group, and one per "
        "platform named by its kind, docs/experts.md). Rows are upserted by name; rows with errors are reported "
        "and skipped, the others are saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        result = experts_import_csv(text=text)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"Created {result.created}, updated {result.updated}.")
        if result.errors:
            raise CommandError(f"{len(result.errors)} problem(s); the rows without problems were imported.")
