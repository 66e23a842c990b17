"""Clock, access and judgement work on tickets outside the request. Thin: the services hold the logic.
(Polling and the after-ingest urgency are intake.tasks; Slack notices, pings and digests notifications.tasks.)"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="mentions.sla_sweep", acks_late=True, ignore_result=True)
def sla_sweep() -> dict[str, int]:
    """The first reply's clocks, then the next reply's (mentions.services.next_reply), on one beat."""
    from mentions.services.next_reply import next_reply_sweep
    from mentions.services.sla import sla_sweep as sweep

    return {**sweep(), "next_reply_breached": next_reply_sweep()}


@shared_task(name="mentions.followups_return", acks_late=True, ignore_result=True)
def followups_return() -> dict[str, int]:
    from mentions.services.followups import followups_return as sweep

    return sweep()


@shared_task(name="mentions.snoozes_wake", acks_late=True, ignore_result=True)
def snoozes_wake() -> dict[str, int]:
    from mentions.services.snooze import snoozes_wake as wake

    return wake()


@shared_task(name="mentions.handovers_return", acks_late=True, ignore_result=True)
def handovers_return() -> dict[str, int]:
    from mentions.services.handover import handovers_return as sweep

    return sweep()


@shared_task(name="mentions.advocate_grants_expire", acks_late=True, ignore_result=True)
def advocate_grants_expire() -> int:
    from mentions.services.grants import advocate_grants_expire as expire

    return expire()


@shared_task(name="mentions.replies_sweep", acks_late=True, ignore_result=True)
def replies_sweep() -> int:
    from mentions.services.replies import replies_sweep as sweep

    return sweep()


# Queued after each ingest commits (intake.hooks.tickets_ingested_enqueue, with the page's tickets: those are judged)
# and run by beat for anything left: live tickets first, then imported history, newest first, for at most about
# 15 s a run, so a backlog never holds the worker's queue for long (mentions.judgement.run). The embedding model is
# loaded here, in the worker, never in a web process.
@shared_task(name="mentions.judgement_run", acks_late=True, ignore_result=True)
def judgement_run(ticket_ids: list[int] | None = None) -> dict[str, int]:
    from mentions.judgement.run import backlog_judge, tickets_judge

    return tickets_judge(ticket_ids) if ticket_ids is not None else backlog_judge()


# Queued when a ticket is moved to another product (mentions.services.products): judged again by its new product's
# judgement, unless a person set it (mentions.judgement.follow). On the meaning queue, where the models are loaded.
@shared_task(name="mentions.judgement_follow", acks_late=True, ignore_result=True)
def judgement_follow(ticket_id: int, product_id: int, move_event_id: int) -> str:
    from mentions.judgement.follow import judgement_follow as follow

    return follow(ticket_id, product_id, move_event_id)


# Every six hours, and from admin ("Learn now"): a new version of each product's judgement, kept and made active only
# when it beats that product's active one (mentions.judgement.learning). On the meaning queue: it reads the stored
# vectors and trains on the CPU, one at a time beside the judging.
@shared_task(name="mentions.judgement_learn", acks_late=True, ignore_result=True)
def judgement_learn() -> dict[str, object]:
    from mentions.judgement.learning import judgement_learn_each as learn
    from mentions.services.judgement_learn_runs import learn_finished

    result = learn()
    learn_finished(result)  # admin says what the run did, also when it learned nothing
    return result


# Daily: the other senses of the product's name learned from the mentions labelled noise, offered in admin as
# exclusion terms per channel with their counts (mentions.judgement.exclusions); a person's accept or decline is
# kept. On the meaning queue, beside the judging that reads the accepted ones.
@shared_task(name="mentions.exclusions_suggest", acks_late=True, ignore_result=True)
def exclusions_suggest() -> dict[str, int]:
    from mentions.judgement.exclusions import exclusions_suggest as suggest

    return suggest()


# The team's own model (mentions.assistant): its requests wait on the team's endpoint, up to its timeout each, so
# they run on the knowledge queue with the other work that waits on someone else's server.
@shared_task(name="mentions.team_model_summaries", acks_late=True, ignore_result=True)
def team_model_summaries() -> dict[str, int]:
    from mentions.assistant.summary import team_model_summaries as summarise

    return summarise()


@shared_task(name="mentions.team_model_test", acks_late=True, ignore_result=True)
def team_model_test() -> str:
    from mentions.assistant.connection import team_model_test as test

    return test()
