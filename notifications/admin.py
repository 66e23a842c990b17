"""Admin for what the desk told people on its own: the Slack outbox (what went where, Slack's own
words when it did not, "Send again"), urgent pings, end-of-day digests and front-page stories. All
read-only: rows are made by the desk, never typed in."""

from django.contrib import admin
from django.utils import timezone

from advocacy.admin_display import RecordedAdmin, cut_column, time_column
from notifications.models import CoverageDigest, FrontPageStory, SlackNotice, UrgentPing


@admin.register(SlackNotice)
class SlackNoticeAdmin(RecordedAdmin):
    """The Slack outbox: what went where, and Slack's own words when it did not."""

    list_display = ["short_destination", "ticket_id", "kind", "status", "attempts", "next_try", "sent", "error"]
    list_filter = ["status", "kind", "destination"]
    search_fields = ["destination", "ticket__id", "last_error"]
    readonly_fields = [f.name for f in SlackNotice._meta.fields]
    actions = ["send_again"]

    short_destination = cut_column("destination", "Destination", 28, ordering="destination")
    next_try = time_column("next_attempt_at", "Next try")
    sent = time_column("sent_at", "Sent")
    error = cut_column("last_error", "Error", 60)

    @admin.action(description="Send again (failed or unknown ones, after checking Slack)")
    def send_again(self, request, queryset) -> None:
        n = queryset.filter(status__in=[SlackNotice.Status.FAILED, SlackNotice.Status.UNKNOWN]).update(
            status=SlackNotice.Status.PENDING,
            next_attempt_at=None,
            claim_token="",
            attempts=0,
            updated_at=timezone.now(),
        )
        self.message_user(request, f"{n} notice(s) will be posted at the next flush.")


@admin.register(UrgentPing)
class UrgentPingAdmin(RecordedAdmin):
    list_display = ["ticket", "status", "reasons", "attempts", "sent_at", "last_error", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in UrgentPing._meta.fields]


@admin.register(CoverageDigest)
class CoverageDigestAdmin(RecordedAdmin):
    list_display = ["day", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = [f.name for f in CoverageDigest._meta.fields]


@admin.register(FrontPageStory)
class FrontPageStoryAdmin(RecordedAdmin):
    list_display = ["story_id", "channel", "ticket", "status", "attempts", "sent_at", "last_error", "created_at"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in FrontPageStory._meta.fields]
