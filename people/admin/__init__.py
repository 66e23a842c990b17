"""People in admin: persons, tags and identities (people.admin.persons); discount codes and gifts
(people.admin.codes). Each module registers its own models."""

from people.admin import codes, persons  # noqa: F401
