#!/usr/bin/env python
import os
import sys


def runserver_reloader(argv: list[str], environ: os._Environ[str] | dict[str, str]) -> bool:
    """Whether this process is runserver's reloading parent: the one that starts the server as a child and starts
    it again each time the child exits to reload (Django's autoreload, exit code 3). The child loads the desk and
    watches the files; the parent only waits for it, so it need not load the desk's apps (issue 58: about 90 MiB
    of `make run`'s memory)."""
    return (
        argv[1:2] == ["runserver"]
        and "--noreload" not in argv
        and environ.get("RUN_MAIN") != "true"  # django.utils.autoreload.DJANGO_AUTORELOAD_ENV: set in the child
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    if runserver_reloader(sys.argv, os.environ):
        from django.utils import autoreload

        # What runserver's parent does after django.setup(): restart the child (the same command, RUN_MAIN=true)
        # while it exits with 3, then exit with its code. The child checks the arguments and the settings.
        autoreload.run_with_reloader(lambda: None)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
