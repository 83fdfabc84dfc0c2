# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for es_verify: compare the two sides and word the outcome."""

from __future__ import annotations

import hashlib
import json


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


class DocumentComparison:
    """Compares two streams of (id, digest) that arrive in any order.

    Only documents seen on one side and not yet on the other are held, so memory follows how far the
    two streams are apart, not the index size, when both indices return documents in a similar order.
    """

    def __init__(self, max_report=10):
        self.max_report = max_report
        self.pending = ({}, {})  # (source side, dest side): id -> digest
        self.compared = 0
        self.mismatched = 0
        self.mismatched_ids = []
        self.peak_pending = 0

    def add(self, side, doc_id, digest):
        other = self.pending[1 - side]
        if doc_id in other:
            other_digest = other.pop(doc_id)
            self.compared += 1
            if digest != other_digest:
                self.mismatched += 1
                if len(self.mismatched_ids) < self.max_report:
                    self.mismatched_ids.append(doc_id)
        else:
            self.pending[side][doc_id] = digest
            held = len(self.pending[0]) + len(self.pending[1])
            self.peak_pending = max(self.peak_pending, held)

    def outcome(self):
        """Result fields once both streams are exhausted."""
        missing, extra = self.pending
        return dict(
            missing=len(missing),
            extra=len(extra),
            mismatched=self.mismatched,
            missing_ids=sorted(missing)[: self.max_report],
            extra_ids=sorted(extra)[: self.max_report],
            mismatched_ids=self.mismatched_ids,
            compared=self.compared,
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
