from django.urls import path

from mentions import views

app_name = "mentions"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/", views.ticket_index, name="tickets"),
    path("tickets/bulk/", views.tickets_bulk, name="tickets-bulk"),
    path("tickets/snoozed/", views.snoozed, name="snoozed"),
    path("searches/", views.saved_search_create, name="saved-search-create"),
    path("searches/<int:pk>/delete/", views.saved_search_delete, name="saved-search-delete"),
    path("views/<slug:slug>/play/", views.play, name="play"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/live/", views.ticket_live, name="ticket-live"),
    path("tickets/<int:pk>/history/", views.ticket_history, name="ticket-history"),
    path("tickets/<int:pk>/panels/<slug:name>/", views.ticket_panel, name="ticket-panel"),
    path("tickets/<int:pk>/later/", views.ticket_panels_later, name="ticket-panels-later"),
    path("tickets/<int:pk>/note/", views.ticket_note, name="ticket-note"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket-reply"),
    path("tickets/<int:pk>/send/", views.ticket_send, name="ticket-send"),
    path("tickets/<int:pk>/approval/", views.ticket_approval, name="ticket-approval"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="ticket-status"),
    path("tickets/<int:pk>/macro/", views.ticket_macro, name="ticket-macro"),
    path("tickets/<int:pk>/skip/", views.ticket_skip, name="ticket-skip"),
    path("tickets/<int:pk>/release/", views.ticket_release, name="ticket-release"),
    path("tickets/<int:pk>/presence/", views.ticket_presence, name="ticket-presence"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:pk>/priority/", views.ticket_priority, name="ticket-priority"),
    path("tickets/<int:pk>/tags/", views.ticket_tags, name="ticket-tags"),
    path("tickets/<int:pk>/merge/", views.ticket_merge, name="ticket-merge"),
    path("tickets/<int:pk>/judgement/", views.ticket_judgement, name="ticket-judgement"),
    path("tickets/<int:pk>/like/", views.ticket_like, name="ticket-like"),
    path("tickets/<int:pk>/delete-post/", views.ticket_delete_post, name="ticket-delete-post"),
    path("tickets/<int:pk>/repost/", views.ticket_repost, name="ticket-repost"),
    path("tickets/<int:pk>/direct-message/", views.ticket_direct_message_send, name="ticket-direct-message"),
    path("tickets/<int:pk>/not-noise/", views.ticket_not_noise, name="ticket-not-noise"),
    path("tickets/<int:pk>/community-close/", views.ticket_community_close, name="ticket-community-close"),
    path("tickets/<int:pk>/snooze/", views.ticket_snooze, name="ticket-snooze"),
    path("tickets/<int:pk>/hand-over/", views.ticket_hand_over, name="ticket-hand-over"),
    path("tickets/<int:pk>/team-draft/use/", views.team_draft_use, name="team-draft-use"),
    path("tickets/<int:pk>/team-draft/dismiss/", views.team_draft_dismissed, name="team-draft-dismiss"),
]
