"""The DevOps stages as product areas, with their Slack channels and the words that point at them."""

from django.db import migrations

AREAS = [
    (
        "Plan",
        "#s_plan",
        ["issue", "issues", "epic", "epics", "board", "issue board", "milestone", "roadmap", "label", "labels",
         "iteration", "time tracking", "requirements", "service desk"],
    ),
    (
        "Create",
        "#s_create",
        ["merge request", "merge requests", "mr", "code review", "repository", "web ide", "wiki", "snippets",
         "diff", "diffs", "git", "branch", "gitaly", "source code"],
    ),
    (
        "Verify",
        "#s_verify",
        ["pipeline", "pipelines", "ci", "ci/cd", "runner", "runners", "job", "jobs", "cache", "artifacts",
         "gitlab-ci.yml", ".gitlab-ci.yml", "code quality"],
    ),
    (
        "Package",
        "#s_package",
        ["registry", "container registry", "package", "packages", "package registry", "npm", "maven", "pypi",
         "nuget", "docker image"],
    ),
    (
        "Secure",
        "#s_secure",
        ["sast", "dast", "dependency scanning", "vulnerability", "vulnerabilities", "secret detection", "fuzzing",
         "license compliance"],
    ),
    (
        "Release",
        "#s_release",
        ["deploy", "deployment", "deployments", "environment", "environments", "release", "releases",
         "feature flag", "feature flags", "pages", "gitlab pages", "review apps"],
    ),
    (
        "Configure",
        "#s_configure",
        ["kubernetes", "k8s", "agent", "terraform", "auto devops", "helm", "cluster", "infrastructure as code"],
    ),
    (
        "Monitor",
        "#s_monitor",
        ["metrics", "tracing", "logging", "logs", "incident", "incidents", "error tracking", "alerts", "prometheus"],
    ),
    (
        "Protect",
        "#s_protect",
        ["security policy", "security policies", "container scanning", "network policy", "firewall", "waf"],
    ),
]


def seed(apps, schema_editor):
    ProductArea = apps.get_model("experts", "ProductArea")
    for name, channel, keywords in AREAS:
        ProductArea.objects.get_or_create(name=name, defaults={"slack_channel": channel, "keywords": keywords})


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
