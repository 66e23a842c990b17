"""The story detector as a deployed desk runs it: in a worker process of its own, beside the ingest, reading what
each ingest call committed (`ingest_throughput.py --stories-worker`; not a test module).

The process is forked after Django is set up, with no connection open, so it opens its own. It runs
`stories_detect()` again as soon as a run found something, and every 20 ms otherwise (the after-ingest hook
queues a run after each poll; a worker picks it up at once). When the ingest is done, it is told to stop once
nothing is left unread, and how long that took is the detector's lag behind the ingest.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

IDLE_SECONDS = 0.02


@dataclass
class WorkerResult:
    read: int
    joined: int
    made: int
    runs: int
    busy_seconds: float  # time inside stories_detect
    drain_seconds: float  # from the ingest's end to nothing left unread


def _loop(stop: Event, counts: list[Synchronized]) -> None:
    from stories.detection.detector import stories_detect

    while True:
        stopping = stop.is_set()  # read before the run: a run that starts after it was set reads everything
        t = time.perf_counter()
        found = stories_detect()
        counts[4].value += time.perf_counter() - t
        counts[0].value += found.read
        counts[1].value += found.joined
        counts[2].value += found.made
        counts[3].value += 1
        if found.read == 0:
            if stopping:
                return
            time.sleep(IDLE_SECONDS)


class DetectorWorker:
    def __init__(self) -> None:
        from django.db import connections

        connections.close_all()  # the child must not share the parent's socket
        context = mp.get_context("fork")
        self.stop = context.Event()
        self.counts = [context.Value("q", 0) for _ in range(4)] + [context.Value("d", 0.0)]
        self.process = context.Process(target=_loop, args=(self.stop, self.counts), daemon=True)
        self.process.start()

    def finish(self) -> WorkerResult:
        t = time.perf_counter()
        self.stop.set()
        self.process.join()
        drain = time.perf_counter() - t
        if self.process.exitcode != 0:
            raise SystemExit(f"the detector process failed (exit code {self.process.exitcode})")
        read, joined, made, runs = (int(c.value) for c in self.counts[:4])
        return WorkerResult(read, joined, made, runs, float(self.counts[4].value), drain)
