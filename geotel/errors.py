"""The geotel exception hierarchy and the problem records that validators collect
(public, as :mod:`rasterio.errors`: ``from geotel.errors import InputError``).

Every error a user can cause is an :class:`InputError` (also a ``ValueError``).
Its message names the file, the row or feature, the column, and the fix.
Validators collect :class:`Problem` records in a :class:`ValidationReport` so that
``geotel validate`` can list every problem at once, then raise the error class that
matches the first one.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "REPORT_COLUMNS",
    "CRSError",
    "ConfigError",
    "DuplicateIdError",
    "FileFormatError",
    "GeometryError",
    "GeotelError",
    "InputError",
    "OutputError",
    "Problem",
    "ProblemGroup",
    "ProblemKind",
    "SchemaError",
    "SolverError",
    "StudyAreaError",
    "ValidationReport",
    "ValueRangeError",
]

#: Columns of the problem list written by :meth:`ValidationReport.to_csv`.
REPORT_COLUMNS: tuple[str, ...] = ("level", "file", "feature", "row", "column", "message",
                                   "fix")
#: How many features a collapsed line names before "…".
SHOWN_FEATURES = 3


class GeotelError(Exception):
    """Base class of every error geotel raises on purpose."""


class InputError(GeotelError, ValueError):
    """Bad input: a file, a column, a value or a parameter the user can fix.

    Parameters
    ----------
    message
        What is wrong.
    file, feature, column
        Where it is wrong: file path, row or feature id, column name.
    row
        1-based line of the feature in its file, where known.
    fix
        How to fix it.
    problems
        Every problem found, when a validator collected several.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        feature: str | None = None,
        column: str | None = None,
        fix: str | None = None,
        problems: Iterable[Problem] = (),
        row: int | None = None,
    ) -> None:
        self.file = file
        self.feature = feature
        self.column = column
        self.row = row
        self.fix = fix
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = _where(self.file, self.feature, self.column, self.row)
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f" Fix: {self.fix}"
        others = [p for p in self.problems[1:] if p.severity == "error"]
        if others:
            lines = [g.line() for g in group_problems(others)]
            text += f"\n... and {len(others)} more problem(s):\n" + "\n".join(
                f"  - {line}" for line in lines[:20]
            )
            if len(lines) > 20:
                text += f"\n  - ... {len(lines) - 20} more kinds of problem"
        return text


class ConfigError(InputError):
    """The project config file is malformed, has an unknown key or a bad value."""


class FileFormatError(InputError):
    """A file is missing, unreadable, or not in a supported format."""


class CRSError(InputError):
    """A CRS is missing, unknown, or not metric where metres are needed."""


class SchemaError(InputError):
    """A required column is missing or holds values of the wrong type."""


class ValueRangeError(InputError):
    """A value lies outside its allowed range or set of choices."""


class DuplicateIdError(InputError):
    """An identifier column holds the same id more than once."""


class GeometryError(InputError):
    """A geometry is empty, invalid beyond safe repair, or of the wrong type."""


class StudyAreaError(InputError):
    """A feature lies outside the study area."""


class OutputError(InputError):
    """The output folder cannot take the results.

    It is, or holds, an input of the project; it is a file or lies under one; it is
    read-only or its disk is full; or another run wrote it first (then the message
    names the folder where this run's result was kept).
    """


class SolverError(GeotelError, RuntimeError):
    """An optimisation problem could not be solved (infeasible, empty, failed)."""


ProblemKind = Literal[
    "config",
    "file",
    "crs",
    "schema",
    "range",
    "duplicate",
    "geometry",
    "study_area",
]

_KIND_TO_ERROR: dict[str, type[InputError]] = {
    "config": ConfigError,
    "file": FileFormatError,
    "crs": CRSError,
    "schema": SchemaError,
    "range": ValueRangeError,
    "duplicate": DuplicateIdError,
    "geometry": GeometryError,
    "study_area": StudyAreaError,
}


def _where(file: str | None, feature: str | None, column: str | None,
           row: int | None = None) -> str:
    parts = []
    if file:
        parts.append(str(file))
    if feature is not None:
        parts.append(f"feature {feature}")
    if row is not None and (feature is None or f"row {row}" not in str(feature)):
        parts.append(f"row {row}")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, with where it is and how to fix it."""

    kind: ProblemKind
    message: str
    fix: str = ""
    file: str | None = None
    feature: str | None = None
    column: str | None = None
    severity: Severity = "error"
    #: 1-based line of the feature in its file (tables: the line; vector layers: the
    #: feature's position + 1), where known.
    row: int | None = None

    def __str__(self) -> str:
        where = _where(self.file, self.feature, self.column, self.row)
        text = f"{self.severity.upper()} {where}: {self.message}" if where else self.message
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def to_error(self, problems: Iterable[Problem] = ()) -> InputError:
        """The exception of this problem's kind, carrying ``problems``."""
        cls = _KIND_TO_ERROR[self.kind]
        return cls(
            self.message,
            file=self.file,
            feature=self.feature,
            column=self.column,
            fix=self.fix or None,
            problems=problems,
            row=self.row,
        )


_NUMBER = re.compile(r"[-+−]?\d[\d.,]*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[^\s'\":;,()]+")


def _skeleton(message: str) -> str:
    """The message with numbers and quoted names blanked: the same problem elsewhere."""
    return _NUMBER.sub("#", _QUOTED.sub("'…'", message))


def _template(messages: list[str]) -> str:
    """One message for a group: the common words, varying ones replaced by '…'."""
    first = messages[0]
    if all(m == first for m in messages):
        return first
    spans = list(_TOKEN.finditer(first))
    split = [_TOKEN.findall(m) for m in messages]
    if all(len(s) == len(spans) for s in split):
        out, end = [], 0
        for i, m in enumerate(spans):
            w = m.group()
            same = all(s[i] == w for s in split)
            out += [first[end:m.start()], w if same else ("'…'" if w[0] in "'\"" else "…")]
            end = m.end()
        return "".join(out) + first[end:]
    return _QUOTED.sub("'…'", _NUMBER.sub("…", first))


@dataclass(frozen=True)
class ProblemGroup:
    """The same problem found in several features of one file: one line on screen."""

    severity: Severity
    kind: ProblemKind
    message: str
    fix: str
    file: str | None
    column: str | None
    problems: tuple[Problem, ...]

    @property
    def count(self) -> int:
        return len(self.problems)

    def features(self) -> list[str]:
        """The features named by the group's problems, in order, without repeats."""
        out: list[str] = []
        for p in self.problems:
            label = p.feature if p.feature is not None else (
                f"row {p.row}" if p.row is not None else None)
            if label is not None and label not in out:
                out.append(label)
        return out

    def line(self, *, shown: int = SHOWN_FEATURES) -> str:
        """``LEVEL file, column 'c': message — N features (A, B, C, …). Fix: …``."""
        if self.count == 1:
            return str(self.problems[0])
        where = _where(self.file, None, self.column)
        text = f"{self.severity.upper()} {where}: {self.message}" if where else \
            f"{self.severity.upper()} {self.message}"
        feats = self.features()
        if feats:
            more = ", …" if len(feats) > shown else ""
            text += f" — {len(feats)} features ({', '.join(feats[:shown])}{more})"
        else:
            text += f" — {self.count} times"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Problems grouped by (severity, kind, file, column, fix, message less its numbers
    and quoted names), errors first, then warnings, then information, each in the order
    first found.

    Examples
    --------
    >>> ps = [Problem("geometry", "invalid geometry repaired", file="c.gpkg", feature=f"Xã {i}",
    ...               severity="warning", fix="check it") for i in "ABCD"]
    >>> print(group_problems(ps)[0].line())
    WARNING c.gpkg: invalid geometry repaired — 4 features (Xã A, Xã B, Xã C, …). Fix: check it
    """
    groups: dict[tuple[object, ...], list[Problem]] = {}
    for p in problems:
        key = (p.severity, p.kind, p.file, p.column, p.fix, _skeleton(p.message))
        groups.setdefault(key, []).append(p)
    order = {"error": 0, "warning": 1, "info": 2}
    out = [ProblemGroup(ps[0].severity, ps[0].kind, _template([p.message for p in ps]),
                        ps[0].fix, ps[0].file, ps[0].column, tuple(ps))
           for ps in groups.values()]
    return sorted(out, key=lambda g: order[g.severity])


@dataclass
class ValidationReport:
    """Problems collected while reading or validating one or more inputs."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: ProblemKind, message: str, **where: str | int | None) -> None:
        """Record an error; ``where`` takes file, feature, row, column and fix."""
        self.problems.append(Problem(kind, message, **where))  # type: ignore[arg-type]

    def warn(self, kind: ProblemKind, message: str, **where: str | int | None) -> None:
        """Record a warning (a repair, a fallback); it never raises."""
        self.problems.append(Problem(kind, message, severity="warning", **where))  # type: ignore[arg-type]

    def info(self, kind: ProblemKind, message: str, **where: str | int | None) -> None:
        """Record a note (a convention recognised); neither a warning nor an error."""
        self.problems.append(Problem(kind, message, severity="info", **where))  # type: ignore[arg-type]

    def add_error(self, exc: InputError, **defaults: str | None) -> None:
        """Record a raised input error as the problem(s) of its kind.

        An error that carries its ``problems`` (a validator's) records them all;
        ``defaults`` fill in where the error says nothing (e.g. the config key as the
        column).

        Examples
        --------
        >>> rep = ValidationReport()
        >>> rep.add_error(SchemaError("no header", file="t.csv"), column="inputs.towers")
        >>> str(rep.problems[0])
        "ERROR t.csv, column 'inputs.towers': no header"
        """
        if exc.problems:
            self.extend(exc.problems)
            return
        kind = next((k for k, cls in _KIND_TO_ERROR.items() if type(exc) is cls), "file")
        where: dict[str, str | int | None] = {
            "file": exc.file, "feature": exc.feature, "row": exc.row, "column": exc.column,
            "fix": exc.fix}
        for key, value in defaults.items():
            if where.get(key) is None:
                where[key] = value
        self.add(kind, exc.message, **where)  # type: ignore[arg-type]

    def extend(self, other: ValidationReport | Iterable[Problem]) -> None:
        self.problems.extend(other.problems if isinstance(other, ValidationReport) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def groups(self) -> list[ProblemGroup]:
        """The problems collapsed: one group per problem repeated over many features."""
        return group_problems(self.problems)

    def lines(self, *, shown: int = SHOWN_FEATURES) -> list[str]:
        """One line per group (see :meth:`groups`), errors first: for a screen or a log.

        Examples
        --------
        >>> rep = ValidationReport()
        >>> for code in ("23557", "23560"):
        ...     rep.warn("geometry", "invalid geometry repaired", file="c.gpkg", feature=code)
        >>> rep.add("crs", "no CRS", file="r.shp", column="inputs.roads_crs", fix="set it")
        >>> print("\\n".join(rep.lines()))
        ERROR r.shp, column 'inputs.roads_crs': no CRS Fix: set it
        WARNING c.gpkg: invalid geometry repaired — 2 features (23557, 23560)
        """
        return [g.line(shown=shown) for g in self.groups()]

    def to_csv(self, path: str | os.PathLike) -> str:
        """Write every problem, one per line, to a CSV file (atomically) and return its path.

        UTF-8 with a byte-order mark, so that Excel shows Vietnamese text; the columns
        are :data:`REPORT_COLUMNS`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> rep = ValidationReport()
        >>> rep.warn("geometry", "invalid geometry repaired", file="c.gpkg", feature="Xã A",
        ...          row=3)
        >>> out = rep.to_csv(pathlib.Path(tempfile.mkdtemp()) / "validation.csv")
        >>> pathlib.Path(out).read_text(encoding="utf-8-sig").splitlines()[1]
        'warning,c.gpkg,Xã A,3,,invalid geometry repaired,'
        """
        from geotel._atomic import atomic_file

        with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(REPORT_COLUMNS)
            for p in self.problems:
                w.writerow([p.severity, p.file or "", p.feature or "",
                            "" if p.row is None else p.row, p.column or "", p.message,
                            p.fix or ""])
        return str(path)

    def raise_if_errors(self) -> None:
        """Raise the error class of the first error, listing all of them."""
        errors = self.errors
        if errors:
            raise errors[0].to_error(errors)
