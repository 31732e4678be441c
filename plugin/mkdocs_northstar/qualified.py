"""Qualified links (`NAME:ID`, contract v1.2): resolving them against the sources read,
and finding the records of sources that link back to this strategy and so serve it.

Pure functions over `store.SourceResult`s: nothing here reads a file. `Sources` is
the index the model and the rules consult; `Ref` names a record anywhere: `source`
None is this strategy, else the name this strategy gives the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .read import schema
from .read.sources.store import ForeignRecord, SourceResult

# Which kind of record each link key names (as model.LINK_KEYS).
WANTED = {"parent": "objective", "objectives": "objective", "themes": "theme", "depends_on": "plan"}


def split(value: str, own_name: str | None = None) -> tuple[str | None, str]:
    """`NAME:ID` → (NAME, ID); a local value, or one qualified with this strategy's own
    name, → (None, ID)."""
    name, colon, rest = value.partition(":")
    if not colon or name == own_name:
        return None, rest if colon else value
    return name, rest


def is_qualified(value: object, own_name: str | None = None) -> bool:
    """Whether a link value names another strategy's record (and so is not the model's to resolve)."""
    return isinstance(value, str) and split(value, own_name)[0] is not None


@dataclass(frozen=True)
class Ref:
    source: str | None  # None: this strategy
    id: str

    def __str__(self) -> str:
        return self.id if self.source is None else f"{self.source}:{self.id}"


@dataclass(frozen=True)
class Dangling:
    """A qualified link that names nothing: reported by `dangling-link` on the link's key."""

    key: str
    value: str
    message: str


@dataclass
class Serving:
    """Records of sources that link to this strategy's records, by the local id they serve."""

    objectives: dict[str, list[ForeignRecord]] = field(default_factory=dict)  # plans, directly or via a theme
    themes: dict[str, list[ForeignRecord]] = field(default_factory=dict)  # plans naming a local theme
    theme_objectives: dict[str, list[ForeignRecord]] = field(default_factory=dict)  # themes naming a local objective
    children: dict[str, list[ForeignRecord]] = field(default_factory=dict)  # objectives whose parent is local
    dependents: dict[str, list[ForeignRecord]] = field(default_factory=dict)  # plans depending on a local plan

    def of(self, local_id: str) -> list[ForeignRecord]:
        """Every foreign record linking to `local_id`, each once, by source and id."""
        found = {(record.source, record.id): record
                 for group in (self.objectives, self.themes, self.theme_objectives, self.children, self.dependents)
                 for record in group.get(local_id, ())}
        return [found[key] for key in sorted(found)]


class Sources:
    """The records of every source read, by source name and id."""

    def __init__(self, results: Iterable[SourceResult], own_name: str | None = None):
        self.own_name = own_name
        self.results = {result.name: result for result in results}
        self.records = {name: {record.id: record for record in result.records}
                        for name, result in self.results.items() if result.ok}
        # How a source's records may qualify a third strategy: by that one's own name.
        self._by_own_name = {result.own_name: name for name, result in self.results.items()
                             if result.ok and result.own_name}
        self._nearest: dict[tuple[str, str], schema.Nearest] = {}
        self._targets: dict = {}  # (source, value as written) -> Ref or None

    @property
    def names(self) -> list[str]:
        return sorted(self.results)

    def lookup(self, ref: Ref) -> ForeignRecord | None:
        return self.records.get(ref.source, {}).get(ref.id) if ref.source is not None else None

    def resolve(self, key: str, value: str) -> ForeignRecord | Dangling | None:
        """A link of this strategy's record under `key`: the source's record it names, a
        `Dangling` finding, or None where the value is not the index's to judge: a local
        link, or one to a source that could not be read (whose `source` problem says so)."""
        name, wanted_id = split(value, self.own_name)
        if name is None:
            return None
        wanted = WANTED[key]
        if name not in self.results:
            hint = schema.suggest(name, self.results)
            known = f"the sources are {', '.join(self.names)}" if self.results else "this strategy names no sources"
            return Dangling(key, value, f"{key} names '{value}', but there is no source '{name}'"
                            + (f": did you mean '{hint}:{wanted_id}'? ({known})" if hint else f" ({known})"))
        if name not in self.records:
            return None
        record = self.records[name].get(wanted_id)
        if record is None:
            nearest = self._nearest.get((name, wanted))
            if nearest is None:
                nearest = self._nearest[name, wanted] = schema.Nearest(
                    record.id for record in self.records[name].values() if record.kind == wanted)
            hint = nearest(wanted_id)
            return Dangling(key, value, f"{key} names {wanted} '{wanted_id}' of source '{name}', which does not exist"
                            + (f": did you mean '{name}:{hint}'?" if hint else ""))
        if record.kind != wanted:
            return Dangling(key, value, f"{key} names '{value}', which is {schema.a_kind(record.kind)} of source "
                            f"'{name}', not {schema.a_kind(wanted)}")
        return record

    def target(self, record: ForeignRecord, value: str) -> Ref | None:
        """A link written in a source's record, in this strategy's terms: unqualified or
        qualified with the source's own name, a record of that source; qualified with this
        strategy's name, a local record; qualified with the name of another source read
        here (its own name, or the name given here), that source's record; else None."""
        name, colon, rest = value.partition(":")
        if not colon:
            return Ref(record.source, value)
        if self.own_name is not None and name == self.own_name:
            return Ref(None, rest)
        holder = self.results.get(record.source)
        if holder is not None and name == holder.own_name:
            return Ref(record.source, rest)
        if name in self._by_own_name:
            return Ref(self._by_own_name[name], rest)
        return Ref(name, rest) if name in self.records else None

    def links(self, record: ForeignRecord, key: str) -> list[Ref]:
        # Thousands of a source's plans name the same few themes: each value is worked out
        # once per source (a warm check of 50 sources spent a third of its time here).
        values = record.links.get(key)
        if not values:
            return []
        known = self._targets
        found = []
        for value in values:
            ref = known.get((record.source, value), known)
            if ref is known:
                ref = known[record.source, value] = self.target(record, value)
            if ref is not None:
                found.append(ref)
        return found

    def objectives_of_theme(self, theme: ForeignRecord) -> list[Ref]:
        """The objectives a source's theme names, in this strategy's terms; those of
        sources are kept only where they exist and are objectives."""
        return [ref for ref in self.links(theme, "objectives") if self._is_objective(ref)]

    def served_by_plan(self, plan: ForeignRecord,
                       local_theme_objectives: Mapping[str, Iterable[str]] | None = None) -> list[Ref]:
        """The objectives a source's plan serves, directly or through its themes (a
        theme of any source, or a local theme: `local_theme_objectives` maps each local
        theme id to its objectives' ids), each once."""
        local_theme_objectives = local_theme_objectives or {}
        served = [ref for ref in self.links(plan, "objectives") if self._is_objective(ref)]
        for theme in self.links(plan, "themes"):
            if theme.source is None:
                served.extend(Ref(None, objective) for objective in local_theme_objectives.get(theme.id, ()))
            else:
                found = self.lookup(theme)
                if found is not None and found.kind == "theme":
                    served.extend(self.objectives_of_theme(found))
        return list(dict.fromkeys(served))

    def _is_objective(self, ref: Ref) -> bool:
        if ref.source is None:
            return True  # the local model knows whether it exists
        found = self.lookup(ref)
        return found is not None and found.kind == "objective"

    def serving(self, local_theme_objectives: Mapping[str, Iterable[str]] | None = None) -> Serving:
        """The records of sources that link to this strategy's records (by `THIS_NAME:ID`),
        directly or, for plans serving objectives, through a theme. Without an own name
        nothing can link here."""
        found = Serving()
        if self.own_name is None:
            return found

        seen: set[tuple[int, str, str, str]] = set()  # (group, local id, source, id): each record once per id

        def add(group: dict[str, list[ForeignRecord]], refs: Iterable[Ref], record: ForeignRecord) -> None:
            for ref in refs:
                if ref.source is None and (id(group), ref.id, record.source, record.id) not in seen:
                    seen.add((id(group), ref.id, record.source, record.id))
                    group.setdefault(ref.id, []).append(record)

        for name in sorted(self.records):
            for record in self.records[name].values():
                if record.kind == "plan":
                    add(found.objectives, self.served_by_plan(record, local_theme_objectives), record)
                    add(found.themes, self.links(record, "themes"), record)
                    add(found.dependents, self.links(record, "depends_on"), record)
                elif record.kind == "theme":
                    add(found.theme_objectives, self.links(record, "objectives"), record)
                else:
                    add(found.children, self.links(record, "parent"), record)
        return found

    def effort_shares(self, serving: Serving) -> dict[str, tuple[float, float]]:
        """`effort_share` of every source at once: one pass over what serves this strategy
        (once per source, the sources page took 0.4 s for 50 sources of 100 plans)."""
        serving_ids = {(record.source, record.id) for group in serving.objectives.values() for record in group}
        shares = {}
        for name, records in self.records.items():
            part = whole = 0.0
            for record in records.values():
                if record.kind == "plan":
                    weight = record.effort or 1
                    whole += weight
                    if (name, record.id) in serving_ids:
                        part += weight
            shares[name] = (part, whole)
        return shares

    def effort_share(self, name: str, serving: Serving) -> tuple[float, float]:
        """(effort of the source's plans serving this strategy's objectives, effort of all
        its plans): a plan weighs its effort, or 1 where none is given."""
        serving_ids = {(record.source, record.id) for group in serving.objectives.values() for record in group}
        part = whole = 0.0
        for record in self.records.get(name, {}).values():
            if record.kind != "plan":
                continue
            weight = record.effort or 1
            whole += weight
            if (record.source, record.id) in serving_ids:
                part += weight
        return part, whole
