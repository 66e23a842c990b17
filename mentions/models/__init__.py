"""The mentions app's models, one module per part of the desk; everything is importable from here."""

from mentions.models.approvals import ReplyApproval
from mentions.models.clock import CoverageSchedule, DutySettings, Holiday, ReleaseRota, Target
from mentions.models.community import CommunityAnswer
from mentions.models.duty import AdvocateGrant, AdvocateProfile, ThreadWatch
from mentions.models.events import TicketEvent
from mentions.models.exclusions import ExclusionSuggestion
from mentions.models.handover import HandOver
from mentions.models.issues import IssueLink, IssueTicket
from mentions.models.judgement import Intent, JudgedBy, Judgement, ProductProfile, Sentiment, TicketMeaning
from mentions.models.judgement_model import JudgementModel
from mentions.models.messages import Message, ReplyImage, ReplySend
from mentions.models.team_model import TeamModelEndpoint, TeamModelOutput, TeamModelUsage
from mentions.models.tickets import Tag, Ticket
from mentions.models.triage import Rule
from mentions.models.waits import ReplyWait
from mentions.models.work import Macro, MacroAction, SavedSearch, View

__all__ = [
    "AdvocateGrant",
    "AdvocateProfile",
    "CommunityAnswer",
    "CoverageSchedule",
    "DutySettings",
    "ExclusionSuggestion",
    "HandOver",
    "Holiday",
    "Intent",
    "IssueLink",
    "IssueTicket",
    "JudgedBy",
    "Judgement",
    "JudgementModel",
    "Macro",
    "MacroAction",
    "Message",
    "ProductProfile",
    "ReleaseRota",
    "ReplyApproval",
    "ReplyImage",
    "ReplySend",
    "ReplyWait",
    "Rule",
    "SavedSearch",
    "Sentiment",
    "Tag",
    "Target",
    "TeamModelEndpoint",
    "TeamModelOutput",
    "TeamModelUsage",
    "ThreadWatch",
    "Ticket",
    "TicketEvent",
    "TicketMeaning",
    "View",
]
