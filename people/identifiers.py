"""What identifies a person besides the name, handles and addresses their identities hold, found when they are
erased (people.privacy.person_erase) and erased with them (people.erasing):

- their accounts' own ids on each platform, read from the raw items they wrote where the platform's declaration
  says they are (`Platform.author_ids`: a Bluesky DID, which every AT URI of their posts holds; an X user id,
  which a DM conversation's link holds), matched whole: never inside a longer id or number;
- the e-mail addresses and phone numbers in what they wrote, in the notes kept about them (their person's
  notes, the internal notes on their tickets, a gift's postal address). Phone numbers are recognised by
  `phonenumbers` (Google's libphonenumber) and matched in any spacing, with or without the country code;
- the slug forms of every string (an e-mail address in a forum topic's link: jane-doe-example-com).

The patterns are the regular expressions people.erasing joins to the strings' own: PostgreSQL and Python's `re`
read them alike (bracket classes, non-capturing groups, bounded repeats, lookarounds).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import phonenumbers
from django.conf import settings

from channels.adapters.registry import platform_or_default

# A platform id shorter than this (a small numeric id) would match too many other numbers to be replaced blindly.
SHORTEST_ID = 5
EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")
# Between a phone number's digits: spaces, dashes, dots, slashes, brackets, as people write them ("+49 (0)30/12-34").
_GAP = "[-. ()/]{0,3}"
_SLUG_SEPARATOR = re.compile(r"[^a-z0-9]+")


def regex_escaped(text: str) -> str:
    """`text` as a literal in a PostgreSQL or Python regular expression: a backslash before every character that
    is not a letter, digit or underscore (a backslash before those would be an escape, a class or a group)."""
    return "".join(c if c.isalnum() or c == "_" else "\\" + c for c in text)


def slug_forms(text: str) -> set[str]:
    """`text` as a link's slug writes it, lower-cased and without accents: its other characters as one dash (a
    forum's topic slug: jane-doe-example-com) or underscore, or dropped (Django's slugify of an address); only
    forms holding a separator or differing from `text`, of 5 characters or more (a shorter one is any word)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    dashed = _SLUG_SEPARATOR.sub("-", ascii_text).strip("-")
    forms = {dashed, dashed.replace("-", "_"), dashed.replace("-", "")}
    return {f for f in forms if len(f) >= 5 and f != text.casefold()}


def ids_pattern(ids: Iterable[str]) -> str:
    """Their platform ids, each whole (no letter or digit on either side), as written and URL-encoded (a DID's
    colons in a query string)."""
    forms: set[str] = set()
    for value in ids:
        value = value.strip()
        if len(value) >= SHORTEST_ID:
            forms |= {value, quote(value, safe="")}
    alternatives = "|".join(regex_escaped(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return f"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])" if alternatives else ""


def phone_pattern(e164: str) -> str:
    """One phone number in the ways people write it: with or without its country code (+49, 0049, %2B49 in a link),
    with the trunk prefix or without ("030 …", "(0)30 …"), any spacing between its digits; never a part of a
    longer run of digits."""
    number = phonenumbers.parse(e164)
    national = ("0" * (number.number_of_leading_zeros or 1) if number.italian_leading_zero else "") + str(
        number.national_number
    )
    country = _GAP.join(str(number.country_code))
    digits = _GAP.join(national)
    return rf"(?<![0-9])(?:(?:\+|%2B|00)?{_GAP}{country}{_GAP})?\(?(?:0{_GAP})?{digits}(?![0-9])"


def phones_pattern(phones: Iterable[str]) -> str:
    return "|".join(phone_pattern(p) for p in sorted(set(phones)))


def phones_in(texts: Iterable[str]) -> set[str]:
    """The valid phone numbers in `texts`, as E.164 ("+14155550100"): written with their country code, or as
    DESK_PHONE_REGION writes its own."""
    region = (settings.DESK_PHONE_REGION or "").upper() or None
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            found.add(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return found


def emails_in(texts: Iterable[str]) -> set[str]:
    return {m.group(0).rstrip(".") for text in texts if text for m in EMAIL.finditer(text)}


def _at(raw: Any, path: str) -> Any:
    for part in path.split("."):
        raw = raw.get(part) if isinstance(raw, Mapping) else None
    return raw


def author_ids(kind: str, raw: Any) -> set[str]:
    """The author's own ids in an item of the platform `kind` (its declaration's `author_ids`)."""
    found: set[str] = set()
    for path in platform_or_default(kind).author_ids:
        value = _at(raw, path)
        if isinstance(value, str | int) and not isinstance(value, bool) and len(str(value).strip()) >= SHORTEST_ID:
            found.add(str(value).strip())
    return found


def identifiers_found(
    *, person: Any, message_ids: list[int], ticket_ids: list[int]
) -> tuple[set[str], set[str], set[str]]:
    """(e-mail addresses, phone numbers, platform ids) of the person: in what they wrote (and its raw items, for
    the ids), in their person's notes and links, their gifts' postal addresses and the internal notes on their
    tickets. Addresses of the desk's own users are left out: a note naming a colleague's address is not theirs."""
    from django.contrib.auth import get_user_model

    from mentions.models import Message
    from people.models import Gift

    written = Message.objects.filter(pk__in=message_ids)
    texts: list[str] = [person.notes, person.links]
    ids: set[str] = set()
    for title, body, kind, raw in written.values_list("title", "body", "channel__kind", "raw"):
        texts += [title, body]
        ids |= author_ids(kind or "", raw)
    notes = Message.objects.filter(ticket_id__in=ticket_ids, kind=Message.Kind.NOTE).values_list("body", flat=True)
    texts += list(notes)
    texts += list(Gift.objects.filter(person=person).values_list("postal_address", flat=True))
    users, field = get_user_model(), get_user_model().get_email_field_name()
    staff = {e.casefold() for e in users.objects.exclude(**{field: ""}).values_list(field, flat=True)}
    emails = {e for e in emails_in(texts) if e.casefold() not in staff}
    return emails, phones_in(texts), ids
