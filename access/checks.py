"""`manage.py check` warns when the desk says it is behind a proxy but cannot tell its clients apart."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def proxy_addresses_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not (settings.DESK_TRUSTED_PROXIES or settings.DESK_PROXY_HOPS):
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but neither DESK_TRUSTED_PROXIES nor DESK_PROXY_HOPS is set: every client "
                "looks like the proxy, so the sign-in limits per address count the whole team as one place.",
                hint="Set DESK_TRUSTED_PROXIES to the proxy's address (e.g. 127.0.0.1) or range (docs/sign-in.md).",
                id="access.W001",
            )
        ]
    return []
