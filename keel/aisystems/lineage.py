"""Dataset lineage, both ways, transitively, with depth — each direction in ONE query (a
recursive common table expression, which SQLite and PostgreSQL both run), whatever the depth
or the size of the graph.

The graph has no cycles (the services refuse an edge that would close one), so the recursion
ends; ``MAX_DEPTH`` bounds it anyway, as a guard against a cycle written around the services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection

from .models import Dataset, DatasetDerivation

MAX_DEPTH = 64


def _walk(start: uuid.UUID, upward: bool) -> dict[uuid.UUID, int]:
    """Every dataset reachable from ``start`` — its sources (``upward``) or what was built from
    it — with its shortest distance from ``start``."""
    table = connection.ops.quote_name(DatasetDerivation._meta.db_table)
    near, far = ("derived_id", "source_id") if upward else ("source_id", "derived_id")
    # Only our own table and column names are interpolated; the dataset id is a parameter.
    sql = (
        f"WITH RECURSIVE walk(node, depth) AS ("  # noqa: S608
        f" SELECT {far}, 1 FROM {table} WHERE {near} = %s"
        f" UNION"
        f" SELECT e.{far}, w.depth + 1 FROM {table} e JOIN walk w ON e.{near} = w.node"
        f" WHERE w.depth < {MAX_DEPTH}"
        f") SELECT node, MIN(depth) FROM walk GROUP BY node"
    )
    param = Dataset._meta.pk.get_db_prep_value(start, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return {uuid.UUID(str(node)): int(depth) for node, depth in cursor.fetchall()}


def ancestors(dataset_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """What ``dataset_id`` came from, transitively: ``{id: depth}`` (1: a direct source)."""
    return _walk(dataset_id, upward=True)


def descendants(dataset_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """What was built from ``dataset_id``, transitively: ``{id: depth}`` (1: built directly from it)."""
    return _walk(dataset_id, upward=False)


@dataclass
class LineageNode:
    dataset: Dataset
    depth: int
    via: list[str] = field(default_factory=list)  # short names of its neighbours one step nearer


@dataclass
class Lineage:
    """Both chains of a dataset, each a list of levels (depth 1 first)."""

    upstream: list[list[LineageNode]]
    downstream: list[list[LineageNode]]

    @property
    def upstream_count(self) -> int:
        return sum(len(level) for level in self.upstream)

    @property
    def downstream_count(self) -> int:
        return sum(len(level) for level in self.downstream)


def lineage(dataset: Dataset) -> Lineage:
    """The lineage of ``dataset`` both ways, in four queries whatever the graph: the two walks,
    the datasets they reach, and the edges between them (to say which dataset each one was
    reached through)."""
    up = ancestors(dataset.pk)
    down = descendants(dataset.pk)
    ids = set(up) | set(down)
    rows = (
        {d.pk: d for d in Dataset.objects.filter(pk__in=ids).select_related("management_system")}
        if ids
        else {}
    )
    rows[dataset.pk] = dataset
    edges = (
        list(
            DatasetDerivation.objects.filter(
                source_id__in=ids | {dataset.pk}, derived_id__in=ids | {dataset.pk}
            ).values_list("source_id", "derived_id")
        )
        if ids
        else []
    )
    up_depth = {**up, dataset.pk: 0}
    down_depth = {**down, dataset.pk: 0}
    built_into: dict[uuid.UUID, list[uuid.UUID]] = {}
    built_from: dict[uuid.UUID, list[uuid.UUID]] = {}
    for s, d in edges:
        built_into.setdefault(s, []).append(d)
        built_from.setdefault(d, []).append(s)

    def levels(depths: dict[uuid.UUID, int], upward: bool) -> list[list[LineageNode]]:
        out: dict[int, list[LineageNode]] = {}
        for pk, depth in depths.items():
            if pk == dataset.pk or pk not in rows:
                continue
            if upward:  # reached through the datasets one step nearer that were built from it
                via = [rows[d].short_name for d in built_into.get(pk, []) if up_depth.get(d) == depth - 1]
            else:
                via = [rows[s].short_name for s in built_from.get(pk, []) if down_depth.get(s) == depth - 1]
            out.setdefault(depth, []).append(LineageNode(rows[pk], depth, sorted(via)))
        return [sorted(out[k], key=lambda n: n.dataset.name) for k in sorted(out)]

    return Lineage(upstream=levels(up, True), downstream=levels(down, False))
