"""Rebuild the cold-start judgement (mentions/judgement/shipped.npz, the learned intent and sentiment in intent.npz,
and the cascade's second opinion in cascade.npz) from the shipped labelled sets."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild mentions/judgement/shipped.npz, intent.npz and cascade.npz (the cold start) from the training sets."

    def handle(self, *args: Any, **options: Any) -> None:
        from mentions.judgement.shipped_model import TRAINING_SETS, shipped_build

        made = shipped_build()
        self.stdout.write(
            f"{made['rows']} rows from {', '.join(TRAINING_SETS)}; {made['bytes']} bytes written; "
            f"the intent and sentiment: {made['intent_bytes']} bytes; the cascade's second opinion: "
            f"{made['cascade_bytes']} bytes."
        )
