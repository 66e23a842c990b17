from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from channels.tests.factories import ChannelFactory
from mentions.models import Message, Ticket, View
from mentions.permissions.roles import ADVOCATES, MANAGERS, roles_ensure

BASE_TIME = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _grant(user, group_name: str) -> None:
    roles_ensure()
    user.groups.add(Group.objects.get(name=group_name))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    # Declared with a plain function: the hook receives the user built, not the factory.
    saved = factory.PostGeneration(lambda user, create, extracted, **kwargs: user.save() if create else None)


class AdvocateFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            _grant(self, ADVOCATES)


class ManagerFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            _grant(self, MANAGERS)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    channel = factory.SubFactory(ChannelFactory)
    subject = factory.Sequence(lambda n: f"Question {n} about CI")
    requester_handle = factory.Sequence(lambda n: f"person{n}")
    requester_name = factory.SelfAttribute("requester_handle")
    requested_at = factory.Sequence(lambda n: BASE_TIME + timedelta(minutes=n))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    channel = factory.SelfAttribute("ticket.channel")
    kind = Message.Kind.INBOUND
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    author_handle = factory.SelfAttribute("ticket.requester_handle")
    author_name = factory.SelfAttribute("ticket.requester_handle")
    body = "How do I cache dependencies in a pipeline?"
    permalink = factory.LazyAttribute(lambda o: f"https://news.ycombinator.com/item?id={o.external_id}")
    platform_created_at = factory.SelfAttribute("ticket.requested_at")


class ViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = View

    name = factory.Sequence(lambda n: f"View {n}")
    slug = factory.Sequence(lambda n: f"view-{n}")


def seen(ticket) -> int:
    """The ticket version a page's forms carry (mentions.services.versions), for posting them."""
    from mentions.services.versions import ticket_version

    return ticket_version(ticket)
