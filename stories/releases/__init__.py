"""Release day prepared (issue 46, stories.releases.models): release posts found in the blog's feed or a Slack
channel (stories.releases.posts), recorded once as plans (stories.releases.plans), opened as a story the day before
the release (stories.releases.opening), drafted per platform and for Hacker News (stories.releases.drafts)."""
