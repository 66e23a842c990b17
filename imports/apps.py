from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from imports import tasks  # noqa: F401  (registers the import task the admin page enqueues by name)

        # Erasing a person reaches the reference an import kept of them (imports.privacy).
        from imports.privacy import imports_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(imports_erase)
