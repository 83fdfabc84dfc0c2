#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_mirror_deletes
short_description: Delete from a copied index the documents its source no longer has
version_added: 0.2.0
description:
  - Reindex copies documents but never deletions. This module streams the C(_id)s of O(source.index) on the source
    cluster and of O(dest_index) on the destination cluster (the connection options), both at once, as
    M(esops.migration.es_verify) does (point in time + C(search_after), or a scroll), and deletes from the
    destination the documents whose id the source does not have, with C(_delete_by_query) on their ids, 1000 ids
    per request.
  - Run it after a catch-up round of M(esops.migration.es_reindex) (O(esops.migration.es_reindex#module:since)) so
    that the destination also loses what was deleted on a source that keeps taking writes.
  - The destination's ids are read first, then the source's. A document on the destination came from the source,
    so when the source's later view lacks it, it was deleted there; a document created on the source meanwhile is
    never deleted from the destination for it.
  - O(max_deletes) guards against a wrong O(query) or index that would empty the destination. When more documents
    than that would go, the module fails and deletes nothing.
  - Memory holds only ids seen on one side and not yet on the other, at most O(memory_limit) of them; beyond that
    they move to a temporary SQLite file.
  - In check mode nothing is deleted; RV(to_delete) counts what would be.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.connection.source
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff lists up to O(max_report) of the ids deleted (or that would be).
  idempotent:
    support: full
options:
  dest_index:
    description: Index on the destination cluster to delete from.
    type: str
    required: true
  query:
    description:
      - Query selecting the documents to mirror on both sides (the C(query) object of the search API); only
        destination documents matching it can be deleted, and only when no source document matching it has their id.
    type: dict
  max_deletes:
    description:
      - Most documents a run may delete. When more would go, the module fails before deleting any, naming how many
        and the first ids; check the query and the indices, then raise this when the deletions are expected.
      - V(0) only reports (a run that would delete something fails).
    type: int
    default: 1000
  max_report:
    description: How many of the deleted ids to return (and show in the diff), at least 1.
    type: int
    default: 10
  batch_size:
    description: Ids fetched per request from each side. At least 1.
    type: int
    default: 5000
  memory_limit:
    description: Ids held in memory while waiting for their twin before they move to a temporary SQLite file, at least 1.
    type: int
    default: 200000
  stream_with:
    description:
      - How to read every id. V(auto) uses a point in time where the server has one that can page every document
        (Elasticsearch 7.12 and later) and a scroll elsewhere.
    type: str
    choices: [auto, point_in_time, scroll]
    default: auto
  refresh:
    description: Refresh the destination after deleting, so that searches no longer find the deleted documents.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Catch up with the writes of the live source
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
    source_index: orders
    mode: sync
    since:
      field: updated_at
      value: auto

- name: Delete from the copy what was deleted on the source meanwhile (at most 500 documents)
  esops.migration.es_mirror_deletes:
    hosts: ["http://es-dest.example.com:9200"]
    source:
      hosts: ["http://es-source.example.com:9200"]
      index: orders
    dest_index: orders
    max_deletes: 500
  register: mirrored

- name: Show how many went
  ansible.builtin.debug:
    msg: "{{ mirrored.deleted }} deleted, first: {{ mirrored.deleted_ids }}"
"""

RETURN = r"""
to_delete:
  description: Destination documents whose id the source does not have (in check mode, what would be deleted).
  returned: always
  type: int
deleted:
  description: Documents deleted (0 in check mode, and when RV(to_delete) is above O(max_deletes)).
  returned: always
  type: int
deleted_ids:
  description: Up to O(max_report) ids of the documents deleted (or to delete), in id order.
  returned: always
  type: list
  elements: str
source_ids:
  description: Ids read on the source.
  returned: always
  type: int
dest_ids:
  description: Ids read on the destination.
  returned: always
  type: int
spilled:
  description: Ids moved to the temporary SQLite file because more than O(memory_limit) were waiting.
  returned: always
  type: int
seconds:
  description: How long the run took.
  returned: always
  type: float
"""

import time

from ansible_collections.esops.migration.plugins.module_utils._cluster import path
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._streams import feed_streams, scan
from ansible_collections.esops.migration.plugins.module_utils._verify import DocumentComparison

# Ids per _delete_by_query request.
DELETE_CHUNK = 1000
SOURCE_SIDE = 0
DEST_SIDE = 1


def source_spec():
    spec = source_connection_spec()
    spec["index"] = dict(type="str", required=True)
    return spec


ARGUMENT_SPEC = dict(
    source=dict(type="dict", required=True, options=source_spec()),
    dest_index=dict(type="str", required=True),
    query=dict(type="dict"),
    max_deletes=dict(type="int", default=1000),
    max_report=dict(type="int", default=10),
    batch_size=dict(type="int", default=5000),
    memory_limit=dict(type="int", default=200000),
    stream_with=dict(type="str", choices=["auto", "point_in_time", "scroll"], default="auto"),
    refresh=dict(type="bool", default=True),
)
EMPTY_RESULT = dict(to_delete=0, deleted=0, deleted_ids=[], source_ids=0, dest_ids=0, spilled=0, seconds=0.0)


def option_problems(params):
    """Everything wrong with the options that can be told before reading an id (pure)."""
    problems = ["%s must be at least 1, not %s" % (name, params[name])
                for name in ("max_report", "batch_size", "memory_limit") if params[name] < 1]
    if params["max_deletes"] < 0:
        problems.append("max_deletes must be at least 0, not %s" % params["max_deletes"])
    return problems


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def ids_only(_hit):
    """Ids alone are compared: every hit has the same digest."""
    return b""


class Mirror:
    """One run: both clusters, the ids only the destination has, and the figures."""

    def __init__(self, module):
        params = module.params
        self.params = params
        self.source_index, self.dest_index = params["source"]["index"], params["dest_index"]
        self.source = module.connect_source(params["source"])
        self.dest = module.cluster
        self.result = dict(EMPTY_RESULT)
        self.action = "Connecting"

    def stream(self, started):
        """Reads both sides' ids; returns the comparison holding the ids seen on one side only."""
        params = self.params
        self.action = "Streaming the ids of %s and %s" % (self.source_index, self.dest_index)
        self.dest.request("POST", path(self.dest_index, "_refresh"))
        dest_pages = scan(self.dest, self.dest_index, params["query"], False, params["batch_size"], params["stream_with"])
        # The destination's view is taken before the source's: whatever it holds that the later source view lacks
        # was deleted on the source (a scroll takes its view at the first page, so that page is read now).
        first = next(dest_pages, None)
        source_pages = scan(self.source, self.source_index, params["query"], False, params["batch_size"],
                            params["stream_with"])
        comparison = DocumentComparison(params["max_report"], params["memory_limit"])
        feed_streams(comparison, (source_pages, with_first(first, dest_pages)), ids_only)
        self.result["seconds"] = round(time.monotonic() - started, 3)
        return comparison

    def summarise(self, comparison):
        """The figures of the comparison, and the ids to delete when there are at most max_deletes of them."""
        to_delete = comparison.unmatched_count(DEST_SIDE)
        ids = list(comparison.unmatched_ids(DEST_SIDE)) if to_delete <= self.params["max_deletes"] else []
        outcome = comparison.outcome()
        self.result.update(
            to_delete=to_delete, deleted_ids=outcome["extra_ids"],
            source_ids=outcome["compared"] + outcome["missing"], dest_ids=outcome["compared"] + outcome["extra"],
            spilled=outcome["spilled"],
        )
        return sorted(ids)

    def delete(self, ids):
        """Deletes the documents with these ids from the destination, DELETE_CHUNK at a time."""
        self.action = "Deleting %d documents from %s" % (len(ids), self.dest_index)
        for chunk in chunks(ids, DELETE_CHUNK):
            answer = self.dest.request("POST", path(self.dest_index, "_delete_by_query"), dict(conflicts="proceed"),
                                       {"query": {"ids": {"values": chunk}}})
            self.result["deleted"] += int(answer.get("deleted") or 0)
            if answer.get("failures"):
                failures = answer["failures"]
                raise DeleteFailed("%d of the deletions failed, first: %s" % (len(failures), failures[0]))
        if self.params["refresh"]:
            self.dest.request("POST", path(self.dest_index, "_refresh"))


class DeleteFailed(Exception):
    """_delete_by_query answered with failures."""


def with_first(first, pages):
    """The stream of pages again, with its first page (already read) in front."""
    if first is not None:
        yield first
        yield from pages


def refusal(result, max_deletes):
    return ("%d documents of the destination are not on the source, more than max_deletes (%d); nothing was deleted. "
            "First: %s. Check query, source.index and dest_index; raise max_deletes when these deletions are expected."
            % (result["to_delete"], max_deletes, ", ".join(result["deleted_ids"])))


def diff_of(result, dest_index):
    more = result["to_delete"] - len(result["deleted_ids"])
    listed = "".join("%s\n" % doc_id for doc_id in result["deleted_ids"]) + ("... and %d more\n" % more if more else "")
    header = "%s: ids not on the source" % dest_index
    return dict(before=listed, after="", before_header=header, after_header=header)


def parse():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems), **EMPTY_RESULT)
    return module


def main():
    started = time.monotonic()
    module = parse()
    mirror = Mirror(module)
    result = mirror.result
    try:
        ids = mirror.summarise(mirror.stream(started))
        if result["to_delete"] > module.params["max_deletes"]:
            module.fail_json(msg=refusal(result, module.params["max_deletes"]), **result)
        if ids and not module.check_mode:
            mirror.delete(ids)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, mirror.action, **result)
    result["changed"] = result["to_delete"] > 0 if module.check_mode else result["deleted"] > 0
    if module._diff and result["to_delete"]:
        result["diff"] = diff_of(result, mirror.dest_index)
    result["seconds"] = round(time.monotonic() - started, 3)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
