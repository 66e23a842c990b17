"""A Linear channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting

# A Linear team's key: the prefix of its issues' identifiers ("ENG" of "ENG-123"), letters and digits.
TEAM_KEY = re.compile(r"[A-Z][A-Z0-9]{0,9}")


SCHEMA = KindSchema(
    settings=(
        Setting("teams", "Teams", "lines", "Keys of the teams issues are filed in, one per line", example="ENG"),
    ),
    credentials=(
        Credential(
            "api_key",
            "API key",
            "A personal API key (Linear, Settings, Security & access), sent as Authorization: the channel's reads",
        ),
        Credential("oauth_client_id", "OAuth application id", "For connecting accounts: the app's id", secret=False),
        Credential("oauth_client_secret", "OAuth application secret", "The application's secret"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Linear", '{"teams": ["ENG"]}')
    value = config.get("teams")
    keys = [v.strip().upper() for v in value if isinstance(v, str)] if isinstance(value, list) else []
    if not keys or len(keys) != len(value) or not all(TEAM_KEY.fullmatch(k) for k in keys):
        raise ConfigError('"teams" must be a list of Linear team keys (the prefix of their issues), e.g. ["ENG"].')
    return {**result, "teams": list(dict.fromkeys(keys))}
