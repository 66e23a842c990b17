"""The handbook's routing knowledge as triage rules (mentions.rules explains the matching).

Keywords are whole words, any case, one per line; "*" stands for any letters. Edit them in
admin; this migration only creates rules that do not exist yet."""

from django.db import migrations

ISSUES = "https://gitlab.com/gitlab-org/gitlab/-/issues"
FORUM = "https://forum.gitlab.com"
SOCIAL = ["twitter", "reddit", "disqus", "email", "webhook"]

RULES = [
    {
        "name": "Competitor-only mention",
        "description": "Mentions that only concern a competitor are not acknowledged (handbook: Twitter). Runs "
        "first and stops the other rules. Anything naming GitLab in any form is left alone.",
        "channel_kinds": ["twitter", "hackernews", "reddit"],
        "text_keywords": "github\nbitbucket\njenkins\ncircleci\ntravis ci\ntravis-ci\nazure devops\ngitea\nsourcehut",
        "text_excludes": "*gitlab*",
        "close_without_reply": True,
        "stop_processing": True,
    },
    {
        "name": "Security or vulnerability report",
        "description": "Security reports get an answer within one business day (the SLA clock reads the "
        "security tag); HackerOne is where they are handled.",
        "text_keywords": "vulnerability\nvulnerabilities\nsecurity issue\nsecurity bug\nsecurity hole\n"
        "security flaw\ncve-*\nxss\ncsrf\nrce\nremote code execution\nsql injection\nprivilege escalation\n"
        "exploit\nexploitable\nresponsible disclosure\nhackerone",
        "add_tags": "security",
        "set_priority": "high",
    },
    {
        "name": "Availability / downtime",
        "description": "Downtime reports: the status page, answered from the status handle (handbook: Tweets "
        "regarding GitLab downtime).",
        "text_keywords": "is down\nare down\ngitlab down\ngitlab.com down\ndown again\ndown for everyone\n"
        "down for me\noutage\n502*\n503*\n504*\n500 error*\nnot loading\nunreachable\ndegraded performance\n"
        "status page\ncan't reach\ncannot reach",
        "add_tags": "downtime",
        "set_priority": "high",
        "reply_from": "status",
        "reply_template": "Sorry for the trouble, {requester}! Please check https://status.gitlab.com for the current "
        "status. Are you still experiencing issues?",
    },
    {
        "name": "Spam report",
        "description": "Spam reports go to #abuse with a link; thank the reporter (handbook: Reports of Spam).",
        "text_keywords": "spam\nspammer*\nspamming\nspammy\nspambot*\nspam bot*",
        "text_excludes": "spam folder\nspam filter*\njunk\nmarked as spam\ngoes to spam\ngoing to spam\nwent to spam",
        "add_tags": "spam-report",
        "notify_slack": "#abuse",
        "reply_template": "Thanks for letting us know, {requester}! We've passed this on to the team that handles "
        "abuse.",
    },
    {
        "name": "Bug report",
        "description": "Point to the issue tracker: add to a related issue or open one (handbook: Bug Reports "
        "and Feature Requests).",
        "text_keywords": "bug\nbugs\nbuggy\nbroken\nregression\ncrash\ncrashes\ncrashed\ncrashing\n"
        "doesn't work\ndoes not work\nstopped working\nnot working",
        "add_tags": "bug-report",
        "reply_template": "Thanks for reporting this, {requester}! Could you look for a matching issue at "
        f"{ISSUES} and add your details there, or open a new one if there isn't any? That's where the team "
        "tracks and fixes it.",
    },
    {
        "name": "Feature request",
        "description": "Point to the issue tracker: upvote a related issue or open one (handbook: Bug Reports "
        "and Feature Requests).",
        "text_keywords": "feature request\nwould be nice\nwould be great if\nwould love\nplease add\ncan you add\n"
        "could you add\nany plans to\nwish gitlab\nshould support",
        "add_tags": "feature-request",
        "reply_template": "Thanks for the idea, {requester}! Could you check " + ISSUES + " for an existing "
        "request to upvote and comment on, or open a new issue describing what you'd like to see? Product "
        "managers follow them there.",
    },
    {
        "name": "Self-managed or GitLab.com?",
        "description": "We can only handle requests for GitLab.com: ask which one it is (handbook: Twitter, "
        "Best practices). Comes before the forum redirect, so its question is the suggested reply.",
        "channel_kinds": SOCIAL,
        "text_keywords": "self-hosted\nself hosted\nself-managed\nself managed\non-prem*\non premise*\nomnibus\n"
        "my instance\nour instance\ngitlab instance\ngitlab server\nour server\nmy server",
        "add_tags": "self-managed",
        "reply_template": "Thanks for reaching out, {requester}! To point you in the right direction: is this on "
        "GitLab.com or on a self-managed GitLab instance (and which version)? For self-managed instances the "
        f"forum at {FORUM} is the best place to get help.",
    },
    {
        "name": "Support question",
        "description": "Support questions are best answered on the forum (handbook: Directing Users to the "
        "Forum). Not on the forum or Stack Overflow themselves, nor Hacker News threads.",
        "channel_kinds": SOCIAL,
        "text_keywords": "how do i\nhow can i\nhow to\nanyone know\nany idea\nneed help\nhelp me\n"
        "can someone help\nis there a way\nhaving trouble\ntrouble with\ncan't figure out\ncannot figure out\n"
        "getting an error\ngetting error*",
        "add_tags": "support-question",
        "reply_template": f"In order to troubleshoot your issue, please post your question in our forum at {FORUM}! "
        "This way you'll have the whole power of the community to help.",
    },
    {
        "name": "#movingtogitlab",
        "description": "Thank people moving to GitLab and ask what they gain (handbook: #movingtogitlab).",
        "text_keywords": "#movingtogitlab\nmoving to gitlab\nmoved to gitlab\nswitching to gitlab\n"
        "switched to gitlab\nmigrating to gitlab\nmigrated to gitlab\nmoving over to gitlab\nswitched over to gitlab",
        "add_tags": "movingtogitlab",
        "reply_template": "Welcome aboard, {requester}, and thanks for moving to GitLab! We'd love to hear what made "
        "you switch and what you're getting out of it so far.",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("mentions", "Rule")
    for position, spec in enumerate(RULES):
        Rule.objects.get_or_create(name=spec["name"], defaults={**spec, "position": (position + 1) * 10, "enabled": True})


def unseed(apps, schema_editor):
    apps.get_model("mentions", "Rule").objects.filter(name__in=[r["name"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("mentions", "0010_rules")]

    operations = [migrations.RunPython(seed, unseed)]
