"""What sign-in keeps, for erasing a person (people.privacy): the desk's staff accounts and sign-ins, and the
Django and allauth tables behind them. Community members never sign in to the desk, so none of these holds
their text; declared here, the app that owns sign-in, for the apps that have no privacy module of their own."""

from __future__ import annotations

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "access.SignIn": "sign-in attempts to the desk: the username typed, the address and browser that tried",
    "auth.User": "the desk's staff accounts: advocates, managers, admins; never community members",
    "auth.Group": "the desk's roles: advocates, managers",
    "auth.Permission": "Django's permission names for the desk's models",
    "contenttypes.ContentType": "Django's names of the installed models",
    "sessions.Session": "staff sign-in sessions, signed and expiring; flash messages go in a cookie",
    "account.EmailAddress": "a staff member's sign-in address",
    "account.EmailConfirmation": "the key confirming a staff member's address",
    "mfa.Authenticator": "a staff member's two-factor secret and recovery codes",
    "socialaccount.SocialApp": "the single sign-on provider's settings, written by admins",
    "socialaccount.SocialAccount": "a staff member's account at the single sign-on provider",
    "socialaccount.SocialToken": "a staff member's single sign-on tokens",
    "usersessions.UserSession": "a staff member's sessions with address and browser, so they can end them",
}
