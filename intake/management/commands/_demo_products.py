"""The demo's two products (issue 71, docs/products.md): GitLab, the platform, and GitLab Runner, the agent that runs
its CI jobs, as one company's community team serves both. Made before any demo ticket, so intake gives each new ticket
its product the way a desk in use does: the product its first mention names, else its channel's. The demo's Discord
server is the runner's community (its #help is mostly runner questions), so the Discord channel belongs to the
runner; everything else to GitLab. Made once: an admin's later changes are kept."""

from __future__ import annotations

from mentions.models import ProductProfile
from mentions.models.products import DEFAULT_DESCRIPTION, DEFAULT_PRODUCT

RUNNER_SLUG = "gitlab-runner"
RUNNER = {
    "name": "GitLab Runner",
    "other_names": "gitlab-runner\ngitlab runner",
    "description": (
        "GitLab Runner, the open-source agent that runs GitLab CI/CD jobs: installing and registering runners "
        "(runner authentication tokens), executors (Docker, Kubernetes, shell, docker-machine), config.toml, the "
        "helper image, concurrency, caching and artifacts, autoscaling, and runners on Linux, macOS, Windows and "
        "arm64."
    ),
    "search_terms": 'gitlab-runner\n"gitlab runner"',
    "colour": "#e16f24",
}
# The demo channels, by platform kind, that belong to the runner rather than to the desk's first product.
RUNNER_KINDS = ("discord",)


def competitor_products() -> dict[str, int]:
    """The demo's competitors made for one product (channels.demo.competitors): Forgeworks, a forge, is GitLab's."""
    gitlab = ProductProfile.objects.order_by("id").values_list("pk", flat=True).first()
    return {"Forgeworks": gitlab} if gitlab is not None else {}


def products_seed() -> dict[str, int]:
    """Both products (GitLab first: the desk's default), made once; returns {platform kind: product id} for the demo
    channels that belong to the runner."""
    if not ProductProfile.objects.exists():
        ProductProfile.objects.create(
            name=DEFAULT_PRODUCT, slug="gitlab", description=DEFAULT_DESCRIPTION, other_names="gitlab.com"
        )
    runner, _ = ProductProfile.objects.get_or_create(slug=RUNNER_SLUG, defaults=RUNNER)
    return dict.fromkeys(RUNNER_KINDS, runner.pk)
