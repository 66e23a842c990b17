"""The Community page's figures (issue 70): what the community says, where, how it feels, and whether answering
brings people back. Small modules, one per figure; each has a rollup path (PostgreSQL) and a source path (any
database) that give the same numbers.

- `counted`: which tickets count as a mention (the rule every figure uses) and what a term is.
- `rollup`: the daily `CommunityDay` / `CommunityTermDay` rollups, rebuilt with the KPI rollups' ticket days.
- `volume`: mentions per period by platform, sentiment, intent or judgement; sentiment shares; intent mix.
- `topics`: stories, tags and terms that grew against the previous period of the same length.
- `active`: the most active members; `active_past`: their ranking of past days kept and merged with today's, under
  the stamp `past_stamp` moves when a past day's mentions change. `members`: returning members.
- `trust`: how often advocates corrected the judgement's intent (sentiment corrections are not recorded).
- `figures`: the page's figures and charts; `exports`: its CSV tables.
"""
