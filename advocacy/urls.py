from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from advocacy.health import health
from advocacy.security_views import csp_report
from api import pages as api_pages
from intake.webhook_views import hook

admin.site.site_header = "Triage Desk administration"
admin.site.site_title = "Triage Desk"
# Admins sign in on the desk's own sign-in page: the same failed-attempt limits, two-factor and record.
# allauth's documented recipe wraps the default site's bound view; mypy forbids assigning to a method.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("admin/", admin.site.urls),
    # The names the desk has always used, for allauth's own sign-in and sign-out.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    path("hooks/<slug:slug>/", hook, name="webhook"),
    path("csp-report/", csp_report, name="csp-report"),
    path("health/", health, name="health"),
    path("connect/", include("channels.urls")),
    path("experts/", include("experts.urls")),
    path("notifications/", include("notifications.urls")),
    path("people/", include("people.urls")),
    path("answers/", include("answers.urls")),
    path("stories/", include("stories.urls")),
    path("slack/", include("slackapp.urls")),
    path("kpi/", include("metrics.urls")),
    path("api/", include("api.urls")),
    path("tokens/", api_pages.tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", api_pages.token_revoke_view, name="api-token-revoke"),
    path("", include("mentions.urls")),
]
