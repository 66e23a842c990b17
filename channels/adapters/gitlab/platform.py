"""GitLab issues, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.watch import WatchPlan

from .budget import budget

PLATFORM = Platform(
    kind="gitlab",
    label="GitLab issues",
    adapter="channels.adapters.gitlab.GitLabAdapter",
    help_text="New issues of GitLab projects (gitlab.com or your own instance) and their comments.",
    config_example={"projects": ["gitlab-org/gitlab"], "keywords": ["runner"]},
    budget=budget,
    # GitLab.com: 2,000 API requests a minute per user; 100 watched issues read every 10 minutes (2 requests
    # each) are 28,800 a day, about 1 % of it.
    watch=WatchPlan(600, 2, 2_880_000, "GitLab.com: 2,000 API requests a minute per user"),
    replies="channels.adapters.gitlab.GitLabAdapter.post_reply",
    accounts="channels.adapters.gitlab.oauth.GitLabOAuth",
)
