#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_verify
short_description: Check that a migrated index holds as many documents as its source
version_added: 0.1.0
description:
  - Counts the documents of O(source.index) on the source cluster, matching O(query) when given, and those of
    O(dest_index) on the destination cluster (the connection options) after refreshing it, with the same query.
  - Fails with both numbers when they differ; returns them when they match.
  - Read-only; it runs in check mode too and never reports C(changed).
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  source:
    description:
      - The source cluster and index. Takes the same connection options as the module (O(hosts), O(username),
        O(password), O(api_key), O(bearer_token), O(ca_certs), O(client_cert), O(client_key), O(verify_certs),
        O(request_timeout), O(max_retries)), plus O(source.index).
    type: dict
    required: true
    suboptions:
      index:
        description: Index (or pattern) on the source cluster.
        type: str
        required: true
      hosts:
        description: URLs of the source cluster.
        type: list
        elements: str
        default: ['http://127.0.0.1:9200']
      username:
        description: User on the source cluster.
        type: str
      password:
        description: Password of O(source.username).
        type: str
      api_key:
        description: API key for the source cluster.
        type: str
      bearer_token:
        description: Bearer token for the source cluster.
        type: str
      ca_certs:
        description: CA file trusted for the source cluster.
        type: path
      client_cert:
        description: Client certificate for the source cluster.
        type: path
      client_key:
        description: Key of O(source.client_cert).
        type: path
      verify_certs:
        description: Verify the source cluster's certificate.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source.
        type: float
        default: 30
      max_retries:
        description: Retries of a request that failed on the connection.
        type: int
        default: 3
  dest_index:
    description: Index on the destination cluster.
    type: str
    required: true
  query:
    description: Query selecting the documents to count on both sides (the C(query) object of the search API).
    type: dict
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
  description: Whether both counts are equal.
  returned: always
  type: bool
"""

from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    connection_argument_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._verify import compare_counts


def source_spec():
    spec = connection_argument_spec()
    spec["index"] = dict(type="str", required=True)
    return spec


def main():
    module = ElasticsearchModule(
        argument_spec=dict(
            source=dict(type="dict", required=True, options=source_spec()),
            dest_index=dict(type="str", required=True),
            query=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    source = params["source"]
    query = params["query"]
    source_client = module.connect(source, "source cluster")
    try:
        source_count = source_client.count(index=source["index"], query=query)["count"]
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Counting %s on the source cluster" % source["index"])
    try:
        module.client.indices.refresh(index=params["dest_index"])
        dest_count = module.client.count(index=params["dest_index"], query=query)["count"]
    except Exception as exc:  # pylint: disable=broad-except
        module.fail_on_error(exc, "Counting %s on the destination cluster" % params["dest_index"])
    result, message = compare_counts(source["index"], source_count, params["dest_index"], dest_count)
    if not result["match"]:
        module.fail_json(msg="Verification failed: " + message, **result)
    module.exit_json(changed=False, msg=message, **result)


if __name__ == "__main__":
    main()
