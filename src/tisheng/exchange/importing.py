"""The shared machinery of every spreadsheet import.

An import reads the whole sheet, checks every row (format first, then duplicates within the file,
then against the platform), and only then writes — in one transaction, so that a failed or killed
import leaves the platform as it was. By default any wrong row means nothing is written; with
`valid_only` exactly the good rows are. Re-importing the same file changes nothing.

Concurrency: the checks against the platform and the writes run inside the transaction, after an
import lock is taken (PostgreSQL advisory lock; SQLite's IMMEDIATE transactions already admit one
writer at a time), so two imports of overlapping files cannot both create the same teacher.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from tisheng.core.cleaning import CellProblem
from tisheng.core.problems import Problem, Words, define, problem, render

from .readers import Column, Table, read_table

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000
# Parameters per IN (...) query; SQLite allows 32766 variables, PostgreSQL many more.
CHUNK = 900
MAX_STORED_ERRORS = 2000


define("required", gettext_noop("%(label)s不能为空。"), labels=("label",))
define("too_long", gettext_noop("%(label)s不能超过%(n)s个字。"), labels=("label",))
define("school_ambiguous", gettext_noop("有多所学校名为“%(school)s”（%(counties)s），请填写县区。"))
define("name_mismatch", gettext_noop("姓名“%(written)s”与花名册中的“%(roster)s”不一致，请核对。"))
# A refusal of a service the import runs row by row (the roles import): its own words, kept as the
# Chinese msgid (the import runs them untranslated) and translated when read if they are a whole one.
define("refused", "%(text)s", labels=("text",))


@dataclass(frozen=True)
class RowError:
    """A problem on a row. `column` is the column's Chinese label (a msgid), `problem` the message as
    a code and parameters: both are stored on the job and put into words when someone reads them."""

    row: int
    column: str
    problem: Problem

    @property
    def message(self) -> str:
        return str(self.problem)

    def as_dict(self) -> dict:
        """In the active language (the command line's output)."""
        return {"row": self.row, "column": column_label(self.column), "message": self.message}

    def stored(self) -> dict:
        """As a job keeps it: see `shown` for reading it back."""
        return {"row": self.row, "column": self.column, "message": self.problem.stored()}


def column_label(column, *, words: Words | None = None) -> str:
    """A column's label in the active language (the labels are msgids; a stored old one too)."""
    return (words or Words())(column)


def shown(entry: dict, *, words: Words | None = None) -> dict:
    """A stored row problem ({row?, column, message}) in the reader's language. `message` is a code
    with its parameters, or, on jobs checked before codes, the Chinese text itself."""
    words = words or Words()
    out = {
        "column": column_label(entry.get("column"), words=words),
        "message": render(entry.get("message"), words=words),
    }
    if "row" in entry:
        out = {"row": entry["row"], **out}
    return out


def shown_all(entries) -> list[dict]:
    """Many stored row problems in the reader's language (one language, gettext asked once a text)."""
    words = Words()
    return [shown(e, words=words) for e in entries]


@dataclass
class ImportResult:
    """`created`/`updated`/`unchanged` count what was written: all 0 for a dry run or a refused
    import. What the check found the file would do is under `would_create`/`would_update`/
    `would_keep`, so a refused import never reads as if it had created anything."""

    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    would_create: int = 0
    would_update: int = 0
    would_keep: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    headers: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "would_create": self.would_create,
            "would_update": self.would_update,
            "would_keep": self.would_keep,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class Planned:
    row: int
    action: str  # "create", "update", "unchanged"
    data: dict
    target: object = None  # the existing row for updates


class _Abort(Exception):
    """Raised inside the write transaction to roll it back when a row is wrong (all-or-nothing)."""


def chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def take_import_lock(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"tisheng.import.{name}"])


class Importer(abc.ABC):
    """Subclasses give `columns`, `clean_row`, `check_duplicates`, `resolve` and `apply`."""

    kind = ""
    columns: list[Column] = []

    def __init__(self, *, actor=None, progress: Progress | None = None):
        self.actor = actor
        self.progress = progress or (lambda done, total: None)
        self.present: set[str] = set()

    # -- steps subclasses fill in ----------------------------------------------------------
    @abc.abstractmethod
    def clean_row(self, table: Table, cells: list) -> tuple[dict, list[tuple[str, str]]]: ...

    def check_duplicates(self, rows: list[tuple[int, dict]]) -> list[RowError]:
        return []

    def prepare(self, rows: list[tuple[int, dict]]) -> None:  # noqa: B027 - optional hook, nothing by default
        """Work that needs the rows but not the write lock (e.g. deciding the city)."""

    @abc.abstractmethod
    def resolve(self, rows: list[tuple[int, dict]]) -> tuple[list[Planned], list[RowError]]: ...

    @abc.abstractmethod
    def apply(self, plan: list[Planned]) -> None: ...

    @abc.abstractmethod
    def record_audit(self, result: ImportResult, source: str) -> None: ...

    # -- the run ---------------------------------------------------------------------------
    def label(self, fld: str) -> str:
        return next((c.label for c in self.columns if c.field == fld), fld)

    def run(
        self, path: Path, *, dry_run: bool = False, valid_only: bool = False, source: str = ""
    ) -> ImportResult:
        table = read_table(path, self.columns, max_rows=settings.TISHENG_IMPORT_MAX_ROWS)
        self.table = table
        self.present = set(table.columns)
        result = ImportResult(
            rows=len(table.rows), headers=[c.label for c in self.columns if c.field in table.columns]
        )
        total = len(table.rows)
        errors: list[RowError] = []
        cleaned: list[tuple[int, dict]] = []
        for done, (number, cells) in enumerate(table.rows, start=1):
            data, problems = self.clean_row(table, cells)
            if problems:
                errors.extend(RowError(number, self.label(f), p) for f, p in problems)
            else:
                cleaned.append((number, data))
            if done % PROGRESS_EVERY == 0:
                self.progress(done, total)
        errors.extend(self.check_duplicates(cleaned))
        self.prepare(cleaned)
        try:
            if dry_run:
                plan, resolve_errors = self._resolve(cleaned, errors)
                self._finish(result, plan, errors + resolve_errors)
            else:
                with transaction.atomic():
                    take_import_lock(self.kind)
                    plan, resolve_errors = self._resolve(cleaned, errors)
                    self._finish(result, plan, errors + resolve_errors)
                    if result.errors and not valid_only:
                        raise _Abort
                    if plan:
                        self.apply(plan)
                    result.written = True
                    result.created, result.updated, result.unchanged = (
                        result.would_create,
                        result.would_update,
                        result.would_keep,
                    )
                    self.record_audit(result, source)
        except _Abort:
            result.written = False
        self.progress(total, total)
        return result

    def _resolve(self, cleaned, errors):
        bad = {e.row for e in errors}
        return self.resolve([(n, d) for n, d in cleaned if n not in bad])

    @staticmethod
    def _finish(result: ImportResult, plan: list[Planned], errors: list[RowError]) -> None:
        bad = {e.row for e in errors}
        plan[:] = [p for p in plan if p.row not in bad]
        result.errors = sorted(errors, key=lambda e: (e.row, e.column))
        result.valid = result.rows - len(bad)
        result.would_create = sum(1 for p in plan if p.action == "create")
        result.would_update = sum(1 for p in plan if p.action == "update")
        result.would_keep = sum(1 for p in plan if p.action == "unchanged")


def cell_text(
    table: Table, cells: list, fld: str, *, max_length: int, required: bool, label: str, problems: list
):
    from tisheng.core.cleaning import text

    value = text(table.value(cells, fld))
    if not value and required:
        problems.append((fld, problem("required", label=label)))
    elif len(value) > max_length:
        problems.append((fld, problem("too_long", label=label, n=max_length)))
    return value


def cell(fn, table: Table, cells: list, fld: str, problems: list, **kwargs):
    try:
        return fn(table.value(cells, fld), **kwargs)
    except CellProblem as exc:
        problems.append((fld, exc.problem))
        return None
