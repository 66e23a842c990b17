import pytest
from django.core.management import CommandError, call_command

from experts.csv_import import experts_import_csv
from experts.models import Expert, ExpertIdentity
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory, seed_areas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _areas(db):
    seed_areas()


HEADER = "name,slack_handle,areas,topics,is_group,twitter,hackernews,reddit,stackexchange,disqus,discourse,email\n"
GOOD = HEADER + (
    "Vera Runner,@vera,Verify,gitlab-ci;runner;caching,no,@vera_ci;VeraR,vrunner,,,,vera,vera@example.com\n"
    'Technical Evangelists,@techevangelism,,"pricing; licensing ;startups",yes,,,,,,,\n'
    "Rhea Deploy,U024BE7LH,release;VERIFY,environments,0,,,rhea_d,,,,\n"
)


def identities(expert: Expert) -> set[tuple[str, str]]:
    return {(i.kind, i.handle) for i in expert.identities.all()}


def test_a_good_file_creates_every_expert():
    result = experts_import_csv(text=GOOD)
    assert (result.created, result.updated, result.errors) == (3, 0, [])

    vera = Expert.objects.get(name="Vera Runner")
    assert vera.slack_handle == "@vera"
    assert [a.name for a in vera.areas.all()] == ["Verify"]
    assert vera.topics == ["gitlab-ci", "runner", "caching"]
    assert vera.is_group is False
    assert identities(vera) == {
        ("twitter", "vera_ci"),  # the leading @ is stripped
        ("twitter", "VeraR"),
        ("hackernews", "vrunner"),
        ("discourse", "vera"),
        ("email", "vera@example.com"),
    }
    evangelists = Expert.objects.get(name="Technical Evangelists")
    assert evangelists.is_group is True
    assert evangelists.topics == ["pricing", "licensing", "startups"]
    assert not evangelists.areas.exists()
    rhea = Expert.objects.get(name="Rhea Deploy")
    assert sorted(a.name for a in rhea.areas.all()) == ["Release", "Verify"]  # area names are case-insensitive
    assert identities(rhea) == {("reddit", "rhea_d")}


def test_importing_again_updates_by_name_without_duplicates():
    experts_import_csv(text=GOOD)
    again = HEADER + "vera runner,@vera2,Verify;Package,caching,no,vera_ci,,,,,,\n"
    result = experts_import_csv(text=again)
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    assert Expert.objects.filter(name__iexact="vera runner").count() == 1
    vera = Expert.objects.get(name__iexact="vera runner")
    assert vera.slack_handle == "@vera2"
    assert sorted(a.name for a in vera.areas.all()) == ["Package", "Verify"]
    assert vera.topics == ["caching"]
    assert identities(vera) == {("twitter", "vera_ci")}  # the file is the truth for the columns it has


def test_columns_left_out_are_left_alone():
    experts_import_csv(text=GOOD)
    result = experts_import_csv(text="name,slack_handle\nVera Runner,@vera3\nNew Person,@new\n")
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    vera = Expert.objects.get(name="Vera Runner")
    assert vera.slack_handle == "@vera3"
    assert vera.topics == ["gitlab-ci", "runner", "caching"]
    assert len(identities(vera)) == 5
    assert vera.areas.count() == 1


def test_bad_rows_are_reported_and_skipped_while_good_rows_are_imported():
    text = HEADER + (
        "Vera Runner,@vera,Verify,runner,no,,,,,,,\n"  # row 2: fine
        "Paco Registry,@paco,Plann;Package,,no,,,,,,,\n"  # row 3: unknown area
        ",@nobody,Verify,,no,,,,,,,\n"  # row 4: no name
        "Maybe Group,@maybe,,,maybe,,,,,,,\n"  # row 5: bad flag
        "VERA RUNNER,@vera,,,no,,,,,,,\n"  # row 6: twice in the file
        ",,,,,,,,,,,\n"  # row 7: blank, ignored
        "Cory Diff,@cory,Create,diffs,false,cory,,,,,,\n"  # row 8: fine
    )
    result = experts_import_csv(text=text)
    assert result.errors == [
        "row 3: unknown area 'Plann'",
        "row 4: the name is empty",
        "row 5: is_group must be yes/no/true/false/1/0, not 'maybe'",
        "row 6: 'VERA RUNNER' is already on row 2",
    ]
    assert (result.created, result.updated) == (2, 0)
    assert sorted(Expert.objects.values_list("name", flat=True)) == ["Cory Diff", "Vera Runner"]


def test_a_handle_owned_by_another_expert_is_an_error_not_a_move():
    owner = ExpertFactory(name="Owner")
    ExpertIdentityFactory(expert=owner, kind="twitter", handle="Shared_Handle")
    text = HEADER + (
        "Newcomer,@new,,,no,@shared_handle,,,,,,\n"
        "Owner,@owner,,,no,shared_handle;owner2,,,,,,\n"  # the owner keeps it
        "Second,@second,,,no,,,,,,,owner2\n"  # another kind: no conflict
        "Third,@third,,,no,owner2,,,,,,\n"  # claimed by the Owner row above
    )
    result = experts_import_csv(text=text)
    assert result.errors == [
        "row 2: twitter handle 'shared_handle' already belongs to Owner",
        "row 5: twitter handle 'owner2' is also on another row (owner)",
    ]
    assert not Expert.objects.filter(name__in=["Newcomer", "Third"]).exists()
    assert identities(owner) == {("twitter", "Shared_Handle"), ("twitter", "owner2")}
    assert ExpertIdentity.objects.get(kind="email", handle="owner2").expert.name == "Second"


def test_a_file_without_a_name_column_is_refused():
    result = experts_import_csv(text="who,slack\nVera,@vera\n")
    assert result.errors == ["the file has no 'name' column (the first line must name the columns)"]
    assert not Expert.objects.exists()


def test_the_management_command(tmp_path, capsys):
    path = tmp_path / "experts.csv"
    path.write_text("\ufeff" + GOOD, encoding="utf-8")
    call_command("import_experts", str(path))
    assert "Created 3, updated 0." in capsys.readouterr().out
    path.write_text(HEADER + "Paco,@paco,Plann,,no,,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_experts", str(path))
    assert "row 2: unknown area 'Plann'" in capsys.readouterr().err
    assert Expert.objects.count() == 3


def test_the_admin_import_page(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/admin/experts/expert/import/"
    assert admin_client.get(url).status_code == 200
    assert 'href="/admin/experts/expert/import/"' in admin_client.get("/admin/experts/expert/").content.decode()
    upload = SimpleUploadedFile(
        "experts.csv", (HEADER + "Paco,@paco,Plann,,no,,,,,,,\n" + GOOD.removeprefix(HEADER)).encode()
    )
    response = admin_client.post(url, {"file": upload}, follow=True)
    html = response.content.decode()
    assert "Created 3, updated 0." in html
    assert "Row 2: unknown area &#x27;Plann&#x27;" in html
    assert Expert.objects.count() == 3
