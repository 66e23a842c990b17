"""What the desk judges of each mention (issue 42): the choices stored on `Ticket`, and the meaning vector of
a ticket's first mention, computed once by the worker and read by the judgement, the answers and the stories.

The columns live on `Ticket` itself (not a table beside it) because the queue, the lists and Play filter and
order by them through the ticket's own indexes."""

from django.db import models

# The product the judgement reads is the desk's first product (issue 71: mentions.models.products); kept importable
# from here, where it lived.
from mentions.models.products import DEFAULT_DESCRIPTION, DEFAULT_PRODUCT, ProductProfile


class Judgement(models.TextChoices):
    NEEDS_RESPONSE = "needs_response", "Needs a response"
    WORTH_KNOWING = "worth_knowing", "Worth knowing"
    NOISE = "noise", "Noise"


class Intent(models.TextChoices):
    QUESTION = "question", "Question"
    BUG = "bug", "Bug report"
    FEATURE_REQUEST = "feature_request", "Feature request"
    OUTAGE = "outage", "Outage report"
    PRAISE = "praise", "Praise"
    COMPLAINT = "complaint", "Complaint"
    OTHER = "other", "Other"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class JudgedBy(models.TextChoices):
    """Who set the ticket's judgement: the desk at intake, or an advocate's correction (which the desk never
    overwrites afterwards)."""

    DESK = "desk", "The desk"
    ADVOCATE = "advocate", "An advocate"


# How an unsure judgement's reason opens (mentions.judgement.combine): "Unsure, leans worth knowing (46%): …".
UNSURE_LEANS = "Unsure, leans "


def sure_said(judged_by: str, confidence: float | None, reason: str, *, unsure: bool) -> str:
    """How sure the desk is of its judgement, in words, from the ticket's own columns: "92 % sure"; when unsure,
    which way: "46 % sure it does not need a response" (the confidence is of the queue's decision, needs a response
    or not; the stored judgement of an unsure ticket is needs_response whatever it leant, so the lean is read from
    the reason the desk wrote). "" for an advocate's judgement, and one judged before the desk had a confidence."""
    if judged_by != JudgedBy.DESK or confidence is None:
        return ""
    said = f"{confidence:.0%}".replace("%", "\u00a0% sure")  # the figure and its sign never part at a line end
    if not unsure or not reason.startswith(UNSURE_LEANS):
        return said
    leans_respond = reason.startswith(UNSURE_LEANS + Judgement.NEEDS_RESPONSE.label.lower())
    return f"{said} it needs a response" if leans_respond else f"{said} it does not need a response"


class TicketMeaning(models.Model):
    """The sentence embedding of a ticket's first mention (subject and text), L2-normalised, stored as float16
    bytes: computed once in the worker (`mentions.meaning`), never in a web process."""

    ticket = models.OneToOneField("mentions.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    model = models.CharField(max_length=80, help_text="Which model made the vector; another model's are recomputed.")
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"meaning of ticket {self.ticket_id}"


__all__ = [
    "DEFAULT_DESCRIPTION",
    "DEFAULT_PRODUCT",
    "Intent",
    "JudgedBy",
    "Judgement",
    "ProductProfile",
    "Sentiment",
    "TicketMeaning",
    "sure_said",
]
