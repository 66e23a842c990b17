"""Signing in: Django's and allauth's accounts, failed sign-in limits, the client address behind proxies,
two-factor authentication, single sign-on over OpenID Connect."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from .environment import PRODUCTION, env

# --- Auth --------------------------------------------------------------------------------
# "Advocate for a day": a valid mentions.AdvocateGrant gives the Advocates' permissions,
# checked on every request, so access ends the second the grant expires.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "mentions.permissions.backends.AdvocateGrantBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mentions:queue"
LOGOUT_REDIRECT_URL = "login"

# Signing in is django-allauth's (access/adapters.py): passwords with failed attempts limited, two-factor
# codes (TOTP and recovery codes), and the company's identity provider over OpenID Connect when configured.
# Accounts are made by admins (or by the first sign-in through the identity provider): no sign-up form.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "access.adapters.DeskAccountAdapter"
SOCIALACCOUNT_ADAPTER = "access.single_sign_on.adapter.DeskSocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_SESSION_REMEMBER = True  # the session limits (DESK_SESSION_*) decide how long
# Failed sign-ins slow down where they come from instead of locking the account (access/limits.py, computed
# from the SignIn records). A refused attempt says when to try again, and its password is not checked.
# - Per account and place (an address; or a browser the account signed in from before, by its device
#   cookie): DESK_SIGNIN_FAILURES failures are free, then each attempt waits DESK_SIGNIN_DELAY_SECONDS after
#   the last failure, doubling with each further failure up to DESK_SIGNIN_MAX_DELAY_MINUTES.
# - Per account from places it never signed in from: past DESK_SIGNIN_ACCOUNT_FAILURES failures (each place
#   counting at most DESK_SIGNIN_FAILURES), a wait of 1 s doubling up to DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS.
# - Per address, across accounts (one place trying many): DESK_SIGNIN_FAILURES_PER_ADDRESS failures within
#   DESK_SIGNIN_WINDOW_MINUTES, then that address waits until the oldest leaves the window. Sized for an
#   office behind one address; browsers that signed in before are not held by it.
DESK_SIGNIN_FAILURES = env.int("DESK_SIGNIN_FAILURES", default=5)
DESK_SIGNIN_DELAY_SECONDS = env.int("DESK_SIGNIN_DELAY_SECONDS", default=30)
DESK_SIGNIN_MAX_DELAY_MINUTES = env.int("DESK_SIGNIN_MAX_DELAY_MINUTES", default=15)
DESK_SIGNIN_ACCOUNT_FAILURES = env.int("DESK_SIGNIN_ACCOUNT_FAILURES", default=10)
DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS = env.int("DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS", default=60)
DESK_SIGNIN_FAILURES_PER_ADDRESS = env.int("DESK_SIGNIN_FAILURES_PER_ADDRESS", default=100)
DESK_SIGNIN_WINDOW_MINUTES = env.int("DESK_SIGNIN_WINDOW_MINUTES", default=15)
# The client's address behind a reverse proxy (access/client_address.py): X-Forwarded-For is read only on
# requests from DESK_TRUSTED_PROXIES (comma-separated addresses or ranges, e.g. 127.0.0.1,10.0.0.0/8), or
# from any peer with DESK_PROXY_HOPS (the number of proxies in front; only when nothing else can reach the
# desk's port). Both empty: REMOTE_ADDR, and behind a proxy every client looks like the proxy.
# (BEHIND_TLS_PROXY, the production switch in security.py, without either draws a warning from `check`.)
DESK_TRUSTED_PROXIES = env.list("DESK_TRUSTED_PROXIES", default=[])
DESK_PROXY_HOPS = env.int("DESK_PROXY_HOPS", default=0)
for _proxy in DESK_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"DESK_TRUSTED_PROXIES: {_proxy!r} is not an address or range ({_error}).") from None
if DESK_PROXY_HOPS < 0 or min(DESK_SIGNIN_FAILURES, DESK_SIGNIN_ACCOUNT_FAILURES, DESK_SIGNIN_WINDOW_MINUTES) < 1:
    raise ImproperlyConfigured(
        "DESK_PROXY_HOPS must be 0 or more; DESK_SIGNIN_FAILURES, DESK_SIGNIN_ACCOUNT_FAILURES and "
        "DESK_SIGNIN_WINDOW_MINUTES at least 1."
    )
ACCOUNT_RATE_LIMITS = {
    # allauth's own per-key "login_failed" limit would lock an account everywhere: the desk's limits above
    # replace it for passwords (DeskAccountAdapter.pre_authenticate). It still counts wrong two-factor codes
    # per user (only someone who got past the password reaches that step).
    "login_failed": f"{DESK_SIGNIN_FAILURES}/{DESK_SIGNIN_WINDOW_MINUTES}m/key",
    # Every POST to the sign-in page, per address: a flood guard well above an office's morning.
    "login": f"{DESK_SIGNIN_FAILURES_PER_ADDRESS * 6}/{DESK_SIGNIN_WINDOW_MINUTES}m/ip",
    "reauthenticate": f"{DESK_SIGNIN_FAILURES}/{DESK_SIGNIN_WINDOW_MINUTES}m/user",
}
# Two-factor: TOTP and recovery codes. Required of staff who sign in with a password; of everyone with
# DESK_2FA_REQUIRED_FOR_ALL (users of the identity provider answer to its own policy).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "access.two_factor.DeskMFAAdapter"
MFA_TOTP_ISSUER = env.str("DESK_2FA_ISSUER", default="Triage Desk")
DESK_2FA_REQUIRED_FOR_STAFF = env.bool("DESK_2FA_REQUIRED_FOR_STAFF", default=True)
DESK_2FA_REQUIRED_FOR_ALL = env.bool("DESK_2FA_REQUIRED_FOR_ALL", default=False)
# Single sign-on through the company's identity provider (OpenID Connect: Google Workspace, Okta,
# Keycloak, GitLab...), when DESK_OIDC_SERVER_URL (the issuer) is set; https in production. The ID token's
# signature and claims are always checked (access/single_sign_on/id_token.py). At every sign-in the groups
# claim (DESK_OIDC_GROUPS_CLAIM) gives Advocates for DESK_OIDC_ADVOCATE_GROUPS and Managers for
# DESK_OIDC_MANAGER_GROUPS, and takes back a role the provider gave that it no longer gives.
DESK_OIDC_SERVER_URL = env.str("DESK_OIDC_SERVER_URL", default="")
if PRODUCTION and DESK_OIDC_SERVER_URL and not DESK_OIDC_SERVER_URL.startswith("https://"):
    # Discovery, keys and tokens fetched over plain HTTP could be swapped on the way.
    raise ImproperlyConfigured(
        f"DESK_OIDC_SERVER_URL must be an https:// address in production (got {DESK_OIDC_SERVER_URL!r})."
    )
# What the desk asks the provider for; add the scope that releases the groups claim where it needs one
# (Okta: groups).
DESK_OIDC_SCOPES = env.list("DESK_OIDC_SCOPES", default=["openid", "profile", "email"])
DESK_OIDC_NAME = env.str("DESK_OIDC_NAME", default="your company account")
DESK_OIDC_GROUPS_CLAIM = env.str("DESK_OIDC_GROUPS_CLAIM", default="groups")
DESK_OIDC_ADVOCATE_GROUPS = env.list("DESK_OIDC_ADVOCATE_GROUPS", default=[])
DESK_OIDC_MANAGER_GROUPS = env.list("DESK_OIDC_MANAGER_GROUPS", default=[])
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
USERSESSIONS_TRACK_ACTIVITY = False  # the index of sessions is all the desk needs (no write per request)
SOCIALACCOUNT_PROVIDERS = (
    {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "company",
                    "name": DESK_OIDC_NAME,
                    "client_id": env.str("DESK_OIDC_CLIENT_ID"),
                    "secret": env.str("DESK_OIDC_CLIENT_SECRET"),
                    "settings": {"server_url": DESK_OIDC_SERVER_URL, "scope": DESK_OIDC_SCOPES},
                }
            ],
        }
    }
    if DESK_OIDC_SERVER_URL
    else {}
)
