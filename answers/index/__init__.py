"""The index of answered tickets the suggestions search: the indexer that follows new answers (follow), the
backfill of a whole history (bulk) and the rows both write (rows)."""
