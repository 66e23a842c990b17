from django.urls import path

from metrics import check_views, views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("community/", views.community, name="community"),
    path("community/check/", check_views.community_check, name="community-check"),
    path("monthly/", views.monthly, name="monthly"),
    path("export/<slug:table>.csv", views.export, name="export"),
]
