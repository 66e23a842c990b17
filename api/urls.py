from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import (
    analytics_views,
    answers_views,
    approval_views,
    issues_views,
    people_views,
    platform_actions,
    send_views,
    snooze_views,
    stories_views,
    views,
    views_list,
)
from api.analytics_sov import ShareOfVoice
from api.errors import not_found

app_name = "api"

# The Community figures, /api/analytics/<name>/ (api.analytics_views, api.analytics_sov): a new figure is one line
# here.
ANALYTICS = {
    "volume": analytics_views.Volume,
    "returning": analytics_views.Returning,
    "share-of-voice": ShareOfVoice,
    "accuracy": analytics_views.Accuracy,
}

urlpatterns = [
    path("tickets/", views.TicketList.as_view(), name="tickets"),
    path("tickets/<int:pk>/", views.TicketDetail.as_view(), name="ticket"),
    path("tickets/<int:pk>/issues/", issues_views.TicketIssues.as_view(), name="ticket-issues"),
    path("tickets/<int:pk>/notes/", views.TicketNote.as_view(), name="ticket-note"),
    path("tickets/<int:pk>/replies/", views.TicketReply.as_view(), name="ticket-reply"),
    path("tickets/<int:pk>/send/", send_views.TicketSend.as_view(), name="ticket-send"),
    path("tickets/<int:pk>/approval/", approval_views.TicketApproval.as_view(), name="ticket-approval"),
    path("tickets/<int:pk>/status/", views.TicketStatus.as_view(), name="ticket-status"),
    path("tickets/<int:pk>/macros/", views.TicketMacro.as_view(), name="ticket-macro"),
    path("tickets/<int:pk>/assignee/", views.TicketAssign.as_view(), name="ticket-assign"),
    path("tickets/<int:pk>/like/", platform_actions.TicketLike.as_view(), name="ticket-like"),
    path("tickets/<int:pk>/delete-post/", platform_actions.TicketDeletePost.as_view(), name="ticket-delete-post"),
    path("tickets/<int:pk>/repost/", platform_actions.TicketRepost.as_view(), name="ticket-repost"),
    path(
        "tickets/<int:pk>/direct-message/", platform_actions.TicketDirectMessage.as_view(), name="ticket-direct-message"
    ),
    path("tickets/<int:pk>/snooze/", snooze_views.TicketSnooze.as_view(), name="ticket-snooze"),
    path("tickets/<int:pk>/suggestions/", answers_views.TicketSuggestions.as_view(), name="ticket-suggestions"),
    path("stories/", stories_views.StoryList.as_view(), name="stories"),
    path("stories/<int:pk>/", stories_views.StoryDetail.as_view(), name="story"),
    path("views/", views_list.ViewList.as_view(), name="views"),
    path("channels/", views.ChannelHealth.as_view(), name="channels"),
    path("kpi/", views.Kpi.as_view(), name="kpi"),
    *(path(f"analytics/{name}/", view.as_view(), name=f"analytics-{name}") for name, view in ANALYTICS.items()),
    path("changes/", views.Changes.as_view(), name="changes"),
    path("people/", people_views.PersonList.as_view(), name="people"),
    path("people/recognition/", people_views.RecognitionList.as_view(), name="people-recognition"),
    path("people/<int:pk>/", people_views.PersonDetail.as_view(), name="person"),
    path("people/<int:pk>/merge/", people_views.PersonMerge.as_view(), name="person-merge"),
    path("people/<int:pk>/erase/", people_views.PersonErase.as_view(), name="person-erase"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    # Anything else ending in a slash (a ticket id that is not a number, a typo): a JSON 404, not the desk's
    # HTML page. A path without its slash is still redirected to the one with it first (APPEND_SLASH).
    re_path(r"^[\s\S]*/$", not_found),
]
