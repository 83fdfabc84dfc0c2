# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for es_verify: compare the two sides and word the outcome."""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
import tempfile


def compare_counts(source_index, source_count, dest_index, dest_count):
    """Result fields and a message for the document counts of both sides."""
    difference = dest_count - source_count
    result = dict(source_count=source_count, dest_count=dest_count, difference=difference, match=difference == 0)
    if difference == 0:
        message = "source %s and destination %s both hold %d documents" % (source_index, dest_index, source_count)
    elif difference < 0:
        message = "destination %s has %d of the %d documents of source %s: %d missing" % (
            dest_index, dest_count, source_count, source_index, -difference
        )
    else:
        message = "destination %s has %d documents, %d more than the %d of source %s" % (
            dest_index, dest_count, difference, source_count, source_index
        )
    return result, message


LEVELS = ("count", "ids", "content", "sample")


def source_digest(source):
    """A digest of a document's _source that ignores key order and whitespace (canonical JSON)."""
    canonical = json.dumps(source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(canonical.encode("utf-8")).digest()  # nosec - a checksum, not security


class _SpillStore:
    """Documents waiting for their twin, kept in a temporary SQLite file once memory holds too many."""

    def __init__(self):
        self._file = tempfile.NamedTemporaryFile(prefix="esops-verify-", suffix=".sqlite")
        self._db = sqlite3.connect(self._file.name, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE pending (side INTEGER, id TEXT, digest BLOB, PRIMARY KEY (side, id))")
        self.counts = [0, 0]

    def put(self, side, items):
        self._db.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", [(side, k, v) for k, v in items])
        self.counts[side] = self._db.execute("SELECT COUNT(*) FROM pending WHERE side = ?", (side,)).fetchone()[0]

    def pop(self, side, doc_id):
        """The digest held for (side, id) and forget it, or None."""
        row = self._db.execute("SELECT digest FROM pending WHERE side = ? AND id = ?", (side, doc_id)).fetchone()
        if row is None:
            return None
        self._db.execute("DELETE FROM pending WHERE side = ? AND id = ?", (side, doc_id))
        self.counts[side] -= 1
        return row[0]

    def ids(self, side):
        for row in self._db.execute("SELECT id FROM pending WHERE side = ? ORDER BY id", (side,)):
            yield row[0]

    def first_ids(self, side, limit):
        rows = self._db.execute("SELECT id FROM pending WHERE side = ? ORDER BY id LIMIT ?", (side, limit))
        return [row[0] for row in rows]

    def close(self):
        self._db.close()
        self._file.close()


class DocumentComparison:
    """Compares two streams of (id, digest) that arrive in any order.

    Only documents seen on one side and not yet on the other are held. When more than `memory_limit`
    are held, they move to a temporary SQLite file, so memory stays bounded whatever the index size.
    """

    def __init__(self, max_report=10, memory_limit=200000):
        self.max_report = max_report
        self.memory_limit = memory_limit
        self.pending = ({}, {})  # (source side, dest side): id -> digest
        self.spill = None
        self.spilled = 0
        self.compared = 0
        self.mismatched = 0
        self.mismatched_ids = []
        self.peak_pending = 0

    def _take_twin(self, side, doc_id):
        other = self.pending[1 - side]
        if doc_id in other:
            return other.pop(doc_id)
        if self.spill is not None and self.spill.counts[1 - side]:
            return self.spill.pop(1 - side, doc_id)
        return None

    def add(self, side, doc_id, digest):
        twin = self._take_twin(side, doc_id)
        if twin is None:
            self.pending[side][doc_id] = digest
            held = len(self.pending[0]) + len(self.pending[1])
            self.peak_pending = max(self.peak_pending, held)
            if held > self.memory_limit:
                self._spill_memory()
            return
        self.compared += 1
        if digest != twin:
            self.mismatched += 1
            if len(self.mismatched_ids) < self.max_report:
                self.mismatched_ids.append(doc_id)

    def _spill_memory(self):
        if self.spill is None:
            self.spill = _SpillStore()
        for side, held in enumerate(self.pending):
            self.spilled += len(held)
            self.spill.put(side, held.items())
            held.clear()

    def _left_over(self, side):
        held = self.pending[side]
        count = len(held)
        ids = heapq.nsmallest(self.max_report, held)
        if self.spill is not None:
            count += self.spill.counts[side]
            ids = sorted(ids + self.spill.first_ids(side, self.max_report))[: self.max_report]
        return count, ids

    def unmatched_count(self, side):
        """How many ids were seen on `side` only, once both streams are exhausted."""
        return len(self.pending[side]) + (self.spill.counts[side] if self.spill is not None else 0)

    def unmatched_ids(self, side):
        """Every id seen on `side` only (0 source, 1 destination), once both streams are exhausted and before
        outcome() releases the spill file: in memory first, then from the spill file."""
        yield from sorted(self.pending[side])
        if self.spill is not None and self.spill.counts[side]:
            yield from self.spill.ids(side)

    def outcome(self):
        """Result fields once both streams are exhausted (releases the spill file)."""
        missing, missing_ids = self._left_over(0)
        extra, extra_ids = self._left_over(1)
        if self.spill is not None:
            self.spill.close()
            self.spill = None
        return dict(
            missing=missing,
            extra=extra,
            mismatched=self.mismatched,
            missing_ids=missing_ids,
            extra_ids=extra_ids,
            mismatched_ids=self.mismatched_ids,
            compared=self.compared,
            spilled=self.spilled,
        )


def flatten_properties(properties, prefix=""):
    """{'a': {'properties': {'b': {'type': 'keyword'}}}} -> {'a': 'object', 'a.b': 'keyword'} (multi-fields too)."""
    fields = {}
    for name, definition in (properties or {}).items():
        path = prefix + name
        fields[path] = definition.get("type", "object" if "properties" in definition else "unknown")
        fields.update(flatten_properties(definition.get("properties"), path + "."))
        fields.update(flatten_properties(definition.get("fields"), path + "."))
    return fields


def compare_mappings(source_properties, dest_properties):
    """Fields on one side only and fields whose type differs, by dotted name."""
    source_fields = flatten_properties(source_properties)
    dest_fields = flatten_properties(dest_properties)
    return dict(
        only_in_source=sorted(set(source_fields) - set(dest_fields)),
        only_in_dest=sorted(set(dest_fields) - set(source_fields)),
        type_differences={
            name: [source_fields[name], dest_fields[name]]
            for name in sorted(set(source_fields) & set(dest_fields))
            if source_fields[name] != dest_fields[name]
        },
    )


def mapping_problems(mappings):
    problems = []
    if mappings["only_in_source"]:
        problems.append("fields missing from the destination mapping: %s" % ", ".join(mappings["only_in_source"]))
    for name, (source_type, dest_type) in mappings["type_differences"].items():
        problems.append("field %s is %s on the source but %s on the destination" % (name, source_type, dest_type))
    return problems


def document_problems(outcome, level):
    """Sentences for missing, extra and (for content/sample) mismatching documents."""
    problems = []
    if outcome["missing"]:
        problems.append("%d missing, first: %s" % (outcome["missing"], ", ".join(outcome["missing_ids"])))
    if outcome["extra"] and level != "sample":
        problems.append("%d extra, first: %s" % (outcome["extra"], ", ".join(outcome["extra_ids"])))
    if outcome["mismatched"]:
        problems.append(
            "%d with a different _source, first: %s" % (outcome["mismatched"], ", ".join(outcome["mismatched_ids"]))
        )
    return problems


# Options that count documents or ids: each must be at least 1, or the level compares nothing.
COUNT_OPTIONS = ("batch_size", "sample_size", "max_report", "memory_limit")


def option_problems(params):
    """Everything wrong with es_verify's options that can be told before reading a document (pure)."""
    problems = []
    for name in COUNT_OPTIONS:
        value = params.get(name)
        if value is not None and value < 1:
            problems.append("%s must be at least 1, not %s" % (name, value))
    return problems


def coverage_problems(level, outcome, source_count, dest_count, sample_size=None):
    """Sentences when the documents read are fewer than the level must compare (pure).

    Defence in depth: whatever made a stream or a sample come back short (a page size of 0, a server
    limit, documents removed while reading), a verification that compared less than asked never passes.
    """
    seen_source = outcome["compared"] + outcome["missing"]
    if level in ("ids", "content"):
        seen_dest = outcome["compared"] + outcome["extra"]
        if seen_source < source_count or seen_dest < dest_count:
            return ["the comparison read only %d of the %d source documents and %d of the %d destination documents, "
                    "so it proves nothing; run it again (and check batch_size)"
                    % (seen_source, source_count, seen_dest, dest_count)]
    elif level == "sample":
        wanted = min(sample_size or 0, source_count)
        if seen_source < wanted:
            return ["the sample compared %d documents where %d were asked, so it proves nothing; run it again"
                    % (seen_source, wanted)]
    return []


# Elasticsearch 9.2 leaves dense_vector values out of _source unless asked (index.mapping.exclude_source_vectors
# defaults to true for new indices); a content check that did not ask would compare documents without them.
EXCLUDES_VECTORS_FROM = (9, 2, 0)
# random_score takes a field (and then a seed) from Elasticsearch 6.0; 5.x has the seed alone.
RANDOM_SCORE_FIELD_FROM = (6, 0, 0)


def fetch_source(product, version, with_source=True):
    """The _source of a search body that returns every stored value, vectors included (pure)."""
    if with_source and product == "elasticsearch" and tuple(version) >= EXCLUDES_VECTORS_FROM:
        return {"exclude_vectors": False}
    return bool(with_source)


def type_query(query, mapping_type):
    """The source query restricted to one mapping type (5.x/6.x index the _type field), or the query (pure)."""
    if not mapping_type:
        return query
    clause = {"term": {"_type": mapping_type}}
    return {"bool": {"filter": [query, clause]}} if query else clause


def compared_id(hit, type_separator):
    """The id a source hit has on the destination: its own, or prefixed with its type and type_separator
    (es_reindex type_strategy prefix_ids) (pure)."""
    if not type_separator:
        return hit["_id"]
    return "%s%s%s" % (hit.get("_type") or "", type_separator, hit["_id"])


def random_score(product, version, seed):
    """A random_score function with this seed that the server accepts (pure)."""
    if product == "elasticsearch" and tuple(version) < RANDOM_SCORE_FIELD_FROM:
        return {"seed": seed}
    return {"seed": seed, "field": "_seq_no"}
