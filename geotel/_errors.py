"""The geotel exception hierarchy and the problem records that validators collect.

Every error a user can cause is an :class:`InputError` (also a ``ValueError``).
Its message names the file, the row or feature, the column, and the fix.
Validators collect :class:`Problem` records in a :class:`ValidationReport` so that
``geotel validate`` can list every problem at once, then raise the error class that
matches the first one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "GeotelError",
    "InputError",
    "ConfigError",
    "FileFormatError",
    "CRSError",
    "SchemaError",
    "ValueRangeError",
    "DuplicateIdError",
    "GeometryError",
    "StudyAreaError",
    "OutputError",
    "SolverError",
    "Problem",
    "ProblemKind",
    "ValidationReport",
]


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
    ) -> None:
        self.file = file
        self.feature = feature
        self.column = column
        self.fix = fix
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = _where(self.file, self.feature, self.column)
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f" Fix: {self.fix}"
        others = [p for p in self.problems[1:] if p.severity == "error"]
        if others:
            text += f"\n... and {len(others)} more problem(s):\n" + "\n".join(
                f"  - {p}" for p in others[:20]
            )
            if len(others) > 20:
                text += f"\n  - ... {len(others) - 20} more"
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


def _where(file: str | None, feature: str | None, column: str | None) -> str:
    parts = []
    if file:
        parts.append(str(file))
    if feature is not None:
        parts.append(f"feature {feature}")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, with where it is and how to fix it."""

    kind: ProblemKind
    message: str
    fix: str = ""
    file: str | None = None
    feature: str | None = None
    column: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = _where(self.file, self.feature, self.column)
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
        )


@dataclass
class ValidationReport:
    """Problems collected while reading or validating one or more inputs."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: ProblemKind, message: str, **where: str | None) -> None:
        """Record an error; ``where`` takes file, feature, column and fix."""
        self.problems.append(Problem(kind, message, **where))  # type: ignore[arg-type]

    def warn(self, kind: ProblemKind, message: str, **where: str | None) -> None:
        """Record a warning (a repair, a fallback); it never raises."""
        self.problems.append(Problem(kind, message, severity="warning", **where))  # type: ignore[arg-type]

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

    def raise_if_errors(self) -> None:
        """Raise the error class of the first error, listing all of them."""
        errors = self.errors
        if errors:
            raise errors[0].to_error(errors)
