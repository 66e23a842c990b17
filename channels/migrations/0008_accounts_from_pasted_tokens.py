"""X handles' user tokens used to be pasted into the channel's raw credentials
({"handles": {"GitLab": {"access_token": "…"}}}). Each configured handle becomes an account: a
handle with a pasted token is connected with it (it cannot be refreshed: when X refuses it the
account says it needs reconnecting), a handle without one is not connected yet. The pasted
tokens leave the channel's credentials."""

from django.db import migrations


def forwards(apps, schema_editor):
    from channels.secrets import CredentialsUnreadable, credentials_decrypt, credentials_encrypt

    Channel = apps.get_model("channels", "Channel")
    Account = apps.get_model("channels", "Account")
    for channel in Channel.objects.filter(kind="twitter"):
        try:
            credentials = credentials_decrypt(channel.credentials_encrypted)
        except CredentialsUnreadable:
            credentials = None  # unreadable already: the accounts start unconnected
        pasted = (credentials or {}).get("handles")
        pasted = pasted if isinstance(pasted, dict) else {}
        by_name = {str(k).lstrip("@").casefold(): v for k, v in pasted.items()}
        handles = (channel.config or {}).get("handles") or []
        for position, handle in enumerate(h for h in handles if isinstance(h, dict)):
            username = str(handle.get("username") or "").strip().lstrip("@")
            if not username or Account.objects.filter(channel=channel, username__iexact=username).exists():
                continue
            entry = by_name.get(username.casefold())
            token = entry.get("access_token") if isinstance(entry, dict) else None
            account = Account(
                channel=channel,
                username=username,
                platform_user_id=str(handle.get("user_id") or ""),
                position=position,
            )
            if isinstance(token, str) and token.strip():
                account.tokens_encrypted = credentials_encrypt({"access_token": token.strip()})
                account.status = "connected"
            account.save()
        if credentials is not None and "handles" in credentials:
            credentials.pop("handles")
            channel.credentials_encrypted = credentials_encrypt(credentials)
            channel.save(update_fields=["credentials_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("channels", "0007_accounts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
