"""Sections of the person page that other parts of the people app add (contributions, gifts and codes,
privacy), each a template and a function giving its context for one person: the page includes them in
order without knowing them. `manager_only` sections are left out for advocates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

    from people.models import Person


class SectionContext(Protocol):
    def __call__(self, request: HttpRequest, person: Person, /) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PersonSection:
    template: str
    context: SectionContext
    manager_only: bool = False


_sections: list[PersonSection] = []


def person_section_register(section: PersonSection) -> None:
    if section not in _sections:
        _sections.append(section)


def person_sections(request: Any, person: Any) -> tuple[list[str], dict[str, Any]]:
    """The templates of the sections this user may see, in order, and their context merged."""
    manager = request.user.has_perm("people.manage_people")
    shown = [s for s in _sections if manager or not s.manager_only]
    context: dict[str, Any] = {}
    for section in shown:
        context.update(section.context(request, person))
    return [s.template for s in shown], context
