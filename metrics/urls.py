from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("community/", views.community, name="community"),
    path("monthly/", views.monthly, name="monthly"),
    path("export/<slug:table>.csv", views.export, name="export"),
]
