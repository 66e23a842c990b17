"""Receive Discord's messages as they are posted, over its gateway (the Procfile's `discord` process, which
bin/desk-start starts when DISCORD_GATEWAY is set): one connection per bot token of the enabled Discord channels,
beside their polls (docs/platforms/discord.md, "The gateway process"). SIGTERM or Ctrl-C closes the connections and
ends the process."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from channels.adapters.discord.client import token_of
from channels.adapters.discord.gateway import BotGateway
from channels.adapters.discord.platform import PLATFORM
from intake.services.gateways import gateways_run


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def stopping(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
        gateways_run(kind=PLATFORM.kind, credential_of=token_of, open_connection=BotGateway, stop=stop)
