"""People, their identities, and tickets they opened, as the ingest ties them (people.ingest)."""

import factory

from channels.tests.factories import ChannelFactory
from mentions.tests.factories import MessageFactory, TicketFactory
from people.models import Authorship, Identity, Person, PersonTag, Requester, account_key

# A valid configuration per channel kind (ChannelFactory's default is Hacker News's).
KIND_CONFIG = {
    "hackernews": {"keywords": ["gitlab"]},
    "email": {"host": "imap.example.com", "address": "community@example.com"},
    "reddit": {"subreddits": ["gitlab"], "keywords": ["gitlab"]},
}


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Vera Kowalska {n}")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    person = factory.SubFactory(PersonFactory)
    platform = "hackernews"
    handle = factory.Sequence(lambda n: f"vera_k{n}")
    key = factory.LazyAttribute(lambda o: account_key(o.handle))
    name = factory.SelfAttribute("person.name")


def person_tag(person: Person, name: str) -> PersonTag:
    # As seeded by the migrations (a transactional test may have emptied the table since).
    tag, _ = PersonTag.objects.get_or_create(name=name, defaults={"tags_tickets": name == PersonTag.SPAM})
    person.tags.add(tag)
    return tag


def ticket_from(identity: Identity, *, channel=None, body: str = "How do I cache dependencies?", **ticket_fields):
    """A ticket `identity` opened with one inbound message, tied to them as the ingest ties it."""
    channel = channel or ChannelFactory(kind=identity.platform, config=KIND_CONFIG.get(identity.platform, {}))
    ticket = TicketFactory(
        channel=channel, requester_handle=identity.handle, requester_name=identity.name, **ticket_fields
    )
    message = MessageFactory(ticket=ticket, author_name=identity.name, body=body)
    Requester.objects.create(ticket=ticket, identity=identity)
    Authorship.objects.create(message=message, identity=identity)
    return ticket
