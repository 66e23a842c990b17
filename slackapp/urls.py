from django.urls import path

from slackapp import views

app_name = "slackapp"

# Two addresses as Slack's app settings name them (Event Subscriptions, Interactivity); one App answers both.
urlpatterns = [
    path("events/", views.slack_request, name="events"),
    path("interactions/", views.slack_request, name="interactions"),
]
