"""Receive Slack's events over Socket Mode (the Procfile's `slack` process). Without SLACK_APP_TOKEN it says so
once and waits, so the process manager's other processes keep running."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

logger = logging.getLogger("slackapp")


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        if not settings.SLACK_APP_TOKEN:
            logger.info("slack: Socket Mode is off (no SLACK_APP_TOKEN); Slack reaches the desk over HTTP, if at all")
            threading.Event().wait()
        from slackapp.socket_mode import socket_mode_handler

        logger.info("slack: connecting to Slack in Socket Mode")
        socket_mode_handler().start()  # blocks; reconnects by itself
