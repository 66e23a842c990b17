"""Ingest lives in mentions.pipeline (a page stored as sets, stage by stage); kept importable here."""

from mentions.pipeline import IngestResult, mentions_ingest

__all__ = ["IngestResult", "mentions_ingest"]
