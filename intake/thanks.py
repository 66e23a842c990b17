"""Does an asker's reply thank the person who answered them? Read from the reply's words alone: gratitude ("thanks",
"ty", "cheers", "appreciate it", "🙏", and the same in German, French, Spanish, Portuguese and Italian) or a
confirmation that the answer worked ("that did the trick", "works now", "fixed it"), unless the reply says it did
not help ("thanks, but it still fails", "didn't work", "no luck"), thanks in advance, thanks for nothing, or credits
someone else ("thanks to the maintainers"). Used on the replies to an answer by someone outside the team
(intake.pipeline.thanked): it only offers the advocate a close, which they confirm, so a reply that thanks and then
asks something more still counts.

The word lists were chosen on intake/eval/thanks_dev.json and are measured first on intake/eval/thanks_heldout.json,
written by someone else before they were tuned (`manage.py thanks_evaluate`; intake/eval/README.md)."""

from __future__ import annotations

import re

# Quoted lines (what they reply to), code and links are not the asker's words.
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
_CODE = re.compile(r"```.*?(```|$)|`[^`\n]*`", re.DOTALL)
_LINK = re.compile(r"https?://\S+")
_TEXT_MAX = 2_000  # a long reply is read on its beginning: where thanks are said

_GRATITUDE = re.compile(
    r"(?<!\w)(?:thanks?|thank\s*(?:you|u|ya)|thx|tnx|tx|ty|tysm|tyvm|cheers|kudos|appreciated?|grateful|bless\s+you"
    r"|owe\s+you|danke|vielen\s+dank|merci|gracias|obrigad[oa]|valeu|grazie|bedankt)(?!\w)|🙏|🙌",
    re.IGNORECASE,
)
_WORKED = re.compile(
    r"(?<!\w)(?:(?:that|this|it)(?:'s|\s+was|\s+is)\s+(?:it|the\s+(?:answer|fix|problem|issue|culprit|one))"
    r"|(?:that|this|it|which)\s+(?:worked|works|did\s+(?:it|the\s+trick)|fixed\s+it|solved\s+it|sorted\s+it)"
    r"|(?:works|working|worked)\s+(?:now|again|fine|great|perfectly|like\s+a\s+charm|after)|all\s+good\s+now"
    r"|(?:is|are)\s+green\s+again|can\s+confirm|(?:correct|right|perfect)\s+answer|(?:resolved|fixed|solved)\s+it"
    r"|(?:fixed|solved|sorted)(?:\s+it)?(?:\s+out)?\s*(?:[!.,]|$)|did\s+the\s+trick|saved\s+my"
    r"|exactly\s+what\s+i\s+(?:needed|was\s+looking\s+for)|life\s*saver|you(?:'re|\s+are)\s+a\s+legend"
    r"|hat\s+geklappt|funciona?[oó]u?|ça\s+marche|funzion[ao])",
    re.IGNORECASE,
)
# "but" in the languages thanked in above: thanks, or "it worked", then a "but" in the same sentence.
_BUT = r"(?:but|though|however|unfortunately|mais|pero|aber|leider|mas|ma|maar)"
_NOT_HELPED = re.compile(
    r"(?:\.\.\.|…)\s*not(?!\w)|🙄"
    r"|(?<!\w)(?:(?:thanks?|thank\s+you|thx|ty|appreciate(?:\s+it)?|cheers|danke|merci|gracias|valeu|grazie|worked|works)"
    rf"[^.!?\n]{{0,60}}?(?<!\w){_BUT}(?!\w)"
    r"|unfortunately|in\s+advance|tia(?!\w)|thanks?\s+anyway|for\s+nothing|no\s+thanks?(?!\w)|thanks?\s+to(?!\w)"
    r"|(?:didn't|did\s+not|doesn't|does\s+not|don't|won't|isn't)\s+(?:work|help|fix|solve|change|explain)"
    r"|not\s+(?:working|work|helpful|sure)|no\s+(?:luck|change|difference)|still\s+(?:doesn't|does\s+not|get|gets|getting"
    r"|fail|fails|failing|crash|crashes|broken|see|have|the\s+same|\w+s(?!\w))|immer\s+noch|toujours\s+pas|sigue\s+sin"
    r"|não\s+funcion|non\s+funziona|same\s+(?:error|thing|problem)|already\s+tried|for\s+(?:breaking|wasting)"
    r"|i\s+guess|downvotes|any\s+(?:other\s+)?ideas?|nope)",
    re.IGNORECASE,
)


def _words(text: str) -> str:
    text = _QUOTED.sub(" ", (text or "")[:_TEXT_MAX])
    return _LINK.sub(" ", _CODE.sub(" ", text))


def reads_as_thanks(text: str) -> bool:
    words = _words(text)
    # Most replies thank nobody: the short lists first, the long one only for those that do.
    if not (_GRATITUDE.search(words) or _WORKED.search(words)):
        return False
    return not _NOT_HELPED.search(words)
