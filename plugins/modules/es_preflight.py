#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_preflight
short_description: Every problem a reindex from remote would meet, found before anything is changed
version_added: 0.2.0
description:
  - Asks the source of a migration (O(source), with the credentials the copy uses) and its destination (the
    module's own connection options) read-only questions, and returns in RV(problems) every problem found, each as a
    sentence saying what to fix; an empty list when the migration can start.
  - "On the source: credentials it refuses, a source that does not answer, an index that does not exist, a pattern
    that matches nothing, an index whose C(_source) is disabled, and the privileges the user lacks among the cluster
    privilege C(monitor) and C(read) and C(view_index_metadata) on the source indices."
  - "On the destination: credentials it refuses, a destination that does not answer, too little disk below the high
    disk watermark for the primary store of the source indices, and destinations that are data streams (or become
    ones through an index template) which O(mode) cannot write into."
  - A problem is not a failure of this module, so that a play can name every problem in one failure; the module
    fails only on invalid options.
  - Also returns the answers it read in RV(answers), for further checks (the C(esops.migration.remote_reindex) role
    plans its work from them).
  - Read-only; it runs in check mode too and never reports a change.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.attributes
  - esops.migration.connection
  - esops.migration.connection.preflight_source
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  indices:
    description:
      - The indices the migration copies, each with C(source) (the index or pattern on the source), and optionally
        C(dest) (the destination index, C(source) when omitted) and C(query) (the query selecting the documents to
        copy, counted in C(answers.source.counts) of RV(answers)).
      - Other keys of an entry are ignored, so the C(remote_reindex_indices) of the role can be given as they are.
    type: list
    elements: dict
    required: true
  mode:
    description:
      - How the copy will write, as O(esops.migration.es_reindex#module:mode) takes it. Data streams accept only
        V(create).
    type: str
    choices: [create, sync, overwrite]
    default: create
notes:
  - The module fails, with what the cluster answered, only on options it cannot use; a cluster that refuses the
    credentials or does not answer is a problem in RV(problems).
seealso:
  - module: esops.migration.es_info
  - module: esops.migration.es_reindex
"""

EXAMPLES = r"""
- name: Check the migration before changing anything
  esops.migration.es_preflight:
    hosts: ["https://dest.example.com:9200"]
    username: migrator
    password: "{{ vault_dest_password }}"
    source:
      hosts: ["https://source.example.com:9200"]
      username: reindexer
      password: "{{ vault_source_password }}"
    indices:
      - source: product_info
      - source: "logs-2024.*"
        dest: logs-2024
        query: {range: {"@timestamp": {gte: "2024-06-01"}}}
    mode: sync
  register: preflight

- name: Stop, naming every problem, before anything changes
  ansible.builtin.assert:
    that: preflight.problems | length == 0
    fail_msg: "{{ preflight.problems | join(' ') }}"
"""

RETURN = r"""
problems:
  description: Every problem found, the source's first, each a sentence saying what to fix; empty when there is none.
  returned: always
  type: list
  elements: str
  sample:
    - "Source index 'product_inf' does not exist on the source: check indices[].source."
answers:
  description:
    - The answers read, each with C(status) (the HTTP status, -1 when the cluster did not answer), C(json) (the
      body) and C(msg) (why a request failed), as M(ansible.builtin.uri) registers an answer; C({}) for a question
      not asked (after a refusal, or data stream questions with O(mode=create)).
    - Answers per index are lists in the order of O(indices), each with the entry of O(indices) as C(item).
  returned: always
  type: dict
  contains:
    source:
      description:
        - C(root) (C(GET /)), C(privileges) (C(POST _security/user/_has_privileges), with a username), and per index
          C(mappings) (C(GET <source>/_mapping)), C(stats) (C(GET <source>/_stats/store)) and C(counts)
          (C(POST <source>/_count) with the entry's C(query)).
      type: dict
      returned: always
    dest:
      description:
        - C(root) (C(GET /)), C(fs) (C(GET _nodes/stats/fs)), C(disk_settings) (the disk allocation settings of
          C(GET _cluster/settings?include_defaults=true)), C(nodes_settings) (the C(reindex.*) settings each node
          loaded), C(streams) (C(GET _data_stream)), C(templates) (C(GET _index_template)), and per index C(exists)
          (C(HEAD <dest>), 200 or 404) and C(aliases) (C(GET _alias/<dest>)).
      type: dict
      returned: always
  sample:
    source:
      root: {status: 200, json: {version: {number: "7.17.29"}}}
      counts: [{status: 200, json: {count: 6}, item: {source: product_info}}]
    dest:
      exists: [{status: 404, item: {source: product_info}}]
"""

from ansible_collections.esops.migration.plugins.module_utils._cluster import unidentified_cluster
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._dest_preflight import dest_problems_of
from ansible_collections.esops.migration.plugins.module_utils._preflight import MODULE_NAMES, source_problems_of
from ansible_collections.esops.migration.plugins.module_utils._preflight_answers import (
    ask,
    dest_answers,
    refusal,
    source_answers,
)
from ansible_collections.esops.migration.plugins.module_utils._urls import redact_url

ARGUMENT_SPEC = dict(
    source=dict(type="dict", required=True, options=source_connection_spec()),
    indices=dict(type="list", elements="dict", required=True),
    mode=dict(type="str", choices=["create", "sync", "overwrite"], default="create"),
)


def parse():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    entries = module.params["indices"]
    if not entries or not all(isinstance(entry.get("source"), str) and entry["source"] for entry in entries):
        module.fail_json(msg="Invalid options: indices needs at least one entry, and each entry a source (the index "
                             "or pattern to copy), e.g. indices: [{source: product_info}].")
    return module


def reach(module, params, what):
    """(Cluster to ask, answer to GET /): a cluster that refuses GET / with 403 is asked in plain JSON all the same
    (a user without the monitor privilege may still read indices); one that refuses otherwise, or does not answer,
    is not asked further."""
    refusals = []
    cluster = module.connect(params, what, on_refusal=refusals.append)
    if not refusals:
        return cluster, ask(cluster, "GET", "/")
    if refusals[0].status == 403:
        return unidentified_cluster(module.with_module_defaults(params)), refusal(refusals[0])
    return None, refusal(refusals[0])


def source_connection(params):
    """The source's connection options: the module's own without source.hosts."""
    return params["source"] if params["source"].get("hosts") else params


def first_host(params):
    """The first host, without credentials, for the messages."""
    return redact_url(params["hosts"][0])


def main():
    module = parse()
    params, entries, mode = module.params, module.params["indices"], module.params["mode"]
    source_params = source_connection(params)
    source, source_root = reach(module, source_params, "source cluster")
    dest, dest_root = reach(module, params, "destination cluster")
    answers = dict(source=source_answers(source, source_root, entries, source_params.get("username")),
                   dest=dest_answers(dest, dest_root, entries, mode))
    problems = source_problems_of(answers["source"], first_host(source_params), source_params.get("username"),
                                  MODULE_NAMES)
    problems += dest_problems_of(dict(answers["dest"], stats=answers["source"]["stats"]), mode, first_host(params),
                                 params.get("username"), MODULE_NAMES)
    module.exit_json(changed=False, problems=problems, answers=answers)


if __name__ == "__main__":
    main()
