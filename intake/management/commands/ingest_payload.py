import json
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from channels.adapters import Adapter, PayloadError, get_adapter
from channels.adapters.guard import Parsed
from channels.models import Channel
from intake.services.quarantine import mentions_store

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Feed a saved API response through a channel's adapter parser and the ingest service. "
        "Prints one JSON line with the counts. The channel's poll cursor is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, help="Channel name or slug.")
        parser.add_argument("file", help="Saved response body (JSON for API channels, .eml for e-mail).")

    def handle(self, *args, **options):
        name = options["channel"]
        channel = Channel.objects.filter(name=name).first() or Channel.objects.filter(slug=name).first()
        if channel is None:
            known = ", ".join(Channel.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No channel named {name!r} (channels: {known}).")
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        adapter = get_adapter(channel.kind)
        try:
            parsed = _parse(adapter, raw, channel)
        except (ValueError, RecursionError, PayloadError) as exc:
            if isinstance(exc, RecursionError):
                exc = PayloadError("nested too deeply to read")
            logger.warning("ingest_payload: channel=%s file=%s rejected: %s", channel.slug, path, exc)
            raise CommandError(f"{path}: not a valid {channel.get_kind_display()} payload: {exc}") from exc
        # Items of the file the parser could not read are quarantined like a poll's, and counted.
        result = mentions_store(channel=channel, mentions=parsed.mentions, rejected=parsed.rejected)
        self.stdout.write(json.dumps(result.as_dict()))


def _parse(adapter: Adapter, raw: bytes, channel: Channel) -> Parsed:
    """The file read as the adapter reads a saved page (JSON, or e-mail's .eml): item by item, with rejects, and
    with the channel's settings where it needs them (Discourse: the forum's address)."""
    return adapter.parse_file(raw, channel=channel)
