"""Work started at the same instant in threads, each on its own database connection, for the tests of what two or
more people or workers do at once (in `transaction=True` tests, so that the threads see each other's commits)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(n: int, work: Callable[[int], T]) -> list[T]:
    """`work(i)` for each i in range(n), each in its own thread, released together by a barrier: what they returned,
    in the order they finished. An error in any thread fails the test here, never swallowed."""
    barrier = threading.Barrier(n)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except BaseException as exc:  # asserted below, with the other threads'
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results
