from datetime import timedelta

import factory

from experts.models import Expert, ExpertIdentity, Outreach, ProductArea
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory


class ProductAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductArea
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Area {n}")
    slack_channel = factory.LazyAttribute(lambda o: f"#s_{o.name.lower().replace(' ', '_')}")
    keywords = factory.LazyFunction(list)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Expert {n}")
    slack_handle = factory.Sequence(lambda n: f"@expert{n}")
    topics = factory.LazyFunction(list)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class ExpertIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertIdentity

    expert = factory.SubFactory(ExpertFactory)
    kind = "twitter"
    handle = factory.Sequence(lambda n: f"expert_handle{n}")


class OutreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outreach

    ticket = factory.SubFactory(TicketFactory)
    expert = factory.SubFactory(ExpertFactory)
    advocate = factory.SubFactory(AdvocateFactory)
    status = Outreach.Status.SENT
    message = "Hello! An expert is needed to respond to this. (support from an expert)"
    slack_channel = "#questions"
    sent_at = factory.Sequence(lambda n: BASE_TIME + timedelta(minutes=n))


def seed_areas() -> None:
    """The DevOps stages the data migration seeds (idempotent; transactional tests elsewhere flush them away)."""
    from importlib import import_module

    from django.apps import apps

    import_module("experts.migrations.0001_squashed_0005_outreach_nudge").areas_seed(apps, None)
