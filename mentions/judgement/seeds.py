"""The examples the desk ships: short generic mentions of "{product}" with their judgement and intent, the
nearest-neighbour examples before any advocate has corrected anything.

Written apart from the evaluation sets (mentions/judgement/eval/): none is a text of those sets or a rewording
of one, and none names a product feature of GitLab's, so the figures on the sets measure the judgement and not
the memory of its examples. `{product}` is replaced with the product's name when they are embedded.
"""

from __future__ import annotations

NR, WK, NO = "needs_response", "worth_knowing", "noise"

# (judgement, intent, text)
SEEDS: tuple[tuple[str, str, str], ...] = (
    # Questions: someone wants to know how.
    (NR, "question", "How do I set up {product} for the first time? The getting started guide skips a step."),
    (NR, "question", "Is there a way in {product} to share one setting between two teams?"),
    (NR, "question", "Does {product} work offline?"),
    (NR, "question", "What's the difference between the two paid plans of {product}?"),
    (NR, "question", "Can {product} import from a spreadsheet?"),
    (NR, "question", "Who should I contact about an enterprise contract for {product}?"),
    (NR, "question", "Quick question about {product}: where are the logs stored?"),
    (NR, "question", "Has anyone connected {product} to their LDAP directory? How?"),
    (NR, "question", "I'm new to {product}, which tutorial should I start with?"),
    (NR, "question", "How can I undo a change I made in {product} by mistake?"),
    (NR, "question", "Does {product} keep our data in the EU?"),
    (NR, "question", "Why does {product} ask me to verify my email again?"),
    (NR, "question", "Any recommendation for backing up a {product} installation?"),
    (NR, "question", "What limits does {product} have on file size?"),
    (NR, "question", "Really enjoying {product} so far! One thing though: how do I invite a guest user?"),
    # Bugs: something is broken for them.
    (NR, "bug", "{product} freezes when I click save, the spinner never stops."),
    (NR, "bug", "Found a bug in {product}: the date shown is off by one day in my timezone."),
    (NR, "bug", "{product} broke after today's update, it won't start and prints a stack trace."),
    (NR, "bug", "Clicking the link in the {product} email leads to a 404 page."),
    (NR, "bug", "{product} sends me the same notification three times."),
    (NR, "bug", "The {product} mobile app crashes on launch on Android."),
    (NR, "bug", "Uploading an image to {product} fails with 'unexpected error', tried several browsers."),
    (NR, "bug", "In {product} the count on the dashboard doesn't match the list, something is off."),
    (NR, "bug", "{product} ignores my configuration and falls back to the defaults."),
    (NR, "bug", "Error 'permission denied' in {product} although I own the project."),
    # Outages: down for them now.
    (NR, "outage", "{product} is down for me, the site doesn't load at all."),
    (NR, "outage", "Anyone else getting errors from {product} right now? Nothing works."),
    (NR, "outage", "{product} outage? Our requests have been failing for 20 minutes."),
    (NR, "outage", "The {product} API is returning server errors across the board this morning."),
    (NR, "outage", "Is there a {product} incident? Can't sign in from any device."),
    (NR, "outage", "Everything on {product} is extremely slow and timing out right now."),
    # Complaints: unhappy, expecting something from the team.
    (NR, "complaint", "{product} support hasn't replied to me in days. Not acceptable."),
    (NR, "complaint", "The latest {product} update made everything worse. Why change what worked?"),
    (NR, "complaint", "{product} is getting too expensive for what it offers."),
    (NR, "complaint", "Oh fantastic, {product} lost my settings again. Love it. 😒"),
    (NR, "complaint", "Sure, {product}, hide the one menu I use every day. Brilliant design choice."),
    (NR, "complaint", "I was billed after cancelling my {product} subscription, I want my money back."),
    (NR, "complaint", "Honestly {product} has become frustrating to use, so many regressions."),
    (NR, "complaint", "Why does {product} make it so hard to delete my account?"),
    # Feature requests: asking the team to build something.
    (NR, "feature_request", "Would love to see keyboard shortcuts in {product}."),
    (NR, "feature_request", "{product} should let us export reports as PDF."),
    (NR, "feature_request", "Please make {product} support more than one language in the interface."),
    (NR, "feature_request", "Can {product} add an option to schedule things for later? It would really help us."),
    (NR, "feature_request", "Suggestion for the {product} team: a simpler onboarding for new members."),
    (NR, "feature_request", "Hoping {product} brings this paid feature to everyone someday."),
    # Praise: happy, nothing asked.
    # Questions and grumbles nobody asks the team to answer (issue 56's definition): worth knowing.
    (WK, "other", "Who else here runs {product} in production? Curious how big your setups are."),
    (WK, "other", "Poll for my followers: do you use {product} at work, at home, or both?"),
    (WK, "complaint", "Honestly {product} gets a little slower with every release. Oh well."),
    (WK, "other", "Why does every team I join end up on {product}? Not complaining, just noticing."),
    (WK, "praise", "{product} made our workflow so much simpler. Love it."),
    (WK, "praise", "Huge thanks to the people behind {product}, amazing work."),
    (WK, "praise", "Been using {product} for years, still my favourite tool."),
    (WK, "praise", "The new {product} release is really polished, well done."),
    (WK, "praise", "{product} support was quick and friendly today, thank you!"),
    (WK, "praise", "Can't imagine working without {product} anymore ❤️"),
    (WK, "praise", "Our team adopted {product} and productivity went up noticeably."),
    (WK, "praise", "Impressed with the {product} documentation, clear and complete."),
    # Other: news, posts, talks, passing mentions: about the product, nobody to answer.
    (WK, "other", "{product} launches a new version, here are the highlights https://news.example/article"),
    (WK, "other", "{product} 3.2 is out today with faster search and a new editor."),
    (WK, "other", "Version 5 of {product} released, the changelog: https://example.org/changelog"),
    (WK, "other", "{product} raises a new funding round, according to reports."),
    (WK, "other", "New article: lessons learned running {product} in production."),
    (WK, "other", "Watch my video walkthrough of {product} https://video.example/watch"),
    (WK, "other", "Thread: five things I learned about {product} this year 🧵"),
    (WK, "other", "Our company runs on {product} and a few other tools."),
    (WK, "other", "Interview with the founder of {product} about the company's early days."),
    (WK, "other", "{product} featured in this week's industry roundup."),
    (WK, "other", "A short history of {product} and how it grew."),
    (WK, "other", "{product} hosts its annual user conference next month."),
    (WK, "other", "Sharing a small open-source plugin I made for {product}."),
    (WK, "other", "Just a thought: {product} and its competitors are converging."),
    (WK, "other", "Case study: how a university uses {product}."),
    # Noise: job posts, spam, bots (their shapes are also cues) and everyday life.
    (NO, "other", "Hiring: engineer familiar with {product}, hybrid, salary range in the post, apply now."),
    (NO, "other", "Open position for a {product} specialist, full-time, send your resume."),
    (NO, "other", "Offering my consulting services for {product} setups, reasonable rates, DM me."),
    (NO, "other", "Make $500 a day from home!!! limited offer click here"),
    (NO, "other", "Win a free gift card, just follow and share this post! #win #free #contest"),
    (NO, "other", "Cheap watches and sunglasses, 90% off, order today."),
    (NO, "other", "Automatic notification: the scheduled job completed."),
    (NO, "other", "This post was generated automatically from an RSS feed."),
    (NO, "other", "The weather has been lovely all week, perfect for the beach."),
    (NO, "other", "Made pasta from scratch tonight, turned out great."),
    (NO, "other", "My dog learned a new trick today!"),
    (NO, "other", "The election results are in and the debate continues."),
    (NO, "other", "Fuel prices went up again this week."),
    (NO, "other", "The team won the final in extra time, what a match."),
    (NO, "other", "Training for my first 10k race, legs are sore."),
    (NO, "other", "The new energy project will carry natural gas across three states."),
    (NO, "other", "Our quarterly sales targets were met thanks to the new deals."),
    (NO, "other", "Booked flights for our summer holiday in Portugal."),
    (NO, "other", "The plumber comes tomorrow to fix the leak under the sink."),
    (NO, "other", "That new science fiction movie was visually stunning."),
    (NO, "other", "Anyone know a good mechanic in town? My car makes a strange noise."),
    (NO, "other", "The school board meets on Tuesday to vote on the budget."),
    (NO, "other", "The factory's assembly line was upgraded with new machines."),
    (NO, "other", "Looking for a gym partner in my neighbourhood for weekend workouts."),
    (NO, "other", "Stock markets fell sharply after the central bank's announcement."),
)

# Words of everyday life, for telling a mention that only holds an ordinary keyword ("runner", "pipeline")
# apart from one about the product: the product's description on one side, these on the other.
EVERYDAY: tuple[str, ...] = tuple(text for judgement, _, text in SEEDS if judgement == NO and "{product}" not in text)
