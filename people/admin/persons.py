"""Person, tags and identities in admin."""
