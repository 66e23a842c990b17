"""Migrates the minimal project's database, makes its users and prints a session cookie for each as JSON
(bench/pages.py runs it in a subprocess: its settings are not the desk's). Argument: how many users."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "_minimal_project.settings")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    call_command("migrate", interactive=False, verbosity=0)
    User = get_user_model()
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    cookies = []
    for i in range(int(sys.argv[1])):
        user = User.objects.filter(username=f"bench-minimal-{i}").first()
        if user is None:
            user = User.objects.create_user(f"bench-minimal-{i}")  # no password: signed in by its session
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if settings.SESSION_ENGINE.endswith(".db"):
            store.create()  # a new row in django_session
        else:
            store.save()  # the cookie's value is the signed session itself
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    print(json.dumps(cookies))


if __name__ == "__main__":
    main()
