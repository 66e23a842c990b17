"""What the demo's team model answers (mentions.assistant.demo serves it): composed, not generated. Each answer is
made from the request alone, the way a platform's replay answers from the demo week: the same request gets the same
answer, and nothing is said that the request did not carry.

- A verdict (the judge's request, "The mention:" and its JSON): the demo week's reading of the post when the mention
  is one of the week's opening posts (`Thread.truth`, channels.demo.threads), else one read from its words by a few
  rules (a post telling others, a PSA or a walkthrough, is worth knowing; a question, asked or implied, a report of
  something broken or a member waiting on us needs a response; anything else is worth knowing). The intent is read
  from the same words. The reason says which of the two it is, so no one takes it for a model's judgement.
- A draft (answers.team_draft's request, "The conversation:"): thanks fitting the asker's newest message, then the
  first earlier answer the request carried, word for word, and the first docs passage's page; with neither, a
  promise to check, which is all a reply may say without facts.
- A summary (mentions.assistant.summary's request): who asked what, how often the team replied and its last words,
  the newest member's words, and what is open. Five lines at most.
- The connection test ("Reply with the word OK."): OK."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from mentions.models.judgement import Intent, Judgement

TEST_PROMPT = "Reply with the word OK."
MENTION = "The mention:\n"
CONVERSATION = "The conversation:\n\n"
EARLIER = "Earlier answers by the team"
PASSAGES = "Passages of our docs"
PART = "\n\n---\n\n"
SENTENCE_CHARS = 160
EARLIER_CHARS = 600
# The question quoted in a verdict's reason: with the rest, and the desk's "The demo's model: " before it, within the
# 200 characters a reason may have (mentions.assistant.judge.REASON_CHARS).
REASON_QUOTE = 80

_SPEAKER = re.compile(r"^(Member \d+|Team):$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PASSAGE = re.compile(r"^- (?P<title>.+?) \((?P<url>https?://[^\s)]+)\): ", re.MULTILINE)
_OPENING = 48  # the opening words a week's post is found by (intake's _demo_week.opening_words)

_BROKEN = (
    *("error", "fail", "broken", "breaks", "stuck", "crash", "404", "429", "not found", "hangs", " gone", "bug"),
    *("doesn't work", "does not work", "never start", "never run", "never leave", "forever"),
)
# Words that tell what a post is about, tried in this order (a question reporting an error is about the error).
_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Intent.OUTAGE, ("outage", " is down", "elevated error", "status page", "503", "502", "unavailable")),
    (Intent.BUG, _BROKEN),
    (Intent.FEATURE_REQUEST, ("feature request", "would be nice", "please add", "could you add", "i wish")),
    (Intent.COMPLAINT, ("annoying", "frustrat", "terrible", "worst", "ridiculous", "unacceptable")),
    (Intent.PRAISE, ("love ", "thanks", "thank you", "great ", "awesome", "amazing", "kudos")),
)
# A question asked without a question mark; a member still waiting on us; a post that tells others (worth knowing).
_ASKS = ("not sure", "confused", "how do i", "how to", "any idea", "anyone know")
_WAITS = ("haven't heard", "have not heard", "heard back", "any news", "still waiting", "no answer")
_TELLS = ("psa", "walkthrough", "tutorial", "we learned", "how we ")
_VERBS: dict[str, str] = {Intent.BUG: "reports", Intent.OUTAGE: "reports", Intent.QUESTION: "asks"}
_SAYS = {
    Judgement.NEEDS_RESPONSE: "Needs a response",
    Judgement.WORTH_KNOWING: "Worth knowing",
    Judgement.NOISE: "Noise",
}


def _has(text: str, cues: tuple[str, ...]) -> bool:
    words = f" {text.lower()} "
    return any(cue in words for cue in cues)


@dataclass(frozen=True)
class Conversation:
    subject: str
    lines: list[tuple[str, str]]  # (who, text), oldest first: "Member 1", "Team"


def conversation_read(text: str) -> Conversation:
    """A thread as mentions.assistant.thread.thread_text wrote it: its head ("Subject: …"), then "Member N:" or
    "Team:" on a line of its own before each message."""
    marks = list(_SPEAKER.finditer(text))
    head = text[: marks[0].start()] if marks else text
    subject = next((line[9:].strip() for line in head.splitlines() if line.startswith("Subject: ")), "")
    lines = []
    for number, mark in enumerate(marks):
        end = marks[number + 1].start() if number + 1 < len(marks) else len(text)
        lines.append((mark.group(1), text[mark.end() : end].strip()))
    return Conversation(subject=subject, lines=lines)


def first_sentence(text: str, *, question: bool = False, most: int = SENTENCE_CHARS) -> str:
    """The text's first sentence that says something (four words or more: not a bare "Thank you."), with `question`
    its first that asks, or ""; on one line, cut to `most`."""
    sentences = [" ".join(s.split()) for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if question:
        sentences = [s for s in sentences if s.endswith("?")]
    found = next((s for s in sentences if len(s.split()) >= 4), sentences[0] if sentences else "")
    return found if len(found) <= most else found[: most - 1].rstrip() + "…"


def intent_of(text: str) -> str:
    for intent, cues in _CUES:
        if _has(text, cues):
            return intent
    return Intent.QUESTION if "?" in text or _has(text, _ASKS) else Intent.OTHER


@cache
def _week_truths() -> tuple[tuple[str, str, str], ...]:
    """(platform, opening words, truth) of each opening post of the demo week."""
    from channels.demo.week import THREADS

    return tuple((thread.kind, thread.text[:_OPENING], thread.truth) for thread in THREADS)


def _truth(platform: str, text: str) -> str:
    opening = text.strip()[:_OPENING]
    return next((truth for kind, words, truth in _week_truths() if kind == platform and opening == words), "")


def verdict(user: str) -> str:
    """The judge's answer: exactly the JSON object mentions.assistant.judge asks for."""
    try:
        mention = json.loads(user[len(MENTION) :])
    except ValueError:
        mention = {}
    mention = mention if isinstance(mention, dict) else {}
    platform, title, text = (str(mention.get(key) or "") for key in ("platform", "title", "text"))
    words = f"{title}\n{text}".strip()
    waits = _has(words, _WAITS)
    # The text says what it is about; the title only when the text says nothing (a member waiting on an application
    # whose title says "stuck" reports no bug).
    intent = intent_of(text)
    if intent == Intent.OTHER and not waits:
        intent = intent_of(title)
    asked = first_sentence(words, question=True, most=REASON_QUOTE)
    broken = intent in (Intent.BUG, Intent.OUTAGE)
    truth = _truth(platform, text)
    if truth:
        judgement, source = truth, "the demo week's reading of this post"
    else:
        source = "read from its words by the demo's rules"
        if _has(words, _TELLS):
            judgement = Judgement.WORTH_KNOWING
        elif asked or broken or waits or intent == Intent.QUESTION:
            judgement = Judgement.NEEDS_RESPONSE
        else:
            judgement = Judgement.WORTH_KNOWING
    if judgement == Judgement.NOISE:
        why = "nothing about the product to answer"
    elif judgement == Judgement.WORTH_KNOWING:
        why = f"asks other people “{asked}”" if asked else "asks the team nothing"
    elif asked:
        why = f"asks “{asked}”"
    elif waits:
        why = "waits to hear back from the team"
    else:
        why = "reports something broken" if broken else "addressed to the team"
    reason = f"{_SAYS[Judgement(judgement)]}: {why} ({source})"
    return json.dumps({"judgement": judgement, "intent": intent, "reason": reason}, ensure_ascii=False)


def _parts(user: str) -> tuple[Conversation, list[str], list[tuple[str, str]]]:
    """The draft request's conversation, earlier replies (ours) and docs pages (title, address)."""
    parts = user.split(PART)
    conversation = conversation_read(parts[0][len(CONVERSATION) :])
    earlier: list[str] = []
    pages: list[tuple[str, str]] = []
    for part in parts[1:]:
        if part.startswith(EARLIER):
            earlier += [block.split("\nOur reply: ", 1)[1] for block in part.split("\n\n") if "\nOur reply: " in block]
        elif part.startswith(PASSAGES):
            pages += [(m.group("title"), m.group("url")) for m in _PASSAGE.finditer(part)]
    return conversation, earlier, pages


def _cut(text: str, most: int) -> str:
    """`text` up to the last whole sentence within `most` characters (the first sentence cut when it is longer)."""
    if len(text) <= most:
        return text.strip()
    kept = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        if len(kept) + len(sentence) + 1 > most:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: most - 1].rstrip() + "…"


def draft(user: str) -> str:
    conversation, earlier, pages = _parts(user)
    # The asker's newest words set the tone (another member's answer in between is not what we reply to).
    asker = [text for who, text in conversation.lines if who == "Member 1"]
    last = asker[-1] if asker else ""
    if _has(last, _WAITS):
        opening = "Thanks for your patience, and sorry for the wait."
    elif intent_of(last) in (Intent.BUG, Intent.OUTAGE):
        opening = "Thanks for reporting this, and sorry for the trouble."
    elif intent_of(last) == Intent.QUESTION:
        opening = "Thanks for asking!"
    else:
        opening = "Thanks for getting in touch."
    said = [opening]
    if earlier:
        said.append("When this came up before, our answer was:\n\n" + _cut(earlier[0], EARLIER_CHARS))
    if pages:
        title, url = pages[0]
        said.append(f"Our docs cover it here: {title} ({url})")
    if not earlier and not pages:
        said.append("I'm checking this with the team and will come back to you here with what we find.")
    return "\n\n".join(said)


def summary(user: str) -> str:
    conversation = conversation_read(user)
    lines = conversation.lines
    if not lines:
        return ""
    first_who, first_text = lines[0]
    verb = _VERBS.get(intent_of(first_text), "writes")
    said = [f"{first_who} {verb}: {first_sentence(first_text)}"]
    team = [text for who, text in lines if who == "Team"]
    if team:
        times = "once" if len(team) == 1 else f"{len(team)} times"
        said.append(f"The team replied {times}; last: {first_sentence(team[-1])}")
    else:
        said.append("No reply from the team yet.")
    members = sorted({who for who, _ in lines if who != "Team"})
    last_who, last_text = lines[-1]
    if last_who != "Team" and len(lines) > 1:
        asked = first_sentence(last_text, question=True) or first_sentence(last_text)
        said.append(f"Latest, {last_who}: {asked}")
    if len(members) > 1:
        said.append(f"{len(members)} members wrote in the thread.")
    said.append(
        "Open: the last word is a member's; a reply from the team is due."
        if last_who != "Team"
        else f"Open: waiting on {first_who} after the team's reply."
    )
    return "\n".join(said[:5])


def content_for(messages: Sequence[dict[str, str]], *, json_object: bool) -> str | None:
    """The answer's text for the desk's request, or None for a request that is none of the desk's."""
    system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
    user = next((m.get("content", "") for m in messages if m.get("role") == "user"), "")
    if user == TEST_PROMPT:
        return "OK"
    if user.startswith(MENTION) and json_object:
        return verdict(user)
    if user.startswith(CONVERSATION):
        return draft(user)
    if "Summarise the conversation" in system:
        return summary(user)
    return None
