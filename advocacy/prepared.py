"""Querysets compiled to SQL once per process, then run with each request's values.

Django compiles a queryset to SQL every time it is evaluated: for the ticket page's reads (a ticket with five
related rows and its panels' annotations, the earlier answers with theirs) compiling was about 30 % of the page's
CPU, more than running the SQL (bench/page_profile.py, issue 58). SQLAlchemy keeps compiled statements for the
same reason; Django has no such cache, so the hottest reads of a page are kept here.

    _ticket = Prepared(lambda pk: Ticket.objects.select_related("channel").filter(pk=pk), 0)
    rows = _ticket.all(4242)

The queryset is built once with stand-in values (of the types the calls pass), compiled, and each stand-in's
place among the SQL's parameters is remembered; a call runs the same SQL with its own values and turns the rows
into model instances as Django's own iterable does (select_related's related rows, annotations). A value of
another type than its stand-in, or None (which changes the SQL: `IS NULL`), is run through the plain queryset
instead, so a call is never wrong, only not faster. Model querysets only: no prefetch_related, no values().
`build` must depend on its arguments alone: a value it reads elsewhere (the clock, a setting) is compiled in.
Read from the database the router names for the model (advocacy.db_router), compiled per database alias (the SQL
differs by backend); what is kept is never changed after, so threads may share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

# Stand-ins no real value equals: a parameter equal to one is where that call value goes.
_STAND_IN_BASE = -(2**52) - 7919


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # for each parameter, the call value's index, or -1 for the compiled constant
    compiler: Any
    init_list: list[str]
    model_slice: slice
    populators: list[Any]
    annotations: tuple[tuple[str, int], ...]
    converters: dict[int, Any]  # the columns' converters (dates, JSON, ...), which Django looks up on every run


class Prepared(Generic[M]):
    """A queryset shape compiled once; `all(*values)` runs it with `values` in place of `build`'s arguments."""

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type) -> None:
        self.build = build
        self.kinds = kinds  # the type of each value (int, str)
        self._compiled: dict[str, _Compiled | None] = {}
        self._model: type[Model] | None = None
        self._lock = threading.Lock()

    def _stand_ins(self) -> tuple[Any, ...]:
        made: list[Any] = []
        for index, kind in enumerate(self.kinds):
            number = _STAND_IN_BASE - index
            made.append(number if kind is int else f"\x00prepared-{index}-{number}")
        return tuple(made)

    def _compile(self, using: str) -> _Compiled | None:
        stand_ins = self._stand_ins()
        queryset = self.build(*stand_ins).using(using)
        private: Any = queryset  # the queryset's own state, which django-stubs does not declare
        if (
            private._iterable_class is not ModelIterable
            or private._prefetch_related_lookups
            or private._known_related_objects
        ):
            raise TypeError("Prepared runs plain model querysets: no values(), prefetch_related or related managers")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(next((i for i, s in enumerate(stand_ins) if type(p) is type(s) and p == s), -1) for p in params)
        if sorted({s for s in slots if s >= 0}) != list(range(len(stand_ins))):
            return None  # a value did not reach the SQL as a parameter: always run the plain queryset
        info = compiler.klass_info
        fields = info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            init_list=[f[0].target.attname for f in compiler.select[model_slice]],
            model_slice=model_slice,
            populators=get_related_populators(info, compiler.select, using),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
            converters=compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]]),
        )

    def compiled(self, using: str = "default") -> _Compiled | None:
        if using not in self._compiled:
            with self._lock:
                if using not in self._compiled:
                    self._compiled[using] = self._compile(using)
        return self._compiled[using]

    def _alias(self) -> str:
        """The database the router reads this model from (the primary, but inside a report: advocacy.db_router)."""
        if self._model is None:
            self._model = self.build(*self._stand_ins()).model
        return router.db_for_read(self._model)

    def all(self, *values: Any, using: str | None = None) -> list[M]:
        using = using or self._alias()
        if len(values) != len(self.kinds) or any(type(v) is not k for v, k in zip(values, self.kinds, strict=True)):
            return list(self.build(*values).using(using))
        done = self.compiled(using)
        if done is None:
            return list(self.build(*values).using(using))
        params = tuple(
            values[slot] if slot >= 0 else param for slot, param in zip(done.slots, done.params, strict=True)
        )
        with connections[using].cursor() as cursor:
            cursor.execute(done.sql, params)
            rows = cursor.fetchall()
        compiler = done.compiler
        if compiler.has_extra_select:  # columns added for the ordering only, as Django's own cursor_iter drops
            rows = [row[: compiler.col_count] for row in rows]
        model = compiler.klass_info["model"]
        found: list[M] = []
        if done.converters:
            rows = compiler.apply_converters(rows, done.converters)
        for row in rows:
            obj = model.from_db(using, done.init_list, row[done.model_slice])
            for populator in done.populators:
                populator.populate(row, obj)
            for name, position in done.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, *values: Any, using: str | None = None) -> M | None:
        found = self.all(*values, using=using)
        return found[0] if found else None
