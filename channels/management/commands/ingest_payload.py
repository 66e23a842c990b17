import json
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from channels.adapters import PayloadError, get_adapter
from channels.models import Channel
from mentions.services import mentions_ingest

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
            parse_file = getattr(adapter, "parse_file", None)
            # Adapters whose parsing needs the channel (Discourse: the forum's address) say so.
            parse_for_channel = getattr(adapter, "parse_payload_for_channel", None)
            if parse_file:
                mentions = parse_file(raw)
            elif parse_for_channel:
                mentions = parse_for_channel(json.loads(raw), channel=channel)
            else:
                mentions = adapter.parse_payload(json.loads(raw))
        except (ValueError, PayloadError) as exc:
            logger.warning("ingest_payload: channel=%s file=%s rejected: %s", channel.slug, path, exc)
            raise CommandError(f"{path}: not a valid {channel.get_kind_display()} payload: {exc}") from exc
        result = mentions_ingest(channel=channel, mentions=mentions)
        self.stdout.write(json.dumps(result.as_dict()))
