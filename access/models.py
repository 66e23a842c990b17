from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models.functions import Lower

from advocacy.model_bases import Stamped


class SignIn(models.Model):
    """One attempt to sign in through the sign-in page, whatever its outcome. The username is as typed
    (it may be nobody's) and the address as the request came (REMOTE_ADDR, or the proxy's header when
    the desk is configured behind one: access.client_address). The sign-in limits are computed from these
    rows (access.limits): failures per account and place, per account, per place."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Signed in"
        FAILED = "failed", "Wrong username or password"
        REFUSED = "refused", "Refused: too many failed attempts"
        REJECTED = "rejected", "Refused: the identity provider's answer failed the checks"

    class Method(models.TextChoices):
        PASSWORD = "password", "Password"
        IDENTITY_PROVIDER = "identity_provider", "Identity provider"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_ins"
    )
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.PASSWORD)
    two_factor = models.BooleanField(default=False, help_text="A two-factor code was part of it.")
    user_agent = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=64, blank=True, help_text="What the limits count it under: the IPv4 address, or the IPv6 /64."
    )
    device = models.CharField(
        max_length=16,
        blank=True,
        help_text="A browser this account signed in from before (its device cookie, hashed): counted apart.",
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = "sign-in"  # the noun, not "sign in"
        indexes = [
            # Usernames match without regard to case, as allauth's sign-in does ("Alice" is alice).
            models.Index(Lower("username"), "at", name="signin_login_at_idx"),
            models.Index(fields=["source", "at"], name="signin_source_at_idx"),
        ]
        permissions = []

    def __str__(self) -> str:
        return f"{self.username or '?'} {self.get_outcome_display().lower()} at {self.at:%Y-%m-%d %H:%M} UTC"


class ProviderRole(Stamped):
    """A desk role (Advocates, Managers) that the identity provider gave: its groups claim mapped to it at a
    sign-in. Every sign-in through the provider re-reads the claim; a role marked here that the claim no
    longer gives is taken away. A role an admin gave by hand has no row here and no sign-in removes it;
    deleting a row keeps the role from then on as if an admin had given it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_roles")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="providerrole_user_group_uniq")]
        verbose_name = "role from the identity provider"
        verbose_name_plural = "roles from the identity provider"

    def __str__(self) -> str:
        return f"{self.user} in {self.group} (from the identity provider)"
