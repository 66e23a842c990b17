from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        # The demo desk mounts its network on the sessions channels.http builds (only while DESK_DEMO_REPLAY is on).
        from channels.demo.replay import network_install

        network_install()
