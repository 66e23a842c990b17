"""KPI pages for managers: the dashboard, its CSV exports and the printable monthly report."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from advocacy.fragments import fragment
from mentions.models import DutySettings, Target
from metrics.activity import activity_daily, outreach_monthly, tags_rising
from metrics.advocates import advocate_stats
from metrics.charts import bar_chart, hbar_list, line_chart
from metrics.community.figures import community_figures
from metrics.community_summary import community_summary
from metrics.csv_export import export_lines, first_reply_rows, overdue_rows, tags_days
from metrics.engagement import team_engagement
from metrics.first_reply import first_reply_stats
from metrics.first_reply_weekly import first_reply_weekly
from metrics.forms import CommunityFilterForm, KpiFilterForm, MonthForm
from metrics.judgement_quality import judgement_corrections, judgement_learned_said
from metrics.next_reply import next_reply_stats
from metrics.product_scope import product_narrowed
from metrics.report_text import community_line
from metrics.rollups import kpi_version, rollups_read, rollups_supported
from metrics.share_of_voice_page import share_of_voice_context

view_dashboards = permission_required("mentions.view_dashboards", raise_exception=True)

TAGS_CHART_LIMIT = 10


def _weekly_chart(weekly: list[dict]) -> str:
    target = next((w["target_hours"] for w in weekly if w["target_hours"] is not None), None)
    return line_chart(
        [
            ("Median (calendar h)", [w["median_hours"] for w in weekly]),
            ("Median (business h)", [w["median_business_hours"] for w in weekly]),
        ],
        target=target,
        labels=[f"{w['week_start']:%b %d}" for w in weekly],
        title="Weekly median first-reply time against the target",
    )


def _activity_chart(activity: list[dict]) -> str:
    return bar_chart(
        [
            ("Created", [d["created"] for d in activity]),
            ("Replied", [d["replied"] for d in activity]),
            ("Solved", [d["solved"] for d in activity]),
        ],
        labels=[f"{d['day']:%b %d}" for d in activity],
        marked=[i for i, d in enumerate(activity) if d["release_day"]],
        title="Daily ticket activity (release days marked)",
    )


def _tags_chart(tags: list[dict]) -> str:
    top = [t for t in tags if t["change"] > 0][:TAGS_CHART_LIMIT]
    return hbar_list([(str(t["tag"]), t["change"]) for t in top], title="Tags with rising usage")


def _outreach_rows(*, start: date, end: date) -> list[dict]:
    """Outreach per month, with the answer rate (a fraction) also as a percentage for display."""
    return [
        {**row, "answer_pct": None if row["answer_rate"] is None else 100.0 * row["answer_rate"]}
        for row in outreach_monthly(start=start, end=end)
    ]


FIGURES_TTL_SECONDS = 120


def _figures_html(
    *, start: date, end: date, channel_id: int | None, product_id: int | None, now: datetime, query: str
) -> str:
    """The dashboard's figures, rendered. Call inside rollups_read(): its refresh bumps the KPI version when
    anything changed, so a cached rendering is served only while nothing did, and never past the minute
    it was made for (the overdue figures move with the clock)."""

    def build() -> str:
        figures = _dashboard_figures(start=start, end=end, channel_id=channel_id, now=now)
        return render_to_string("metrics/_dashboard_figures.html", {**figures, "query": query})

    # No rollups (SQLite), so no version to tell a change by: computed every time.
    key: str | None = f"kpi-figures:{kpi_version()}:{start}:{end}:{channel_id}:{product_id}:{now:%Y%m%d%H%M}"
    key = key if rollups_supported() else None
    return fragment(key, build, ttl=FIGURES_TTL_SECONDS)


def _dashboard_figures(*, start: date, end: date, channel_id: int | None, now: datetime) -> dict:
    targets = Target.hours()
    stats = first_reply_stats(start=start, end=end, channel_id=channel_id, now=now, targets=targets)
    weekly = first_reply_weekly(start=start, end=end, channel_id=channel_id)
    duty = DutySettings.current()
    activity = activity_daily(start=start, end=end, channel_id=channel_id, duty=duty)
    tags = tags_rising(end=end, days=tags_days(start, end))
    return {
        "first_reply": first_reply_rows(stats),
        "next_reply": next_reply_stats(start=start, end=end, channel_id=channel_id, now=now, targets=targets),
        "overdue": overdue_rows(stats, now=now),
        "weekly": weekly,
        "weekly_chart": _weekly_chart(weekly),
        "activity": activity,
        "activity_chart": _activity_chart(activity),
        "release_day": duty.release_day,
        "tags": tags,
        "tags_chart": _tags_chart(tags),
        "outreach": _outreach_rows(start=start, end=end),
        "advocates": advocate_stats(start=start, end=end, channel_id=channel_id),
        # The last 30 days whatever the range: how the classifier does now (metrics/judgement_quality.py).
        "judgement_corrections": judgement_corrections(now=now),
        **judgement_learned_said(),
        "tags_days": tags_days(start, end),
        "start": start,
        "end": end,
    }


@require_GET
@view_dashboards
def dashboard(request: HttpRequest) -> HttpResponse:
    form = KpiFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/dashboard.html", {"form": form}, status=400)
    filters = form.filters
    with rollups_read(), product_narrowed(form.product_id):
        figures = _figures_html(**filters, product_id=form.product_id, now=timezone.now(), query=form.querystring)
    return render(
        request,
        "metrics/dashboard.html",
        {"form": form, "figures": figures, "start": filters["start"], "end": filters["end"]},
    )


@require_GET
@view_dashboards
def export(request: HttpRequest, table: str) -> HttpResponse | StreamingHttpResponse:
    form = CommunityFilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    # The lines are made as the response streams, after this view returns: the product goes with them.
    lines = export_lines(
        table=table,
        **form.filters,
        now=timezone.now(),
        by=form.cleaned_data.get("by") or None,
        product_id=form.product_id,
    )
    if lines is None:
        raise Http404("No such table.")
    f = form.filters
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{table}-{f["start"]:%Y%m%d}-{f["end"]:%Y%m%d}.csv"'
    return response


@require_GET
@view_dashboards
def community(request: HttpRequest) -> HttpResponse:
    """The Community page: what is said, where, how it feels, and whether answering brings people back."""
    form = CommunityFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/community.html", {"form": form}, status=400)
    filters, by, now = form.filters, form.by_for(), timezone.now()

    def build() -> str:
        figures = community_figures(**filters, by=by, now=now)
        # Whatever the channel filter: shares are the desk's and its competitors' on every searching platform.
        voice = share_of_voice_context(start=filters["start"], end=filters["end"], by=by)
        return render_to_string("metrics/_community_figures.html", {**figures, **voice, "query": form.querystring})

    with rollups_read(), product_narrowed(form.product_id):
        # As the KPI page's figures (_figures_html): cached while the KPI version stands, never past its minute.
        key = f"community-figures:{kpi_version()}:{filters['start']}:{filters['end']}:{filters['channel_id']}:{by}"
        key += f":{form.product_id}"
        html = fragment(f"{key}:{now:%Y%m%d%H%M}" if rollups_supported() else None, build, ttl=FIGURES_TTL_SECONDS)
    return render(
        request,
        "metrics/community.html",
        {"form": form, "figures": html, "start": filters["start"], "end": filters["end"]},
    )


@require_GET
@view_dashboards
def monthly(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/monthly.html", {"form": form}, status=400)
    start, end = form.cleaned_data["month"]
    now = timezone.now()
    # The month in progress is reported to today: its days still to come have nothing to count, and listed with zeros
    # they read as days nobody worked (issue 69).
    today = timezone.localdate()
    so_far = start <= today < end
    end = today if so_far else end
    duty = DutySettings.current()
    with rollups_read(), product_narrowed(form.product_id):
        stats = first_reply_stats(start=start, end=end, now=now)
        activity = activity_daily(start=start, end=end, duty=duty)
        community = community_summary(start=start, end=end)
        outreach = _outreach_rows(start=start, end=end)
        team = team_engagement(start=start, end=end)
    return render(
        request,
        "metrics/monthly.html",
        {
            "form": form,
            "month": start,
            "start": start,
            "end": end,
            "so_far": so_far,
            "release_day": duty.release_day,
            "groups": first_reply_rows(stats)[:2],
            "activity": activity,
            "activity_chart": _activity_chart(activity),
            "totals": {key: sum(d[key] for d in activity) for key in ("created", "replied", "solved")},
            "outreach": outreach,
            "team": team,
            # The scheduled report's words (as its e-mail has them); the template escapes the tag or story named.
            "community": community_line(community.as_json(), str),
            "query": f"from={start.isoformat()}&to={end.isoformat()}{form.product_query}",
        },
    )
