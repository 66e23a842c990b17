"""Intake's services: polling a channel, storing what it hands over (dead letters for what cannot be stored),
the inbound webhook and reading watched threads. The ingest itself is `intake.pipeline.mentions_ingest`."""
