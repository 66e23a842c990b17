import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.models import Outreach, ProductArea
from experts.suggest import experts_search, experts_suggest
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory, OutreachFactory, seed_areas
from mentions.models import Message
from mentions.products import desk_products
from mentions.tests.factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _areas(db):
    seed_areas()


CI_MENTION = "My GitLab CI pipeline is stuck on 'pending' and the runner never picks up the job, cache doesn't restore"
MR_MENTION = "The merge request diff view crashes in Firefox when I click 'Show all changes'"
PRICING_MENTION = "How much does GitLab Premium cost for a 12 person team, is there a startup discount?"


def area(name: str) -> ProductArea:
    return ProductArea.objects.get(name=name)  # seeded by experts/migrations/0001_squashed_0005_outreach_nudge.py


@pytest.fixture
def directory():
    """A realistic directory on top of the seeded DevOps stages."""
    return {
        "verify": ExpertFactory(
            name="Vera Runner", areas=[area("Verify")], topics=["gitlab-ci", "runner", "caching", "pipelines"]
        ),
        "create": ExpertFactory(
            name="Cory Diff", areas=[area("Create")], topics=["merge requests", "code review", "diffs", "frontend"]
        ),
        "evangelists": ExpertFactory(
            name="Technical Evangelists",
            slack_handle="@techevangelism",
            is_group=True,
            topics=["pricing", "licensing", "premium", "ultimate", "startups", "education", "competitors"],
        ),
        "package": ExpertFactory(name="Paco Registry", areas=[area("Package")], topics=["container registry", "npm"]),
        "release": ExpertFactory(name="Rhea Deploy", areas=[area("Release"), area("Verify")], topics=["environments"]),
        "retired": ExpertFactory(name="Ada Retired", areas=[area("Verify")], topics=["runner"], active=False),
    }


def mention(text: str, subject: str = ""):
    ticket = TicketFactory(subject=subject)
    MessageFactory(ticket=ticket, body=text)
    return ticket


def names(suggestions) -> list[str]:
    return [s.expert.name for s in suggestions]


def test_ci_pipeline_question_goes_to_the_verify_expert_first(directory):
    suggestions = experts_suggest(ticket=mention(CI_MENTION))
    assert names(suggestions)[:2] == ["Vera Runner", "Rhea Deploy"]  # Rhea is in Verify too, without the topics
    top = suggestions[0]
    assert "'gitlab ci' → topic gitlab-ci" in top.reasons
    assert "'runner' → topic runner" in top.reasons
    assert "'cache' → topic caching" in top.reasons
    assert "'pipeline' → Verify" in top.reasons
    assert "'job' → Verify" in top.reasons
    assert top.score > suggestions[1].score
    assert "Ada Retired" not in names(suggestions)  # inactive
    assert "Technical Evangelists" not in names(suggestions)  # nothing matched


def test_merge_request_bug_goes_to_the_create_expert_first(directory):
    suggestions = experts_suggest(ticket=mention(MR_MENTION))
    assert names(suggestions) == ["Cory Diff"]
    assert "'merge request' → topic merge requests" in suggestions[0].reasons
    assert "'diff' → topic diffs" in suggestions[0].reasons
    assert "'merge request' → Create" in suggestions[0].reasons


def test_pricing_question_goes_to_the_technical_evangelists(directory):
    suggestions = experts_suggest(ticket=mention(PRICING_MENTION))
    assert names(suggestions) == ["Technical Evangelists"]
    assert suggestions[0].reasons == ["'premium' → topic premium", "'startup' → topic startups"]


def test_subject_counts_and_only_inbound_messages_count(directory):
    ticket = mention("Any idea?", subject="Pipelines are slow")
    Message.objects.create(
        ticket=ticket,
        channel=ticket.channel,
        kind=Message.Kind.NOTE,
        body="Internal: ask about pricing",
        platform_created_at=ticket.requested_at,
    )
    suggestions = experts_suggest(ticket=ticket)
    assert names(suggestions)[0] == "Vera Runner"
    assert "'pipelines' → topic pipelines" in suggestions[0].reasons
    assert "Technical Evangelists" not in names(suggestions)


def test_words_match_on_word_boundaries_only():
    ExpertFactory(name="Cici", topics=["ci"])
    ExpertFactory(name="Marge", topics=["mr"])
    assert experts_suggest(ticket=mention("A specific question about Mrs. Smith's ascii art")) == []
    suggestions = experts_suggest(ticket=mention("Is CI/CD included? Which MR fixed it?"))
    assert names(suggestions) == ["Cici", "Marge"]
    assert suggestions[0].reasons == ["'ci' → topic ci"]


def test_experts_already_asked_on_this_ticket_are_left_out(directory):
    ticket = mention(CI_MENTION)
    OutreachFactory(ticket=ticket, expert=directory["verify"], status=Outreach.Status.SENT)
    OutreachFactory(ticket=ticket, expert=directory["release"], status=Outreach.Status.DECLINED)
    assert names(experts_suggest(ticket=ticket)) == ["Rhea Deploy"]  # a declined outreach is closed


def test_fewer_open_outreaches_breaks_a_tie_then_the_name():
    verify = area("Verify")
    busy = ExpertFactory(name="Aaron Busy", areas=[verify])
    ExpertFactory(name="Zoe Free", areas=[verify])
    ExpertFactory(name="Yann Free", areas=[verify])
    OutreachFactory.create_batch(2, expert=busy, status=Outreach.Status.SENT)
    OutreachFactory(expert=busy, status=Outreach.Status.ANSWERED)
    suggestions = experts_suggest(ticket=mention("pipeline broken"))
    assert names(suggestions) == ["Yann Free", "Zoe Free", "Aaron Busy"]
    assert suggestions[0].score == suggestions[1].score > suggestions[2].score
    assert suggestions[0].score - suggestions[2].score < 1  # a bonus, never more than one matching word


def test_limit(directory):
    assert len(experts_suggest(ticket=mention(CI_MENTION), limit=1)) == 1


def test_queries_do_not_grow_with_the_directory(directory):
    """The directory is read once per change (three queries however large), then from memory:
    a suggestion costs the ticket's outreaches, its text and the matching experts' open count."""
    ticket = mention(CI_MENTION)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            suggestions = experts_suggest(ticket=ticket)
            for s in suggestions:
                list(s.expert.identities.all())
                list(s.expert.areas.all())
        return len(ctx.captured_queries)

    desk_products()  # the desk's products, read once per process (mentions.products): not the directory's cost
    first = count()
    assert count() == 3
    for n in range(15):
        expert = ExpertFactory(name=f"Runner person {n}", areas=[area("Verify"), area("Plan")], topics=["runner"])
        ExpertIdentityFactory(expert=expert)
        OutreachFactory(expert=expert)
    assert count() == first == 3 + 3
    assert count() == 3


def test_a_directory_change_shows_in_the_next_suggestion(directory):
    ticket = mention("Our pipeline cache is slow")
    assert "Nora Cache" not in names(experts_suggest(ticket=ticket))
    nora = ExpertFactory(name="Nora Cache", topics=["caching"])
    assert "Nora Cache" in names(experts_suggest(ticket=ticket))
    nora.active = False
    nora.save()
    assert "Nora Cache" not in names(experts_suggest(ticket=ticket))
    nora.active = True
    nora.topics = []
    nora.save()
    nora.areas.add(area("Verify"))  # whose keywords include the pipeline
    assert "Nora Cache" in names(experts_suggest(ticket=ticket))


def test_search_anyone_else(directory):
    ExpertIdentityFactory(expert=directory["create"])
    assert [e.name for e in experts_search(q="vera")] == ["Vera Runner"]
    assert [e.name for e in experts_search(q="techevang")] == ["Technical Evangelists"]
    assert [e.name for e in experts_search(q="LICENS")] == ["Technical Evangelists"]
    assert [e.name for e in experts_search(q="verify")] == ["Rhea Deploy", "Vera Runner"]  # area name
    assert [e.name for e in experts_search(q="retired")] == []
    assert [e.name for e in experts_search(q="retired", include_inactive=True)] == ["Ada Retired"]
    assert len(experts_search(q="")) == 5


def test_the_devops_stages_are_seeded_once():
    from importlib import import_module

    from django.apps import apps

    # Again: nothing doubles.
    import_module("experts.migrations.0001_squashed_0005_outreach_nudge").areas_seed(apps, None)
    assert list(ProductArea.objects.values_list("name", flat=True)) == [
        "Configure", "Create", "Monitor", "Package", "Plan", "Protect", "Release", "Secure", "Verify",
    ]  # fmt: skip
    assert area("Verify").slack_channel == "#s_verify"
    assert {"pipeline", "ci", "runner", "job", "cache", "artifacts", "gitlab-ci.yml"} <= set(area("Verify").keywords)
