import factory

from channels.models import Channel


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kind = "hackernews"
    name = factory.Sequence(lambda n: f"Hacker News {n}")
    slug = factory.Sequence(lambda n: f"hn-{n}")
    config = factory.LazyFunction(lambda: {"keywords": ["gitlab"]})
    our_accounts = factory.LazyFunction(lambda: ["gitlabhq"])
