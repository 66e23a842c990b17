"""Encrypt the two-factor secrets stored before the desk encrypted them (access.mfa_secrets): each TOTP
secret and each recovery-code seed (and migrated codes). Values already encrypted are left alone, so running
it again changes nothing; backwards, they are decrypted again."""

from django.db import migrations


def _convert(apps, convert):
    from access.mfa_secrets import authenticator_data_convert

    Authenticator = apps.get_model("mfa", "Authenticator")
    for row in Authenticator.objects.filter(type__in=("totp", "recovery_codes")).iterator():
        data = authenticator_data_convert(row.type, row.data, convert)
        if data != row.data:
            Authenticator.objects.filter(pk=row.pk).update(data=data)


def encrypt(apps, schema_editor):
    from access.mfa_secrets import mfa_secret_encrypt

    _convert(apps, mfa_secret_encrypt)


def decrypt(apps, schema_editor):
    from access.mfa_secrets import mfa_secret_decrypt

    # Strict: a value the key cannot open stops the migration rather than being replaced.
    _convert(apps, lambda value: mfa_secret_decrypt(value, strict=True))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_signin_source_device_for_limits"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
