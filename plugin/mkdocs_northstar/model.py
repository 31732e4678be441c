"""The strategy graph: records linked to each other both ways, with inherited periods.

Building it never fails: a link to a missing or wrong-kind record is kept aside in
`Strategy.dangling` for the rules to report, and the graph is built from the rest.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Callable, Iterable

from .guests import Guests, guest_record
from .qualified import Dangling, Sources, split
from .read.records import Record
from .read.sources.store import ForeignRecord

# The keys that link a record to others, with the kind each must name.
LINK_KEYS = {"parent": "objective", "objectives": "objective", "themes": "theme", "depends_on": "plan"}


class Fields(dict):
    """A record's validated keys; a key that was not given reads as None."""

    def __missing__(self, key):
        return None


@dataclass(eq=False)
class Node:
    """A record in the graph. `objectives`, `themes` and `plans` hold the linked
    records of that kind in either direction: a plan's themes are the themes it
    names, a theme's plans are the plans that name it."""

    record: Record
    slug: str  # unique, safe page name
    period: str | None = None  # own period, or the one inherited from its objectives
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    objectives: list[Node] = field(default_factory=list)
    themes: list[Node] = field(default_factory=list)
    plans: list[Node] = field(default_factory=list)
    depends_on: list[Node] = field(default_factory=list)
    dependents: list[Node] = field(default_factory=list)
    served: list[Node] = field(default_factory=list)  # plan: objectives served directly or via a theme
    serving: list[Node] = field(default_factory=list)  # objective: plans serving it directly or via a theme

    # What derives from the record alone is worked out once, when the node is made: a
    # record does not change after it is read, and the pages of 10,000 plans ask for a
    # plan's status, title and page hundreds of thousands of times. (Set in one order
    # here, the attributes share their names between instances; set later, one by one,
    # they took 7.5 MB more at 10,000 plans.)
    def __post_init__(self) -> None:
        record = self.record
        self.id: str | None = record.id
        self.kind: str = record.kind
        self.title: str = record.title or record.id or self.slug
        self.path: str = record.path
        self.team: str | None = record.team if record.kind == "plan" else None
        self.status: str = record.fields.get("status", "proposed")
        self.effort = record.fields.get("effort")
        # A plan's weight in coverage figures: its effort, or 1 where none is given.
        self.weight: float = record.fields.get("effort", 1)
        # The page of this record, relative to the url_prefix folder.
        self.page: str = f"{record.kind}s/{self.slug}.md"
        # An objective's key results and their figures as of a date (outcomes.figures.Outcome),
        # given by the analysis; None elsewhere.
        self.outcome = None

    @cached_property
    def fields(self) -> Fields:
        return Fields(self.record.fields)

    @property
    def linked(self) -> bool:
        """A plan names a theme and serves an objective; a theme serves an objective."""
        if self.kind == "plan":
            return bool(self.themes) and bool(self.served)
        if self.kind == "theme":
            return bool(self.objectives)
        return True

    @property
    def progress(self) -> float | None:
        """An objective's progress: the weighted mean of its key results' clamped progress, or
        its children's mean (outcomes.figures); without figures, (current - baseline) /
        (target - baseline) where all are known."""
        if self.outcome is not None:
            return self.outcome.progress
        fields = self.record.fields
        if self.kind != "objective" or not all(key in fields for key in ("baseline", "target", "current")):
            return None
        span = fields["target"] - fields["baseline"]
        return None if span == 0 else (fields["current"] - fields["baseline"]) / span

    def __repr__(self) -> str:
        return f"<{self.kind} {self.slug}>"

    # Where a record comes from: None for this strategy's own; a Guest says which source.
    source: str | None = None
    url: str | None = None  # a guest's page on its source's published site, where given

    @property
    def ref(self) -> str:
        """The record's id as this strategy writes a link to it (`NAME:ID` for a guest)."""
        name = self.id or self.slug
        return f"{self.source}:{name}" if self.source else name


class Guest(Node):
    """A record of another strategy (guests.py): linked like a local record, never judged."""

    foreign: ForeignRecord

    @property
    def progress(self) -> float | None:
        return self.foreign.progress


def make_guest(record: ForeignRecord) -> Guest:
    guest = Guest(record=guest_record(record), slug=f"{record.source}:{record.id}")
    guest.foreign, guest.source, guest.url, guest.period = record, record.source, record.url, record.period
    # Its page: on the source's published site where its `url` is given, else a read-only
    # page generated here, below the url_prefix.
    guest.page = record.url or f"sources/{record.source}/{record.page}"
    return guest


@dataclass(frozen=True)
class DanglingLink:
    node: Node
    key: str
    target: str
    found: Node | None  # the record with that id, when it is of the wrong kind


@dataclass
class Team:
    name: str
    slug: str
    plans: list[Node] = field(default_factory=list)

    @property
    def page(self) -> str:
        return f"teams/{self.slug}.md"


@dataclass
class Strategy:
    nodes: list[Node]  # every record, in path order
    by_id: dict[str, Node]  # the first record with each id
    duplicates: dict[str, list[Node]]  # ids held by more than one record
    dangling: list[DanglingLink]
    teams: dict[str, Team]
    # Files the walk of plans_dir could not take in (links leaving it, unreadable folders).
    scan_problems: list = field(default_factory=list)
    # Outcomes over time: the day they are judged on, when a measurement is stale, and the
    # problems found in key results and measurements: (file, line, id, message) for `schema`.
    as_of: datetime.date | None = None
    stale_after_days: int = 30
    outcome_problems: list = field(default_factory=list)
    # Contract v1.2: the sources read, qualified links that name nothing (node, Dangling),
    # and the records of sources in the graph: all of them, and the plans serving this strategy.
    sources: Sources | None = None
    foreign_dangling: list[tuple[Node, Dangling]] = field(default_factory=list)
    guests: list[Node] = field(default_factory=list)
    guest_plans: list[Node] = field(default_factory=list)
    serving: object = None  # qualified.Serving: the records of sources linking here, by local id
    _by_kind: dict[str, list[Node]] | None = field(default=None, init=False, repr=False, compare=False)

    def of_kind(self, kind: str) -> list[Node]:
        # Asked for by every rule and page: grouped once, in natural path order. The nodes
        # are fixed once the graph is built; callers get a copy they may change.
        if self._by_kind is None:
            self._by_kind = {}
            for node in sorted(self.nodes, key=lambda node: natural_key(node.path)):
                self._by_kind.setdefault(node.record.kind, []).append(node)
        return list(self._by_kind.get(kind, ()))

    @property
    def objectives(self) -> list[Node]:
        return self.of_kind("objective")

    @property
    def themes(self) -> list[Node]:
        return self.of_kind("theme")

    @property
    def plans(self) -> list[Node]:
        return self.of_kind("plan")

    def by_source(self) -> dict[str, Node]:
        return {node.record.source: node for node in self.nodes}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "record"


def _unique(nodes: Iterable[Node]) -> list[Node]:
    return list(dict.fromkeys(nodes))


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key of a title, id or path in natural order: runs of digits compare as numbers,
    so "Plan 12" comes before "Plan 108". Every sort of titles, ids and paths uses it.
    Text without digits sorts as before; a path sorts folder by folder."""
    key = []
    for part in text.split("/"):
        runs = _DIGITS.split(part)  # text, digits, text, ...: the digits at odd places
        if len(runs) > 1:
            runs[1::2] = map(int, runs[1::2])
        key.append(tuple(runs))
    return tuple(key)


def remembered_keys() -> Callable[[str], tuple]:
    """natural_key, each text's key worked out once for as long as the function is kept:
    for one pass that sorts the same records many times over (a plan sits in five or six
    of the lists build sorts, and is a bar in several lanes of a timeline). Not kept for
    the whole process, which would hold every key to the end (docs/performance.md)."""
    return cache(natural_key)


def _slug_order() -> Callable[[Iterable[Node]], list[Node]]:
    """Sorts nodes by slug (build gives every node its own), each slug's key worked out once."""
    keys = remembered_keys()
    return lambda nodes: sorted(nodes, key=lambda node: keys(node.slug))


# A period as a span of quarters, so that containment is a comparison of numbers.
# Thousands of records share a handful of periods.
@lru_cache(maxsize=4096)
def period_span(period: str) -> tuple[int, int]:
    year = int(period[:4])
    first = year * 4
    if len(period) == 4:
        return first, first + 3
    half_or_quarter, number = period[5], int(period[6])
    if half_or_quarter == "H":
        start = first + (number - 1) * 2
        return start, start + 1
    return first + number - 1, first + number - 1


def period_within(inner: str, outer: str) -> bool:
    inner_start, inner_end = period_span(inner)
    outer_start, outer_end = period_span(outer)
    return outer_start <= inner_start and inner_end <= outer_end


def period_sort_key(period: str | None) -> tuple:
    if period is None:
        return (1, 0, 0)
    start, end = period_span(period)
    return (0, start, end)


def build(records: list[Record], index: Sources | None = None) -> Strategy:
    """Link records into a Strategy. Records come in path order, which decides
    which of two records sharing an id owns it. `index` holds the sources read
    (contract v1.2): qualified links resolve against it."""
    index = index if index is not None else Sources([], None)
    own_name = index.own_name
    nodes: list[Node] = []
    by_id: dict[str, Node] = {}
    holders: dict[str, list[Node]] = {}
    taken: set[str] = set()
    for record in records:
        base = record.id or slugify(record.source.rsplit("/", 1)[-1][:-3])
        slug, counter = base, 1
        while slug in taken:
            counter += 1
            slug = f"{base}-{counter}"
        taken.add(slug)
        node = Node(record=record, slug=slug)
        nodes.append(node)
        if record.id:
            holders.setdefault(record.id, []).append(node)
            by_id.setdefault(record.id, node)
    duplicates = {key: held for key, held in holders.items() if len(held) > 1}

    dangling: list[DanglingLink] = []
    foreign_dangling: list[tuple[Node, Dangling]] = []
    guests = Guests(index, {}, make_guest)

    def resolve(node: Node, key: str) -> list[Node]:
        wanted = LINK_KEYS[key]
        value = node.record.get(key)
        targets = [value] if isinstance(value, str) else (value or [])
        found = []
        for target in targets:
            if ":" in target:
                source, target = split(target, own_name)
                if source is not None:  # another strategy's record
                    foreign = index.resolve(key, f"{source}:{target}")
                    if isinstance(foreign, Dangling):
                        foreign_dangling.append((node, foreign))
                    elif foreign is not None:
                        found.append(guests.node(foreign))
                    continue
            # With a shared id, prefer the holder of the wanted kind: the link is
            # still meant, and duplicate-id reports the clash.
            other = next((held for held in holders.get(target, ()) if held.kind == wanted), by_id.get(target))
            if other is None or other.kind != wanted:
                dangling.append(DanglingLink(node, key, target, other))
            else:  # a record naming itself is a cycle, which the rules report
                found.append(other)
        return found

    for node in nodes:
        if node.record.broken:
            continue  # nothing could be read from it, so it links nowhere
        kind = node.record.kind
        if kind == "objective":
            parents = resolve(node, "parent")
            node.parent = parents[0] if parents else None
        elif kind == "theme":
            node.objectives = resolve(node, "objectives")
        else:
            node.themes = resolve(node, "themes")
            node.objectives = resolve(node, "objectives")
            node.depends_on = resolve(node, "depends_on")

    # Records of sources that serve this strategy's records, and what guests link to.
    for node in nodes:
        if not node.record.broken and node.id:  # as a local link: the first holder of the kind
            guests.local.setdefault((node.kind, node.id), node)
    serving = index.serving({theme.id: [objective.id for objective in theme.objectives if objective.source is None]
                             for theme in nodes if theme.kind == "theme" and theme.id and not theme.record.broken})
    guest_plans = list(dict.fromkeys(guests.node(record) for group in (serving.objectives, serving.themes)
                                     for held in group.values() for record in held))
    for group in (serving.theme_objectives, serving.children, serving.dependents):
        for held in group.values():
            for record in held:
                guests.node(record)
    guests.settle()

    # Backlinks, in the stable order of the forward side.
    for node in nodes:
        kind = node.record.kind
        if node.parent:
            node.parent.children.append(node)
        if kind == "theme":
            for objective in node.objectives:
                objective.themes.append(node)
        elif kind == "plan":
            for theme in node.themes:
                theme.plans.append(node)
            for objective in node.objectives:
                objective.plans.append(node)
            for dependency in node.depends_on:
                dependency.dependents.append(node)

    plans = [node for node in nodes if node.record.kind == "plan"]
    themes = [node for node in nodes if node.record.kind == "theme"]
    for node in plans:
        node.served = _unique(node.objectives + [o for theme in node.themes for o in theme.objectives])
        for objective in node.served:
            objective.serving.append(node)

    for node in nodes:
        node.period = node.record.get("period")
    # Themes first: a plan may inherit through nothing but its objectives.
    for theme in themes:
        if theme.period is None:
            theme.period = next((o.period for o in theme.objectives if o.period), None)
    for plan in plans:
        if plan.period is None:
            plan.period = next((o.period for o in plan.served if o.period), None)
    # A source's record read without this strategy's objectives inherits from them here, as it would in one repository.
    for guest in sorted(guests.nodes.values(), key=lambda guest: guest.kind != "theme"):
        if guest.period is None and guest.kind != "objective":
            guest.period = next((o.period for o in (guest.served if guest.kind == "plan" else guest.objectives)
                                 if o.period), None)

    by_slug = _slug_order()
    for node in nodes + list(guests.nodes.values()):
        for name in ("children", "themes", "plans", "dependents", "serving"):
            linked = getattr(node, name)
            if len(linked) < 2 or (name == "themes" and node.record.kind == "plan"):
                continue  # already in order; a plan's own themes keep the order its author gave
            setattr(node, name, by_slug(_unique(linked)))

    teams: dict[str, Team] = {}
    team_slugs: set[str] = set()
    for node in plans + guest_plans:  # a source's plans serving this strategy count with their team
        if node.team:
            team = teams.get(node.team)
            if team is None:
                slug, base, counter = slugify(node.team), slugify(node.team), 1
                while slug in team_slugs:
                    counter += 1
                    slug = f"{base}-{counter}"
                team_slugs.add(slug)
                team = teams[node.team] = Team(node.team, slug)
            team.plans.append(node)
    teams = dict(sorted(teams.items(), key=lambda item: natural_key(item[1].slug)))
    for team in teams.values():
        team.plans = by_slug(team.plans)

    return Strategy(nodes=nodes, by_id=by_id, duplicates=duplicates, dangling=dangling, teams=teams,
                    sources=index, foreign_dangling=foreign_dangling, guests=list(guests.nodes.values()),
                    guest_plans=by_slug(guest_plans), serving=serving)
