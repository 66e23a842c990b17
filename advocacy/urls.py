from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from advocacy.security_views import csp_report
from mentions.webhook_views import hook

admin.site.site_header = "Triage Desk administration"
admin.site.site_title = "Triage Desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("hooks/<slug:slug>/", hook, name="webhook"),
    path("csp-report/", csp_report, name="csp-report"),
    path("connect/", include("channels.urls")),
    path("experts/", include("experts.urls")),
    path("kpi/", include("metrics.urls")),
    path("", include("mentions.urls")),
]
