"""Import a team's history from Zendesk (docs/importing.md): from its API with an admin's --subdomain and --email
(the API token from the environment, ZENDESK_API_TOKEN, never printed), from a directory of Zendesk's JSON export
(--from-dir), or from the documented JSON/CSV (--documented DIR). Run again, it skips what is already here; after
an interruption, --resume RUN carries that run on from its cursor."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from channels.adapters.base import RateLimited
from imports.lines import ExportError
from imports.models import ImportRun
from imports.running import run_execute
from imports.starting import run_create
from imports.tasks import WAIT_MAX

TOKEN_ENV = "ZENDESK_API_TOKEN"  # noqa: S105 - the variable's name, not a token
QUARANTINE_SHOWN = 20  # the rest are on the run's admin page


def progress_line(run: ImportRun) -> str:
    counts = ", ".join(f"{name} {value}" for name, value in sorted(run.counts.items()))
    return f"run {run.pk}: {counts or 'nothing yet'}"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--subdomain", help="The Zendesk account: acme for acme.zendesk.com.")
        parser.add_argument("--email", help="An admin's e-mail address (the API token is read from ZENDESK_API_TOKEN).")
        parser.add_argument("--from-dir", dest="from_dir", help="A directory of Zendesk's JSON export.")
        parser.add_argument("--documented", help="A directory with tickets.jsonl or tickets.csv (docs/importing.md).")
        parser.add_argument("--resume", type=int, help="Carry on the run with this id from where it stopped.")
        parser.add_argument("--no-index", action="store_true", help="Leave the answers' index to its beat run.")

    def handle(self, *args, **options) -> None:
        token = os.environ.get(TOKEN_ENV, "")
        if options["resume"]:
            run = ImportRun.objects.filter(pk=options["resume"]).first()
            if run is None:
                raise CommandError(f"No import run {options['resume']}.")
        elif options["from_dir"] or options["documented"]:
            kind = ImportRun.Kind.ZENDESK_FILES if options["from_dir"] else ImportRun.Kind.DOCUMENTED
            path = os.path.abspath(options["from_dir"] or options["documented"])
            try:  # --subdomain with --from-dir: the export is the account's, as its API import would be
                run = run_create(kind=kind, path=path, subdomain=options["subdomain"] or "")
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        elif options["subdomain"] and options["email"]:
            if not token:
                raise CommandError(f"Set {TOKEN_ENV} to the admin's Zendesk API token.")
            try:
                run = run_create(
                    kind=ImportRun.Kind.ZENDESK_API, subdomain=options["subdomain"], email=options["email"]
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        else:
            raise CommandError("Give --subdomain and --email (the API), --from-dir or --documented.")
        self.stdout.write(f"Importing from {run.source} (run {run.pk})")
        while True:
            try:
                run = run_execute(
                    run.pk,
                    token=token,
                    progress=lambda r: self.stdout.write(progress_line(r)),
                    index=not options["no_index"],
                )
                break
            except RateLimited as exc:  # the run is QUEUED with its cursor: go on from there after the wait
                wait = min(WAIT_MAX, round(exc.retry_after or 60))
                self.stdout.write(f"Zendesk asks to wait (rate limit): going on in {wait} s.")
                time.sleep(wait)
            except ExportError as exc:  # the file's mistake: one sentence, fixed in the file, not by resuming
                raise CommandError(f"Stopped: {exc} (run {run.pk})") from None
            except Exception as exc:  # said as the run recorded it; the run keeps its cursor for --resume
                raise CommandError(f"Stopped: {exc}. Carry on with --resume {run.pk}.") from None
        self.stdout.write(self.style.SUCCESS(f"Done. {progress_line(run)}"))
        self._quarantined(run)

    def _quarantined(self, run: ImportRun) -> None:
        """What was not imported and where it is, so it can be fixed in the export and imported again."""
        count = run.quarantined.count()
        if not count:
            return
        self.stdout.write(self.style.WARNING(f"Not imported ({count}, quarantined on run {run.pk}):"))
        for record in run.quarantined.all()[:QUARANTINE_SHOWN]:
            self.stdout.write(f"  {record}")
        if count > QUARANTINE_SHOWN:
            self.stdout.write(f"  ... and {count - QUARANTINE_SHOWN} more: the run's page in admin lists them all.")
