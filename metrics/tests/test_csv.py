import csv
import io
import unicodedata
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from advocacy.csv_cells import FORMULA_PREFIXES, csv_lines, csv_safe
from channels.tests.factories import ChannelFactory
from mentions.models import TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from metrics.csv_export import EXPORTS
from metrics.tests.test_pages import hand_made_data, replied_ticket, this_week_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory())
    return client


def get_csv(client, table: str, query: str = "") -> list[list[str]]:
    response = client.get(reverse("metrics:export", args=[table]) + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="kpi-{table}-')
    body = response.getvalue().decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_get_a_leading_quote(prefix):
    assert csv_safe(f"{prefix}HYPERLINK(1)") == f"'{prefix}HYPERLINK(1)"


@pytest.mark.parametrize(
    "cell",
    [
        "\uff1dHYPERLINK(1)",  # full-width equals (what East Asian input types for =)
        "\uff0bcmd",  # full-width plus
        "\uff0d1+1",  # full-width hyphen-minus
        "\uff20SUM(A1)",  # full-width commercial at
        "\ufe66cmd",  # small equals
        "\ufe62cmd",  # small plus
        "\ufe63cmd",  # small hyphen-minus
        "\u2212cmd",  # minus sign
        " =1+1",  # spreadsheets skip leading spaces
        "\u3000\uff1d1+1",  # an ideographic space, then a full-width equals
        "\u200b=1+1",  # a zero-width space in front
        "\ufeff@SUM(A1)",  # a byte-order mark in front
        "\x00=1",  # a control character in front
        "\n=1+1",  # a line feed
    ],
)
def test_every_form_of_a_formula_lead_is_guarded(cell):
    assert csv_safe(cell) == "'" + cell


def _lead(text: str) -> str:
    """What a spreadsheet sees first: the NFKC form without the spaces and invisible characters in front."""
    normalized = unicodedata.normalize("NFKC", text)
    return next((c for c in normalized if not (c.isspace() or unicodedata.category(c) in "Zs Zl Zp Cc Cf")), "")


@given(st.text())
def test_no_exported_text_cell_starts_a_formula(text):
    cell = csv_safe(text)
    assert cell.startswith("'") or (_lead(cell) not in FORMULA_PREFIXES and not cell.startswith(("\t", "\r", "\n")))
    assert cell in (text, "'" + text)  # the value itself is never changed, only prefixed


def test_plain_values_are_written_as_they_are():
    assert csv_safe("Hacker News") == "Hacker News"
    assert csv_safe(-3) == -3  # a negative number is data, not a formula
    assert csv_safe(2.3456) == 2.35
    assert csv_safe(None) == ""
    assert csv_safe(True) == "yes"
    assert csv_safe(["ci", "=x"]) == "ci =x"
    assert csv_safe("日本語 \uff1d Japanese") == "日本語 \uff1d Japanese"  # a formula character inside the text is data
    assert list(csv_lines(["a", "b"], [["=1+1", 2]])) == ["a,b\r\n", "'=1+1,2\r\n"]


@pytest.mark.parametrize("table", sorted(EXPORTS))
def test_every_table_exports_with_its_header(manager_client, table):
    hand_made_data()
    rows = get_csv(manager_client, table, this_week_query())
    assert rows[0] and all(rows[0])
    assert all(len(row) == len(rows[0]) for row in rows)


def test_unknown_table_is_404_and_bad_filters_400(manager_client):
    assert manager_client.get("/kpi/export/secrets.csv").status_code == 404
    response = manager_client.get("/kpi/export/weekly.csv?from=2026-13-01")
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()


def test_first_reply_export_has_the_table_numbers(manager_client):
    hand_made_data()
    rows = get_csv(manager_client, "first_reply", this_week_query())
    header, all_channels = rows[0], rows[1]
    assert header == [
        "group",
        "target_hours",
        "median_hours",
        "p90_hours",
        "median_business_hours",
        "p90_business_hours",
        "within_target_pct",
        "replied",
        "unreplied",
        "unreplied_over_target",
        "solved_without_reply",
        "answered_by_community",
    ]
    assert all_channels == ["All channels", "7.0", "5.0", "8.2", "5.0", "8.2", "80.0", "5", "1", "1", "0", "0"]
    assert rows[2][0] == "High-priority channels"
    assert [row[0] for row in rows[3:]] == ["Hacker News"]


def test_overdue_export_lists_the_waiting_ticket(manager_client):
    data = hand_made_data()
    rows = get_csv(manager_client, "overdue", this_week_query())
    assert rows[0] == ["ticket", "subject", "channel", "requested_at", "waiting_hours", "target_hours", "status"]
    assert len(rows) == 2
    assert rows[1][:3] == [str(data["waiting"].pk), "Still waiting", "Hacker News"]
    assert 9.9 < float(rows[1][4]) < 10.2


def test_exported_cells_are_guarded_against_formula_injection(manager_client):
    now = timezone.now()
    channel = ChannelFactory(name="=cmd|' /C calc'!A0")
    waiting = TicketFactory(channel=channel, requested_at=now - timedelta(hours=30), subject="@SUM(A1:A9)")
    TicketEvent.objects.create(ticket=waiting, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": "+evil"})
    advocate = AdvocateFactory(username="-advocate")
    TicketEvent.objects.create(ticket=waiting, kind=TicketEvent.Kind.REPLIED, actor=advocate)

    overdue = get_csv(manager_client, "overdue", this_week_query())
    assert overdue[1][1:3] == ["'@SUM(A1:A9)", "'=cmd|' /C calc'!A0"]
    assert [row[0] for row in get_csv(manager_client, "first_reply")[3:]] == ["'=cmd|' /C calc'!A0"]
    tickets = get_csv(manager_client, "tickets", this_week_query())
    assert tickets[1][1] == "'=cmd|' /C calc'!A0"
    tags = get_csv(manager_client, "tags_rising")
    assert tags[1] == ["'+evil", "1", "0", "1"]
    assert get_csv(manager_client, "advocates")[1][0] == "'-advocate"


def test_full_width_and_spaced_formulas_are_guarded_in_the_downloaded_file(manager_client):
    now = timezone.now()
    channel = ChannelFactory(name='\uff1dHYPERLINK("https://evil")')
    waiting = TicketFactory(channel=channel, requested_at=now - timedelta(hours=30), subject=" \uff20SUM(A1:A9)")
    TicketEvent.objects.create(ticket=waiting, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": "\uff0bevil"})

    overdue = get_csv(manager_client, "overdue", this_week_query())
    assert overdue[1][1:3] == ["' \uff20SUM(A1:A9)", '\'\uff1dHYPERLINK("https://evil")']
    assert get_csv(manager_client, "tags_rising")[1][0] == "'\uff0bevil"


def test_tickets_export_streams_one_row_per_ticket(manager_client):
    now = timezone.now()
    channel = ChannelFactory(name="Forum")
    first = replied_ticket(hours=2.5, requested_at=now - timedelta(days=2), channel=channel)
    first.tags.create(name="ci")
    first.tags.create(name="docs")
    second = TicketFactory(channel=channel, requested_at=now - timedelta(days=1))
    TicketFactory(channel=channel, requested_at=now - timedelta(days=40))  # outside the range

    response = manager_client.get(reverse("metrics:export", args=["tickets"]) + this_week_query())
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "ticket",
        "channel",
        "requested_at",
        "first_reply_at",
        "frt_hours",
        "frt_business_hours",
        "status",
        "tags",
        "assignee",
    ]
    assert [row[0] for row in rows[1:]] == [str(first.pk), str(second.pk)]
    assert rows[1][1] == "Forum" and rows[1][4] == "2.5" and rows[1][7] == "ci;docs"
    assert rows[2][3] == "" and rows[2][4] == ""


@pytest.mark.parametrize("table", sorted(EXPORTS))
@pytest.mark.parametrize("query", ["?from=9999-12-01&to=9999-12-31", "?from=0001-01-01&to=0001-01-31"])
def test_kpi_exports_with_year_1_or_9999_are_a_400_before_streaming(manager_client, table, query):
    response = manager_client.get(reverse("metrics:export", args=[table]) + query)
    assert response.status_code == 400
    assert not response.streaming
    assert "Dates must be between 2000-01-01 and 2100-12-31." in response.content.decode()


def test_kpi_tickets_export_builds_its_query_before_streaming():
    """A range the database cannot be asked about fails when the export is asked for, so the view
    answers with an error instead of a 200 whose file stops half-way."""
    from datetime import date

    from metrics import export

    with pytest.raises(OverflowError):
        export.tickets_export(start=date(9999, 12, 1), end=date(9999, 12, 31))


def test_kpi_tickets_export_streams_every_row_with_hostile_names(manager_client):
    now = timezone.now()
    channel = ChannelFactory(name='=HYPERLINK("https://evil")\r\n,"quoted"')
    tickets = [TicketFactory(channel=channel, requested_at=now - timedelta(hours=i + 1)) for i in range(5)]
    tickets[2].tags.create(name="@tag,with;separators\n")
    rows = get_csv(manager_client, "tickets", this_week_query())
    assert [row[0] for row in rows[1:]] == [str(t.pk) for t in reversed(tickets)]
    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("https://evil")\r\n,"quoted"'}
    assert rows[3][7] == "'@tag,with;separators\n"
