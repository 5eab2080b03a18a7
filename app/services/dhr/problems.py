"""The DHR rules' ``Problem``s as ``ServiceError`` field errors named after the form fields."""
from __future__ import annotations

from app.dhr import Problem
from app.services import ServiceError


def field_errors(problems: list[Problem], names: dict[str, str] | None = None,
                 prefix: str = "") -> dict[str, list[str]]:
    """Problems → {form field: messages}. ``prefix`` ("contributions[2].") keeps only that
    item's problems; ``names`` renames paths ("case" → "case_id"); a path with an index
    ("panel_meetings[1]") goes under its base name."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if not problem.field.startswith(prefix):
            continue
        path = problem.field[len(prefix):]
        name = (names or {}).get(path, path.split("[")[0])
        errors.setdefault(name, []).append(problem.message)
    return errors


def refuse(problems: list[Problem], names=None, prefix: str = "") -> None:
    """Raise a ServiceError with the problems' field errors, if there are any."""
    errors = field_errors(problems, names, prefix)
    if errors:
        raise ServiceError(field_errors=errors)
