"""What every source is read into before anything is written (docs/importing.md): Zendesk's shapes
(imports.zendesk) and the documented JSON/CSV (imports.documented) both become these, and one writer
(imports.writer) stores them, so the two imports cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What a message of the old tool becomes here (mentions.Message.Kind's values).
INBOUND = "inbound"  # the requester or another end user: the ticket's mention and its follow-ups
OUR_REPLY = "our_reply"  # an agent's public comment
NOTE = "note"  # a private comment, whoever wrote it
# A public comment whose author decides: an agent's is OUR_REPLY, anyone else's INBOUND (imports.tickets_write).
PUBLIC = "public"

# The old tool's statuses, as the desk has them: "hold" waits on someone else like pending; closed is solved.
STATUSES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "pending",
    "solved": "solved",
    "closed": "solved",
}
PRIORITIES = {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent"}


@dataclass
class PersonRecord:
    key: str  # the source's id of the user
    name: str = ""
    email: str = ""
    handle: str = ""
    company: str = ""
    organization_key: str = ""  # the old tool's organization, named from those imported before (its company)
    agent: bool = False  # one of the team: their public comments are our replies, and they become no person
    stamp: str = ""
    line: int | None = None  # where the export has it (its file is the page's): a quarantine names it


@dataclass
class MessageRecord:
    key: str
    author_key: str
    kind: str  # INBOUND, OUR_REPLY, NOTE or PUBLIC
    body: str
    at: datetime


@dataclass
class TicketRecord:
    key: str
    subject: str
    status: str  # the desk's (STATUSES' values)
    priority: str  # the desk's
    created_at: datetime
    requester_key: str
    solved_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    messages: list[MessageRecord] = field(default_factory=list)
    stamp: str = ""
    line: int | None = None


@dataclass
class MacroRecord:
    key: str
    title: str
    description: str = ""
    active: bool = True
    position: int = 0
    actions: list[tuple[str, str]] = field(default_factory=list)  # (MacroAction.Kind value, value)
    unmapped: list[str] = field(default_factory=list)  # the old tool's actions the desk has no action for
    stamp: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Quarantined:
    """A record of the old tool's that is not imported, and why (imports.models.QuarantinedRecord): the run goes on
    without it, and says where it is, for someone to fix it there and import again."""

    file: str  # the export's file ("tickets.jsonl"), or the API's stream ("API: tickets")
    line: int | None  # its line in that file; None from the API
    reason: str
    key: str = ""  # a ticket's or macro's id in the old tool, when it had one (never a person's: an address)
