from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("tickets/<int:pk>/share/", views.ticket_share_view, name="ticket-share"),
]
