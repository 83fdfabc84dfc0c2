#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_verify
short_description: Prove that a migrated index holds the documents of its source
version_added: 0.1.0
description:
  - Counts the documents of O(source.index) on the source cluster, matching O(query) when given, and those of
    O(dest_index) on the destination cluster (the connection options) after refreshing it, with the same query.
  - O(level) decides how much is proved, each level including the checks of the ones before it. V(count) compares the
    counts. V(ids) streams the C(_id)s of both sides (point in time + C(search_after), both clusters read at once) and
    reports missing and extra documents. V(content) also compares every document's C(_source) (canonical JSON, hashed).
    V(sample) compares the C(_source) of O(sample_size) random source documents, fetched by id from the destination,
    when a full pass costs too much.
  - From V(ids) up, the mappings are compared too, fields missing from the destination and fields whose type differs
    fail the check (fields only in the destination are reported).
  - A comparison that read fewer documents than the counts (or the sample) call for fails, it never passes.
  - Fails with a message giving the numbers (how many documents each side has, how many are missing, extra or
    different, and the first ids of each); returns the figures when everything matches.
  - Memory holds only documents seen on one side and not yet on the other, at most O(memory_limit) of them; beyond
    that they move to a temporary SQLite file, so memory stays bounded whatever the index size.
  - Read-only; it runs in check mode too and never reports C(changed). Streams with a point in time (Elasticsearch
    7.12 or later) and falls back to scroll on servers without it (see O(stream_with)).
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
    support: none
  idempotent:
    support: full
options:
  dest_index:
    description: Index on the destination cluster.
    type: str
    required: true
  query:
    description:
      - Query selecting the documents to compare on both sides (the C(query) object of the search API), for example a
        time range, so that an index still being written to can be checked before the cut-over.
    type: dict
  dest_query_all:
    description: Compare against every destination document instead of applying O(query) on the destination too.
    type: bool
    default: false
  level:
    description: How much to compare, see the description.
    type: str
    choices: [count, ids, content, sample]
    default: count
  sample_size:
    description: Number of random source documents compared with O(level=sample). At least 1.
    type: int
    default: 100
  max_report:
    description: How many ids of missing, extra and mismatching documents to return (and name in the message), at least 1.
    type: int
    default: 10
  batch_size:
    description: Documents fetched per request from each side when streaming. At least 1.
    type: int
    default: 5000
  compare_mappings:
    description: Compare the mappings when O(level) is not V(count).
    type: bool
    default: true
  memory_limit:
    description:
      - Documents held in memory while waiting for their twin before they move to a temporary SQLite file, at least 1.
    type: int
    default: 200000
  mapping_type:
    description:
      - Compare only the documents of this mapping type of O(source.index), an index with several types
        (Elasticsearch 5.x), copied into an index of its own (M(esops.migration.es_reindex) with
        O(esops.migration.es_reindex#module:type_strategy=index_per_type)).
      - The source is counted and read with O(query) and a C(_type) clause, and its mapping is that type's; the
        destination is read with O(query) alone.
    type: str
    version_added: 0.2.0
  type_separator:
    description:
      - The destination ids are the source ids prefixed by their mapping type and this separator
        (M(esops.migration.es_reindex) with O(esops.migration.es_reindex#module:type_strategy=prefix_ids)), so a
        source document C(1) of type C(tweet) is compared with the destination document C(tweet#1).
      - Empty compares the ids as they are.
    type: str
    default: ""
    version_added: 0.2.0
  stream_with:
    description:
      - How to read every document. V(auto) uses a point in time where the server has one that can page every
        document (Elasticsearch 7.12 and later) and a scroll elsewhere (Elasticsearch 5.x to 7.11, OpenSearch).
    type: str
    choices: [auto, point_in_time, scroll]
    default: auto
"""

EXAMPLES = r"""
- name: Check that product_info was copied completely
  esops.migration.es_verify:
    hosts: ["http://es-dest.example.com:9200"]
    username: elastic
    password: "{{ vault_dest_password }}"
    source:
      hosts: ["http://es-source.example.com:9200"]
      username: elastic
      password: "{{ vault_source_password }}"
      index: product_info
    dest_index: product_info
  register: verification

- name: Show the counts
  ansible.builtin.debug:
    msg: "{{ verification.source_count }} = {{ verification.dest_count }}"

- name: Prove every document arrived unchanged before switching traffic
  esops.migration.es_verify:
    hosts: ["http://es-dest.example.com:9200"]
    api_key: "{{ vault_dest_api_key }}"
    source:
      hosts: ["http://es-source.example.com:9200"]
      api_key: "{{ vault_source_api_key }}"
      index: logs-2026.11
    dest_index: logs-2026.11
    level: content
    query:
      range:
        "@timestamp":
          lt: now-1h
"""

RETURN = r"""
source_count:
  description: Documents in the source index matching the query.
  returned: always
  type: int
dest_count:
  description: Documents in the destination index matching the query.
  returned: always
  type: int
difference:
  description: RV(dest_count) minus RV(source_count).
  returned: always
  type: int
match:
  description: Whether everything the level compares is equal.
  returned: always
  type: bool
level:
  description: The level compared.
  returned: always
  type: str
missing:
  description: Source documents absent from the destination (for V(sample), among the sampled ones).
  returned: when level is not count
  type: int
extra:
  description: Destination documents absent from the source (not computed for V(sample)).
  returned: when level is ids or content
  type: int
mismatched:
  description: Documents whose C(_source) differs (levels V(content) and V(sample)).
  returned: when level is not count
  type: int
missing_ids:
  description: Up to O(max_report) ids of missing documents.
  returned: when level is not count
  type: list
  elements: str
extra_ids:
  description: Up to O(max_report) ids of extra documents.
  returned: when level is not count
  type: list
  elements: str
mismatched_ids:
  description: Up to O(max_report) ids of documents with a different C(_source).
  returned: when level is not count
  type: list
  elements: str
compared:
  description: Documents found on both sides and compared.
  returned: when level is not count
  type: int
spilled:
  description: Documents moved to the temporary SQLite file because more than O(memory_limit) were waiting.
  returned: when level is ids or content
  type: int
docs_per_second:
  description: Documents read (both sides together) per second of streaming.
  returned: when level is ids or content
  type: float
mappings:
  description: Fields only in the source, only in the destination, and type differences (source type, dest type).
  returned: when level is not count and compare_mappings is true
  type: dict
"""

import time

from ansible_collections.esops.migration.plugins.module_utils._cluster import path
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._streams import feed_streams, scan
from ansible_collections.esops.migration.plugins.module_utils._verify import (
    LEVELS,
    DocumentComparison,
    compare_counts,
    compare_mappings,
    coverage_problems,
    document_problems,
    fetch_source,
    mapping_problems,
    option_problems,
    compared_id,
    random_score,
    source_digest,
    type_query,
)


def source_spec():
    spec = source_connection_spec()
    spec["index"] = dict(type="str", required=True)
    return spec


ARGUMENT_SPEC = dict(
    source=dict(type="dict", required=True, options=source_spec()),
    dest_index=dict(type="str", required=True),
    query=dict(type="dict"),
    dest_query_all=dict(type="bool", default=False),
    level=dict(type="str", choices=list(LEVELS), default="count"),
    sample_size=dict(type="int", default=100),
    max_report=dict(type="int", default=10),
    batch_size=dict(type="int", default=5000),
    compare_mappings=dict(type="bool", default=True),
    memory_limit=dict(type="int", default=200000),
    stream_with=dict(type="str", choices=["auto", "point_in_time", "scroll"], default="auto"),
    mapping_type=dict(type="str"),
    type_separator=dict(type="str", default=""),
)


def compare_streams(source_stream, dest_stream, with_source, max_report, memory_limit=200000, type_separator=""):
    """Reads both streams at once and compares them; returns (outcome, documents read)."""
    comparison = DocumentComparison(max_report, memory_limit)
    read = feed_streams(comparison, (source_stream, dest_stream),
                        lambda hit: source_digest(hit["_source"]) if with_source else b"",
                        source_id=lambda hit: compared_id(hit, type_separator))
    outcome = comparison.outcome()
    outcome["peak_pending"] = comparison.peak_pending
    return outcome, read


def random_documents(cluster, index, query, size):
    """Up to `size` random documents of index (5.x takes a seed alone, later versions a seed and a field)."""
    function = random_score(cluster.product, cluster.version, int(time.time()))
    return cluster.search(index, dict(
        size=size, _source=fetch_source(cluster.product, cluster.version),
        query={"function_score": {"query": query or {"match_all": {}}, "random_score": function}},
    ))["hits"]["hits"]


def documents_by_id(cluster, index, ids):
    """The documents of index with these ids, by an ids query (typeless on every version; the destination was
    refreshed), with the vectors Elasticsearch 9.2+ would leave out."""
    return cluster.search(index, dict(
        size=len(ids), _source=fetch_source(cluster.product, cluster.version), query={"ids": {"values": ids}},
    ))["hits"]["hits"]


def compare_sample(source, dest, source_index, dest_index, query, size, max_report, type_separator=""):
    """Random source documents looked up by id on the destination."""
    sampled = random_documents(source, source_index, query, size)
    comparison = DocumentComparison(max_report)
    if sampled:
        ids = [compared_id(hit, type_separator) for hit in sampled]
        found = documents_by_id(dest, dest_index, ids)
        for doc_id, hit in zip(ids, sampled):
            comparison.add(0, doc_id, source_digest(hit["_source"]))
        for doc in found:
            comparison.add(1, doc["_id"], source_digest(doc["_source"]))
    outcome = comparison.outcome()
    outcome.update(extra=0, extra_ids=[])
    outcome.pop("spilled")
    return outcome


def merged_properties(cluster, index, mapping_type=None):
    """The fields of index (of every index a pattern names, merged), or of one of its mapping types."""
    if mapping_type:
        answer = cluster.request("GET", path(index, "_mapping"))
        mappings = [((entry or {}).get("mappings") or {}).get(mapping_type) or {} for entry in answer.values()]
    else:
        mappings = cluster.mappings(index).values()
    properties = {}
    for mapping in mappings:
        properties.update(mapping.get("properties") or {})
    return properties


class Verification:
    """One es_verify run: both clusters, what to compare, and the result and problems found so far."""

    def __init__(self, module):
        params = module.params
        self.params = params
        self.source_index, self.dest_index = params["source"]["index"], params["dest_index"]
        self.level = params["level"]
        self.dest_query = None if params["dest_query_all"] else params["query"]
        self.query = type_query(params["query"], params["mapping_type"])
        self.source = module.connect_source(params["source"])
        self.dest = module.cluster
        self.action = "Connecting"
        self.result, self.problems, self.message = {}, [], None

    def counts(self):
        self.action = "Counting %s on the source cluster" % self.source_index
        source_count = self.source.count(self.source_index, self.query)
        self.action = "Counting %s on the destination cluster" % self.dest_index
        self.dest.request("POST", path(self.dest_index, "_refresh"))
        dest_count = self.dest.count(self.dest_index, self.dest_query)
        self.result, self.message = compare_counts(self.source_index, source_count, self.dest_index, dest_count)
        self.result["level"] = self.level
        self.problems = [] if self.result["match"] else [self.message]

    def mappings(self):
        if self.level == "count" or not self.params["compare_mappings"]:
            return
        self.action = "Comparing the mappings"
        self.result["mappings"] = compare_mappings(merged_properties(self.source, self.source_index,
                                                                     self.params["mapping_type"]),
                                                   merged_properties(self.dest, self.dest_index))
        self.problems += mapping_problems(self.result["mappings"])

    def documents(self):
        if self.level in ("ids", "content"):
            self.streams()
        elif self.level == "sample":
            self.sample()

    def streams(self):
        self.action = "Streaming both indices"
        params, with_source = self.params, self.level == "content"
        started = time.monotonic()
        outcome, read = compare_streams(
            scan(self.source, self.source_index, self.query, with_source, params["batch_size"], params["stream_with"]),
            scan(self.dest, self.dest_index, self.dest_query, with_source, params["batch_size"], params["stream_with"]),
            with_source, params["max_report"], params["memory_limit"], params["type_separator"],
        )
        elapsed = time.monotonic() - started
        outcome["docs_per_second"] = round(read / elapsed, 1) if elapsed > 0 else 0.0
        self.result.update(outcome)
        # Missing/extra ids say more than the count difference they explain.
        self.problems = [problem for problem in self.problems if problem != self.message]
        self.problems += document_problems(outcome, self.level)
        self.problems += coverage_problems(self.level, outcome, self.result["source_count"], self.result["dest_count"])

    def sample(self):
        self.action = "Comparing a sample"
        params = self.params
        outcome = compare_sample(self.source, self.dest, self.source_index, self.dest_index, self.query,
                                 params["sample_size"], params["max_report"], params["type_separator"])
        self.result.update(outcome)
        self.problems += document_problems(outcome, self.level)
        self.problems += coverage_problems(self.level, outcome, self.result["source_count"],
                                           self.result["dest_count"], params["sample_size"])


def parse():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems), match=False)
    return module


def report(module, verification):
    result = verification.result
    result["match"] = not verification.problems
    if verification.problems:
        summary = "dest %s has %d documents, source %s %d" % (
            verification.dest_index, result["dest_count"], verification.source_index, result["source_count"])
        module.fail_json(msg="Verification failed (%s): %s" % (summary, "; ".join(verification.problems)), **result)
    module.exit_json(changed=False, msg=verification.message, **result)


def main():
    module = parse()
    verification = Verification(module)
    try:
        verification.counts()
        verification.mappings()
        verification.documents()
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, verification.action)
    report(module, verification)


if __name__ == "__main__":
    main()
