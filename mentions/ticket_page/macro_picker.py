"""The macro picker's parts that are the same on every ticket page, kept per macros' version.

The options (what each macro does, or why it is unavailable), the "why unavailable" lines and the experts that
"Reached out to expert" asks to pick from are rendered once per macros' version (mentions/_macro_options.html)
from the summaries (mentions.services.macro_needs); a page reads them with one cache round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from advocacy.versioned import versioned
from mentions.selectors import MACROS_VERSION_KEY, macros_active
from mentions.services.macro_needs import macro_summaries


@dataclass(frozen=True)
class MacroPicker:
    options: str  # the <option>s, HTML escaped by the template
    unavailable: str  # the <li>s saying why a macro is unavailable
    experts: tuple[tuple[int, str], ...]  # (id, name) to pick the expert asked from


def macro_picker() -> MacroPicker:
    def build() -> MacroPicker:
        macros = macro_summaries(macros_active())
        parts = {
            part: render_to_string("mentions/_macro_options.html", {"macros": macros, "part": part})
            for part in ("options", "unavailable")
        }
        experts = next((m.experts for m in macros if m.experts), ())
        return MacroPicker(options=parts["options"], unavailable=parts["unavailable"], experts=experts)

    return versioned(MACROS_VERSION_KEY, "picker", build, ttl=3600)
