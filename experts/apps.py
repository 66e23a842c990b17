from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = "Experts"

    def ready(self) -> None:
        # Experts builds on mentions: it registers what it does when a macro is applied.
        from experts.services import community_share_on_macro
        from mentions.services.macro_hooks import macro_hook_register

        macro_hook_register(community_share_on_macro)
