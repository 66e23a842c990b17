from django.urls import path

from channels import account_views

app_name = "channels"

urlpatterns = [
    path("accounts/<int:pk>/start/", account_views.account_connect_start, name="account-connect"),
    path("accounts/<int:pk>/channel-key/", account_views.account_connect_channel_key, name="account-channel-key"),
    # Registered in each platform's developer console (docs/platforms/README.md, "Connected accounts").
    path("<slug:kind>/callback/", account_views.account_connect_callback, name="account-callback"),
]
