"""Records of other strategies in this strategy's graph (contract v1.2).

A record of a source that this strategy links to, or that serves this strategy's
records, becomes a `Guest`: a Node like any other for the figures (its status, effort
and period count exactly as a local plan's would), but not one of the strategy's own
records. Guests are never judged (the source's CI does that) and have no page of their
own here but a read-only one under `sources/<NAME>/`, unless the source's `url` is given.
"""

from __future__ import annotations

from typing import Iterable

from .qualified import Ref, Sources
from .read.records import Record
from .read.sources.store import ForeignRecord


def guest_record(record: ForeignRecord) -> Record:
    fields = {key: value for key, value in (("status", record.status), ("effort", record.effort),
                                            ("period", record.period)) if value is not None}
    return Record(path=f"{record.source}:{record.id}", source=record.page, kind=record.kind, id=record.id,
                  title=record.title, fields=fields, team=record.team if record.kind == "plan" else None)


class Guests:
    """The guests of one build, each made once, by (source, id)."""

    def __init__(self, index: Sources, by_kind: dict[tuple[str, str], object], make):
        self.index = index
        self.local = by_kind  # (kind, id) -> the local node holding that id with that kind
        self.make = make  # ForeignRecord -> a Guest node (the model's class)
        self.nodes: dict[tuple[str, str], object] = {}
        self._pending: list = []

    def node(self, record: ForeignRecord):
        key = (record.source, record.id)
        found = self.nodes.get(key)
        if found is None:
            found = self.nodes[key] = self.make(record)
            self._pending.append(found)
        return found

    def _target(self, ref: Ref, kind: str):
        if ref.source is None:
            return self.local.get((kind, ref.id))
        record = self.index.lookup(ref)
        return self.node(record) if record is not None and record.kind == kind else None

    def _links(self, guest, key: str, kind: str) -> list:
        found = (self._target(ref, kind) for ref in self.index.links(guest.foreign, key))
        return list(dict.fromkeys(node for node in found if node is not None))

    def settle(self) -> None:
        """Link every guest made so far, and those its links lead to, to their targets
        (local records or other guests), then link local records back to the guests."""
        made = []
        while self._pending:  # a worklist, not recursion: a chain of guests may be long
            guest = self._pending.pop()
            made.append(guest)
            if guest.kind == "objective":
                parents = self._links(guest, "parent", "objective")
                guest.parent = parents[0] if parents else None
            elif guest.kind == "theme":
                guest.objectives = self._links(guest, "objectives", "objective")
            else:
                guest.themes = self._links(guest, "themes", "theme")
                guest.objectives = self._links(guest, "objectives", "objective")
                guest.depends_on = self._links(guest, "depends_on", "plan")
        for guest in made:
            if guest.kind == "plan":  # after all themes are linked: served as for a local plan
                guest.served = list(dict.fromkeys(
                    guest.objectives + [objective for theme in guest.themes for objective in theme.objectives]))
        for guest in made:  # local records link back to the guests that name them
            for target, backlinks in _backlinks(guest):
                backlinks(target).append(guest)  # the model removes repeats when it sorts the lists


def _backlinks(guest) -> Iterable[tuple[object, object]]:
    if guest.kind == "objective":
        if guest.parent is not None:
            yield guest.parent, lambda node: node.children
    elif guest.kind == "theme":
        for objective in guest.objectives:
            yield objective, lambda node: node.themes
    else:
        for theme in guest.themes:
            yield theme, lambda node: node.plans
        for objective in guest.objectives:
            yield objective, lambda node: node.plans
        for objective in guest.served:
            yield objective, lambda node: node.serving
        for dependency in guest.depends_on:
            yield dependency, lambda node: node.dependents
