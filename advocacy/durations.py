"""Durations as people read them, shared by the ticket pages and the experts' figures."""

from __future__ import annotations


def duration_display(seconds: float | None, minute: str = "min") -> str:
    """ "3 h 20 min", "45 min", "2 d 4 h", "< 1 min"; "—" when there is nothing to show. The ticket's history and
    clocks write minutes `m` ("2 h 15 m")."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"< 1 {minute}"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} {minute}" if minutes else f"{hours} h"
    return f"{minutes} {minute}"
