from django.urls import path

from experts import ticket_panel, views

app_name = "experts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("tickets/<int:pk>/outreach/", ticket_panel.ticket_outreach, name="ticket-outreach"),
    path(
        "tickets/<int:pk>/outreach/<int:outreach_id>/decline/",
        ticket_panel.ticket_outreach_decline,
        name="ticket-outreach-decline",
    ),
]
