"""General software-support vocabulary: what people say for the same thing when they ask for help. Nothing
here names a product; a team adds its own (admin → Answers → Synonyms). Safe to rerun: a group already there
(the same words) is not added twice; removing a group in admin keeps it removed unless this runs again on an
empty table."""

from django.db import migrations

GROUPS = [
    "sign in, log in, login, signin, logon, log on",
    "password, credentials, passphrase",
    "locked out, locked, lockout, blocked",
    "delete, remove, purge, prune, clean up, cleanup, wipe, erase, clear, drop",
    "storage, disk, disk space, space, size, usage, quota, gigabytes",
    "grows, growing, increase, bloat, bloated, fills up",
    "slow, sluggish, lag, laggy, latency, takes forever",
    "fails, failing, failed, broken, breaks, error, crash",
    "stuck, hangs, hanging, frozen, waits forever, never starts, pending",
    "timeout, timed out, time out",
    "repository, repo, codebase",
    "merge request, pull request, mr, pr",
    "pipeline, ci, build, workflow",
    "runner, agent, executor, build machine, worker",
    "cache, cached, caching",
    "dependencies, dependency, deps, packages, libraries, modules",
    "mirror, mirroring, sync, syncing, replicate, copy",
    "import, importer, migrate, migration, move over, moving",
    "upgrade, update, bump, newer version",
    "cost, billing, charged, invoice, allowance, minutes, pricing",
    "two-factor, 2fa, mfa, authenticator, otp, one-time code",
    "token, access token, api key, personal access token, pat",
    "permission, permissions, access, role, rights, allowed",
    "email, e-mail, mail, notification, notifications",
    "variable, variables, env var, environment variable, secret",
    "certificate, cert, tls, ssl, x509, https",
    "domain, dns, custom domain, hostname",
    "schedule, scheduled, cron, nightly, timer",
    "artifact, artifacts",
    "server, machine, host, box, instance, node, vm",
    "cpu, processor, load, maxed out",
    "comment, comments, discussion, discussions, note, review",
    "author, authors, attributed, written by",
    "documentation, docs, manual, guide",
    "webhook, hook, callback",
    "image, images, container image, docker image",
    "container registry, registry, docker registry",
    "deploy, deployment, release, ship",
    "disabled, greyed out, grayed out, can't click",
    "required, must succeed, mandatory, enforced",
    "skip, skipped, not run",
    "history, commits, commit history",
    "rewrite history, filter-repo, force push, force-push",
    "large files, big files, huge files, binaries",
    "limit, limits, maximum, cap, too large",
    "concurrent, parallel, at once, at a time, simultaneously",
    "ssh key, ssh keys, public key, deploy key",
    "user, account, member, profile",
    "group, organization, org, namespace, team",
    "project, projects, repo settings",
    "search, find, lookup",
    "backup, backups, restore, snapshot",
    "install, installation, setup, set up",
    "config, configuration, settings, setting",
    "logs, log, output, trace",
    "wiki, pages, page",
]


def seed(apps, schema_editor):
    Synonyms = apps.get_model("answers", "Synonyms")
    have = set(Synonyms.objects.values_list("words", flat=True))
    Synonyms.objects.bulk_create([Synonyms(words=w) for w in GROUPS if w not in have])


class Migration(migrations.Migration):
    dependencies = [("answers", "0004_synonyms")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
