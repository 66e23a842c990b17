"""What the demo's month before its week is made of (channels.demo.month): the topics its community talks about, each
with its tags, its titles, the sentences its posts are built from and the answers our account gives, and the parts
of the made-up names its members post under. Written for the demo: no real person, post or account.

A post is a topic's opening sentence, a detail and, often, a closing word, so a few hundred posts read as many
people writing about a few things, as a community does; the tone is in the words (the desk's judgement reads it)."""

# ruff: noqa: E501  (prose: a sentence is one string)

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    tags: tuple[str, ...]
    weight: int  # how often the month's posts are about it, against the others
    titles: tuple[str, ...]
    openings: tuple[str, ...]
    details: tuple[str, ...]
    answers: tuple[str, ...]  # our account's first reply
    answered: float = 0.9  # the share of its posts the team answers (the rest are solved without a reply)
    asks: bool = True  # its posts ask something: they may end with a closing ("Thanks in advance.")


TOPICS: tuple[Topic, ...] = (
    Topic(
        "ci-minutes",
        ("ci-minutes",),
        7,
        ("Ran out of compute minutes again", "Where did all our CI minutes go?", "Compute minutes quota is killing us"),
        (
            "We ran out of CI minutes on the 14th again and every pipeline is blocked until next month. This is frustrating.",
            "Our compute minutes vanished in three days and nobody changed anything. Really annoying, what is eating them?",
            "Free tier compute minutes are gone halfway through the month, again. Terrible timing with a release due.",
            "Is there any way to see which project burns our CI minutes? The usage page is useless and we are stuck.",
            "Pipelines stuck because the namespace hit its compute quota. Disappointed, we never had this problem before.",
        ),
        (
            "The quota page says 400 of 400 used but our biggest job takes four minutes.",
            "We only added a nightly job for the docs site.",
            "Macos runners seem to count at a higher rate and nobody told us.",
            "Buying more minutes for a two-person open source project is not an option.",
            "Half the team cannot merge anything now.",
        ),
        (
            "Sorry about the blocked pipelines. Settings > Usage Quotas > Pipelines lists the minutes per project; the cost factor of each runner type is in the docs, and macOS runners do count at a higher factor.",
            "That usage page can be clearer, agreed. Per-project minutes are under Usage Quotas; for an open source project, the OSS program gives you more minutes, we can help with the form.",
            "Ouch, sorry. Minutes reset on the 1st; until then, a project runner on your own machine runs without using the quota. Happy to walk you through registering one.",
        ),
    ),
    Topic(
        "runners",
        ("runners", "ci"),
        6,
        ("Shared runners stuck in pending", "Jobs pending for ages this morning", "Runner picks up jobs very slowly"),
        (
            "Shared runners have been stuck in pending for 20 minutes, is something down?",
            "Every job sits in pending forever this morning. Pretty bad when you are trying to ship a hotfix.",
            "Our jobs wait ten minutes for a shared runner, then fail with a system failure. Broken again?",
            "Is the Linux shared runner fleet slow today or is it just us? Pipelines crawl.",
        ),
        (
            "Nothing changed on our side since yesterday.",
            "The status page says everything is operational.",
            "Retrying the job does not help.",
            "It started around 09:00 UTC for us.",
        ),
        (
            "Thanks for the report. There was queueing on the small Linux runners this morning; it has recovered, and the incident is on the status page.",
            "Sorry for the wait. Jobs were queued behind a large backlog this morning; they should pick up within a minute now. If one still hangs, send us its job id.",
        ),
    ),
    Topic(
        "registry",
        ("registry",),
        9,
        (
            "Container registry cleanup policy question",
            "Registry storage keeps growing",
            "Pull from the registry in a child pipeline",
        ),
        (
            "How do I set a cleanup policy so the container registry keeps only the last 10 tags per image?",
            "Our registry storage keeps growing even with a cleanup policy set. What am I missing?",
            "What is the right way to log in to the container registry from a child pipeline?",
            "Can the dependency proxy cache images from a private registry, or only Docker Hub?",
        ),
        (
            "We build about 40 images a day.",
            "The policy says it ran, but nothing was deleted.",
            "We are on the self-managed edition, 17.x.",
            "Docs link would be enough, I could not find it.",
        ),
        (
            "Cleanup policies keep tags by regex and by count: keep_n 10 with name_regex_keep '.*' does it. Note it runs on a schedule, not right after you save it.",
            "Good question: CI_REGISTRY_USER and CI_REGISTRY_PASSWORD are set in child pipelines too, so docker login with them works the same there.",
        ),
    ),
    Topic(
        "upgrade",
        ("upgrade",),
        8,
        (
            "Upgrade stuck on background migrations",
            "Upgrade path from 16.11",
            "Is the latest release safe to upgrade to?",
        ),
        (
            "Our upgrade from 17.3 to 17.5 is stuck on background migrations for two hours. Should we wait or roll back?",
            "What is the upgrade path from 16.11 to the current release? The upgrade tool confuses me.",
            "Is anyone running the latest release in production yet? Any surprises?",
            "After the upgrade the admin area shows a failed batched migration. How do we retry it safely?",
        ),
        (
            "Single node Omnibus install, about 300 users.",
            "We have a maintenance window on Saturday.",
            "Backups are done.",
            "The upgrade notes did not mention this.",
        ),
        (
            "Wait for them: Admin > Monitoring > Background migrations shows their progress, and the upgrade path tool lists the required stops. Rolling back is riskier than waiting.",
            "The upgrade path tool gives the required stops for your version; from 16.11 it is 17.1 and 17.3, then the current one. Check background migrations have finished between stops.",
        ),
    ),
    Topic(
        "kubernetes",
        ("kubernetes",),
        6,
        ("Agent for Kubernetes and multiple clusters", "Deploying to Kubernetes from CI"),
        (
            "Can one agent for Kubernetes serve several projects across two groups?",
            "What is the cleanest way to deploy to our Kubernetes cluster from CI without storing a kubeconfig?",
            "The agent shows connected but our deploy job cannot see the context. Ideas?",
        ),
        (
            "We run three clusters on EKS.",
            "Helm charts, nothing unusual.",
            "Following the getting started guide.",
        ),
        (
            "Yes: list the projects or groups under ci_access in the agent's config file, and their jobs get the agent's context. The docs page on CI/CD workflow has an example.",
            "With the agent, jobs get a kubecontext named after the agent's project and name; select it with kubectl config use-context and no kubeconfig is stored anywhere.",
        ),
    ),
    Topic(
        "praise",
        ("community-involvement",),
        12,
        ("Merge trains saved our release week", "Thank you for the review apps", "Small thing, big win"),
        (
            "Merge trains saved our release week. Honestly the best feature nobody talks about, thank you!",
            "Love the new pipeline editor, it caught three mistakes before I even pushed. Great work!",
            "Moved our team from three tools to one this month and it has been great. Thanks to everyone who answered my questions.",
            "Review apps are wonderful, our designers finally see every branch live. Amazing.",
            "Shoutout to the docs team, the CI/CD examples are excellent and saved me a day.",
        ),
        (
            "",
            "Keep it up.",
            "Nice work, really.",
        ),
        (
            "This made our day, thank you for saying so! Passing it on to the team.",
            "Thanks a lot, glad it helps. If you write up how your team uses it, we would love to share it.",
        ),
        answered=0.7,
        asks=False,
    ),
    Topic(
        "feature-request",
        ("feature-request",),
        7,
        (
            "Feature request: dark mode in the Web IDE",
            "Would love per-branch variables",
            "Idea: schedule pipelines per time zone",
        ),
        (
            "Would love to see per-branch CI variables without protected branch tricks. Is that on the roadmap?",
            "Feature request: let scheduled pipelines use a time zone per schedule, not the instance one.",
            "Any plans for a compact view of the merge request list? We scroll a lot.",
        ),
        (
            "Happy to upvote an issue if there is one.",
            "It would save our team a lot of clicks.",
            "",
        ),
        (
            "Good idea, and you are not alone: there is an open issue for it, link below. Upvotes and your use case there help the team prioritise.",
            "Thanks for the suggestion. We added your use case to the existing issue so the product team sees it.",
        ),
        answered=0.8,
    ),
    Topic(
        "noise",
        (),
        4,
        ("Hiring: DevOps engineer", "Giveaway", "Weekly links"),
        (
            "We are hiring a DevOps engineer with CI/CD pipeline experience, remote, EU time zones. DM me.",
            "Weekly DevOps links: a Terraform module roundup, a pipeline speed checklist and a talk about monorepos.",
            "Selling a sticker pack from the last conference, includes the tanuki, message me.",
        ),
        ("", "", "Link in bio."),
        (),
        answered=0.0,
        asks=False,
    ),
)

# The demo's Discord server is GitLab Runner's community (the desk's second product, issue 71: intake's _demo_products
# gives the Discord channel that product): its month is about running jobs on one's own machines, and the runner
# named by its package's name as often as not.
RUNNER_TOPICS: tuple[Topic, ...] = (
    Topic(
        "runner-setup",
        ("runner",),
        5,
        ("Registering a runner", "gitlab-runner install", "Runner token question"),
        (
            "How do I register gitlab-runner with the new authentication token? The old registration token flow is gone.",
            "gitlab-runner on Ubuntu 24.04 installs fine but the service never picks up a job. What am I missing?",
            "Is there a supported way to run gitlab-runner as a non-root user with the Docker executor?",
            "Our config.toml keeps losing the concurrent setting after every gitlab-runner upgrade. Annoying.",
            "Just set up my first self-hosted runner on a spare mini PC, builds are twice as fast now. Great docs!",
        ),
        (
            "We run 17.x on a single VM.",
            "The runner shows online in the project settings.",
            "The job log stops at Preparing environment.",
            "It is the arm64 package, if that matters.",
        ),
        (
            "Create the runner in the UI first (Settings > CI/CD > Runners); it gives you a glrt- token for `gitlab-runner register`. The docs page on runner creation walks through it.",
            "Check that the runner's tags match the job's, and that `run untagged jobs` is on if the job has none; `gitlab-runner --debug run` shows what it asks for.",
        ),
    ),
    Topic(
        "runner-executors",
        ("runner", "kubernetes"),
        4,
        ("Kubernetes executor pods pending", "Docker executor cache", "Helper image pull fails"),
        (
            "With the Kubernetes executor every job pod stays Pending and the event says it cannot pull the helper image.",
            "The Docker executor cache never hits between jobs on the same runner. Frustrating, builds take forever.",
            "Autoscaling runners on AWS leave old machines running after jobs finish and our bill doubled.",
            "Love the new fleeting autoscaler for the runner, it finally scales down to zero at night.",
        ),
        (
            "Air-gapped cluster, our own registry mirror.",
            "Runner 17.5, Helm chart install.",
            "Same config worked last week.",
            "We have about 30 projects on it.",
        ),
        (
            "Set `helper_image` in the runner's config.toml to an image in your mirror; the runner pulls it for every job pod.",
            "The cache key has to be the same between jobs and the cache directory shared: the docs' Docker executor cache section has an example.",
        ),
    ),
)
RUNNER_KINDS = ("discord",)  # the platforms whose month is the runner's

# Added to a post whose words another already used on the platform.
ASIDES = (
    "Edit: typo.", "Sorry if this was asked before.", "Same on two projects.", "Second time this month.",
    "Posting here because the forum is quiet.", "Screenshots on request.", "We are on Premium.", "Small team, five people.",
    "Happy to share logs.", "Self-managed, if that matters.",
)  # fmt: skip
CLOSINGS = ("", "", "Thanks in advance.", "Any help appreciated.", "Cheers.", "Anyone else seeing this?")

# Made-up names: a word from each list, sometimes with a number, in each platform's fashion.
FIRST = (
    "amber", "brisk", "cobalt", "dusty", "ember", "fennel", "gentle", "hazel", "indigo", "juniper", "keen", "lunar",
    "mellow", "nimble", "olive", "pepper", "quiet", "rusty", "saffron", "tidy", "umber", "velvet", "willow", "zesty",
)  # fmt: skip
SECOND = (
    "otter", "kiln", "fjord", "maple", "badger", "comet", "heron", "lantern", "marmot", "nettle", "orchid", "pebble",
    "quokka", "raven", "sparrow", "thistle", "walrus", "yak", "acorn", "bramble", "cricket", "dingo", "falcon", "gecko",
)  # fmt: skip
