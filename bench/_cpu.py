"""CPU time of a piece of work as a server pays it: this process's CPU plus the CPU of the PostgreSQL backend
serving its database connection (both on this machine), from /proc. Wall time on a shared two-core machine moves
with whatever else runs; CPU time of the two processes that do the work moves far less, so the in-process
benchmarks (page_profile.py) report it beside their wall figures."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of process `pid` (0.0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            # The command name may hold spaces: the fields after its closing parenthesis are fixed.
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def backend_pid() -> int:
    """The PostgreSQL backend serving Django's default connection (opened if it was not)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.backend_pid


@dataclass
class Cpu:
    """Seconds of CPU: `app` in this process (process_time, finer than /proc's ticks), `db` in its backend."""

    app: float = 0.0
    db: float = 0.0

    @property
    def total(self) -> float:
        return self.app + self.db


class CpuMeter:
    """`with CpuMeter() as meter: ...` then `meter.cpu`: the CPU the block cost this process and its backend.
    The backend's figure comes in clock ticks (10 ms): measure blocks of many requests, then divide."""

    def __enter__(self) -> CpuMeter:
        self._pid = backend_pid()
        self._app = time.process_time()
        self._db = process_cpu_seconds(self._pid)
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = Cpu(time.process_time() - self._app, process_cpu_seconds(self._pid) - self._db)
