"""One vocabulary per partnership: the other names areas and indicators go by.

The names are kept once, on the area or indicator (``AreaAlias``, ``IndicatorAlias``), and
every template reads them (``partnership_names`` → ``app.definition.vocabulary``). An alias
is compared as labels are (``normalise_label``): "NWLDC" and "nwldc" are one alias, and an
alias may not be another area's (indicator's) name or alias.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.definition import normalise_label
from app.errors import Forbidden
from app.extensions import db
from app.models import Area, AreaAlias, Indicator, IndicatorAlias
from app.policy import may_edit_vocabulary
from app.services import ServiceError, transaction
from app.services.audit import record
from app.store.rows import get_row

# What can have other names: model, alias model, the alias's owner column, a noun for messages.
KINDS = {
    "area": (Area, AreaAlias, "area_id", "area"),
    "indicator": (Indicator, IndicatorAlias, "indicator_id", "indicator"),
}
NAME_LENGTH = {"area": 120, "indicator": 300}


@dataclass(frozen=True)
class PartnershipNames:
    """Indicator slug → its names; area code → its names (name first, then aliases).
    Hashable, so a definition read with these names can be cached by them."""

    indicators: tuple[tuple[str, tuple[str, ...]], ...]
    areas: tuple[tuple[str, tuple[str, ...]], ...]

    def indicator_names(self) -> dict[str, tuple[str, ...]]:
        return dict(self.indicators)

    def area_names(self) -> dict[str, tuple[str, ...]]:
        return dict(self.areas)


def _names(model, alias_model, owner_column: str, key_column) -> tuple[tuple[str, tuple[str, ...]], ...]:
    aliases: dict[int, list[str]] = {}
    for owner_id, name in db.session.execute(
            select(getattr(alias_model, owner_column), alias_model.name).order_by(alias_model.id)):
        aliases.setdefault(owner_id, []).append(name)
    rows = db.session.execute(select(model.id, key_column, model.name).order_by(key_column))
    return tuple((key, (name, *aliases.get(row_id, ()))) for row_id, key, name in rows)


def partnership_names() -> PartnershipNames:
    """Every area's and indicator's names, read once (for one import)."""
    return PartnershipNames(indicators=_names(Indicator, IndicatorAlias, "indicator_id", Indicator.slug),
                            areas=_names(Area, AreaAlias, "area_id", Area.code))


# ---- checking and keeping aliases (flush only; the calling use case commits) ---------------

def _owner_of_each_name(kind: str) -> dict[str, tuple[int, str]]:
    """Compared form of every name and alias of this kind → (owner id, the owner's name)."""
    model, alias_model, owner_column, _ = KINDS[kind]
    names = {row.id: row.name for row in db.session.execute(select(model.id, model.name))}
    found: dict[str, tuple[int, str]] = {}
    for owner_id, name in names.items():
        found.setdefault(normalise_label(name), (owner_id, name))
    for owner_id, alias in db.session.execute(select(getattr(alias_model, owner_column), alias_model.name)):
        found.setdefault(normalise_label(alias), (owner_id, names.get(owner_id, "")))
    return found


def alias_problems(kind: str, aliases: list[str], own_name: str, owner_id: int | None) -> list[str]:
    """Why these aliases cannot be kept for this area (indicator), one sentence each."""
    noun = KINDS[kind][3]
    owners = _owner_of_each_name(kind)
    problems, seen = [], {normalise_label(own_name): own_name}
    for alias in aliases:
        compared = normalise_label(alias)
        if len(alias) > NAME_LENGTH[kind]:
            problems.append(f"'{alias}' is too long: use {NAME_LENGTH[kind]} characters or fewer")
        elif not compared:
            problems.append(f"'{alias}' has no letters or numbers")
        elif compared in seen:
            problems.append(f"'{alias}' is listed twice (as '{seen[compared]}')" if seen[compared] != own_name
                            else f"'{alias}' is this {noun}'s own name")
        elif compared in owners and owners[compared][0] != owner_id:
            problems.append(f"'{alias}' is already a name of the {noun} {owners[compared][1]}")
        seen.setdefault(compared, alias)
    return problems


def name_problem(kind: str, name: str, owner_id: int | None) -> str | None:
    """Why an area (indicator) cannot take this name: another one goes by it as an alias."""
    model, alias_model, owner_column, noun = KINDS[kind]
    other = db.session.execute(select(getattr(alias_model, owner_column), model.name).join(
        model, model.id == getattr(alias_model, owner_column)).where(
        alias_model.normalised == normalise_label(name))).first()
    if other is not None and other[0] != owner_id:
        return f"'{name.strip()}' is another name of the {noun} {other[1]}"
    return None


def set_aliases(kind: str, row, aliases: list[str]) -> None:
    """Make ``row``'s aliases these (already checked), keeping those it has."""
    alias_model = KINDS[kind][1]
    wanted = {normalise_label(a): a.strip() for a in aliases}
    kept = [a for a in row.alias_rows if a.normalised in wanted]
    for existing in kept:
        existing.name = wanted[existing.normalised]
    have = {a.normalised for a in kept}
    row.alias_rows[:] = kept + [alias_model(name=name, normalised=compared)
                                for compared, name in wanted.items() if compared not in have]


# ---- one click from the upload report -----------------------------------------------------

def add_alias(kind: str, alias: str, owner_id: int | None, user):
    """Treat ``alias`` as another name of this area (indicator), for every template.
    Raises Forbidden (not an admin), NotFound (no such area) or ServiceError (a clash)."""
    if kind not in KINDS:
        raise ServiceError("Choose an area or an indicator.")
    if user is not None and not may_edit_vocabulary(user):
        raise Forbidden(alias)
    model, _, _, noun = KINDS[kind]
    alias = (alias or "").strip()
    if owner_id is None:
        raise ServiceError(field_errors={"target": [f"Select the {noun} '{alias}' stands for"]})
    row = get_row(model, owner_id)
    if normalise_label(alias) in {normalise_label(n) for n in (row.name, *row.aliases)}:
        raise ServiceError(field_errors={"target": [f"'{alias}' is already a name of the {noun} {row.name}"]})
    problems = alias_problems(kind, [*row.aliases, alias], row.name, row.id)
    if problems:
        raise ServiceError(field_errors={"target": problems})
    with transaction(f"'{alias}' was added as another name at the same moment; reload the page."):
        set_aliases(kind, row, [*row.aliases, alias])
        db.session.flush()
        record(f"{kind}_alias_added", user, row, alias=alias)
    return row
