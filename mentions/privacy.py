"""What the desk's tables keep, for erasing a person (people.privacy): tickets, messages, their history, replies sent
or waiting for approval and watched threads are scrubbed by the ticket; triage rules and saved searches, which can
name a member's handle, by what they hold. The rest is the team's configuration, written by staff for every
ticket."""

from __future__ import annotations

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "mentions.AdvocateGrant": "a staff member's temporary advocate rights and why, written by managers",
    "mentions.AdvocateProfile": "a staff member's time zone, Slack member id and absence, set by admins",
    "mentions.CoverageSchedule": "the team's coverage hours, set by admins",
    "mentions.DutySettings": "the advocates' Slack channel and mention, set by admins",
    "mentions.HandOver": "a ticket handed from one staff member to another until a time, and how it ended",
    "mentions.Holiday": "the team's holidays, set by admins",
    "mentions.Macro": "a macro's name and description, written by admins",
    "mentions.JudgementModel": "a learned judgement's weights (numbers fitted over thousands of tickets, no text) and "
    "the desk's own figures and note",
    "mentions.MacroAction": "a macro's steps: status, tags, a reply with placeholders; written by admins",
    "mentions.ProductProfile": "the desk's products: names, descriptions and search terms, written by admins",
    "mentions.ReleaseRota": "which advocate covers a release, with a manager's note",
    "mentions.Tag": "ticket tags, named by admins and the triage rules",
    "mentions.Target": "the first-reply target of each priority",
    "mentions.TeamModelEndpoint": "the team model's address, name, encrypted key and switches, set by admins; its "
    "last error and test result are the desk's own words",
    "mentions.View": "a queue view's filters and order, configured by admins",
}
