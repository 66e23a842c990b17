"""Answered by the community, credited: the author of an accepted answer that marked a ticket answered by the
community gets a forum-answer contribution on their person, by the desk (intake.hooks.CommunityAnswersHook)."""

from __future__ import annotations

from intake.hooks import CommunityAnswered
from people.journey.record import contributions_record
from people.models import Authorship, Contribution, PersonEvent


def community_answers_credit(*, answers: list[CommunityAnswered]) -> int:
    """A forum-answer contribution, linked to the answer, on the person its message is tied to (people.ingest ties
    every inbound message to its author's identity). Once per answer: one already credited to the person (the same
    link) is left, and so is an erased person. Inside the ingest's transaction. Returns how many were recorded."""
    by_message = {a.message_id: a for a in answers}
    authors = dict(
        Authorship.objects.filter(
            message_id__in=list(by_message), identity__person__erased_at__isnull=True
        ).values_list("message_id", "identity__person_id")
    )
    if not authors:
        return 0
    credited = set(
        Contribution.objects.filter(
            person_id__in=set(authors.values()),
            kind=Contribution.Kind.FORUM_ANSWER,
            link__in=[a.link for a in answers if a.link],
        ).values_list("person_id", "link")
    )
    made: list[Contribution] = []
    for message_id, person in authors.items():
        answer = by_message[message_id]
        if answer.link and (person, answer.link) in credited:
            continue
        credited.add((person, answer.link))
        made.append(
            Contribution(
                person_id=person,
                kind=Contribution.Kind.FORUM_ANSWER,
                date=answer.at.date(),
                # The ticket's number, not its subject: the subject is the asker's words, not the helper's.
                title=f"Accepted answer on ticket #{answer.ticket_id}",
                link=answer.link,
            )
        )
    Contribution.objects.bulk_create(made)
    contributions_record(made)  # "answered others" in the contributor journey, with its points
    PersonEvent.objects.bulk_create(
        PersonEvent(
            person_id=c.person_id,
            kind=PersonEvent.Kind.CONTRIBUTION,
            data={"contribution": c.pk, "kind": c.kind, "date": c.date.isoformat(), "title": c.title},
        )
        for c in made
    )
    return len(made)
