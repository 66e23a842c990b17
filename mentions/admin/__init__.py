"""The mentions app's admin, one module per part of the desk. (The channels' admin and the dead letters are
intake's: intake.admin.)"""

from mentions.admin import duty, exclusions, judgement, judgement_model, team_model, tickets, triage, work  # noqa: F401
