"""People in admin: persons, tags and identities (people.admin.persons); discount codes and gifts
(people.admin.codes); the contributor journey (people.admin.journey). Each module registers its own models."""

from people.admin import codes, journey, persons  # noqa: F401
