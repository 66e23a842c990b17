"""The access app's migrations 0001-0006 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0006 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now.
0003 (roles the identity provider gave), 0004 (sign-ins' sources) and 0005 (two-factor secrets encrypted) changed
existing rows: a fresh database has none.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('access', '0001_initial'),
        ('access', '0002_provider_roles_and_rejected_sign_ins'),
        ('access', '0003_mark_roles_the_provider_gave'),
        ('access', '0004_signin_source_device_for_limits'),
        ('access', '0005_encrypt_two_factor_secrets'),
        ('access', '0006_sign_in_named_with_a_hyphen'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ProviderRole',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='auth.group')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provider_roles', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'role from the identity provider',
                'verbose_name_plural': 'roles from the identity provider',
                'constraints': [models.UniqueConstraint(fields=('user', 'group'), name='providerrole_user_group_uniq')],
            },
        ),
        migrations.CreateModel(
            name='SignIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('username', models.CharField(blank=True, max_length=150)),
                ('address', models.GenericIPAddressField(blank=True, null=True)),
                ('outcome', models.CharField(choices=[('succeeded', 'Signed in'), ('failed', 'Wrong username or password'), ('refused', 'Refused: too many failed attempts'), ('rejected', "Refused: the identity provider's answer failed the checks")], max_length=12)),
                ('method', models.CharField(choices=[('password', 'Password'), ('identity_provider', 'Identity provider')], default='password', max_length=20)),
                ('two_factor', models.BooleanField(default=False, help_text='A two-factor code was part of it.')),
                ('user_agent', models.CharField(blank=True, max_length=200)),
                ('source', models.CharField(blank=True, help_text='What the limits count it under: the IPv4 address, or the IPv6 /64.', max_length=64)),
                ('device', models.CharField(blank=True, help_text='A browser this account signed in from before (its device cookie, hashed): counted apart.', max_length=16)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sign_ins', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'sign-in',
                'ordering': ['-at'],
                'permissions': [],
                'indexes': [models.Index(django.db.models.functions.text.Lower('username'), models.F('at'), name='signin_login_at_idx'), models.Index(fields=['source', 'at'], name='signin_source_at_idx')],
            },
        ),
    ]
