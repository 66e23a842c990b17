"""Issues followed to their end: from a ticket or a story an advocate files an issue on a GitLab or GitHub channel
the desk has (the mention quoted, the expert named) or links one by its address (`linking`); the desk reads each
open issue's state at most every 15 minutes (`follow`, beat); when it closes or gets a milestone, each linked
ticket gets a drafted follow-up for its public thread, sent like a story's answer: one press of "Send all", then
the worker posts each through the desk's reply path under a key per (issue, ticket, event) (`sending`).

The link itself is mentions' (`IssueLink`: a ticket's fact, shown by the API and the history); its follow-ups and
the story's side are here, above the stories' drafting (stories.answering.drafts) they reuse."""
