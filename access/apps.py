from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Who may sign in and how: django-allauth's sign-in with the desk's rules (no sign-up form, failed
    attempts slowed down where they come from and recorded, two-factor required of staff and its secrets
    encrypted, roles from the identity provider's groups), and the record of every sign-in for admins."""

    name = "access"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from django.conf import settings

        from access import checks, tasks  # noqa: F401  (registers the checks, and the task notices enqueue by name)
        from access.records import signed_in
        from advocacy import static_check  # noqa: F401  (registers `check --deploy`'s static files check)

        user_logged_in.connect(signed_in, dispatch_uid="access-signed-in")
        if settings.PRODUCTION:
            # gunicorn and Celery run no system checks: the web and worker logs say it at every start.
            checks.production_start_log()
