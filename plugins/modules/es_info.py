#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_info
short_description: Product, version and reindex settings of an Elasticsearch or OpenSearch cluster
version_added: 0.2.0
description:
  - Asks a cluster C(GET /) and returns its product (Elasticsearch or OpenSearch), its version, its distribution,
    and the name of the node setting that lists the remote clusters it may reindex from, RV(reindex_remote_setting),
    which is C(reindex.remote.allowlist) on OpenSearch 2.0 and later, C(reindex.remote.whitelist) on Elasticsearch
    and on OpenSearch 1.x.
  - With O(source), also describes the source cluster of a migration and tells, in RV(pair_problem), why a reindex
    from it into the cluster of the module's own connection options cannot work, before anything is changed.
    For example Elasticsearch cannot read the search responses of OpenSearch 2.x and later, and Elasticsearch 6.x
    cannot read those of Elasticsearch 7 and later.
  - Read-only; it never reports a change.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.attributes
  - esops.migration.connection
  - esops.migration.connection.info_source
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
options: {}
notes:
  - The module fails, with what the cluster answered, when a cluster cannot be reached; an impossible pair is
    not a failure of this module, it is returned in RV(pair_problem) so that a play can refuse it with the reason.
seealso:
  - module: esops.migration.es_reindex_whitelist
  - module: esops.migration.es_reindex
"""

EXAMPLES = r"""
- name: Find out what the destination cluster is
  esops.migration.es_info:
    hosts: ["https://opensearch.example.com:9200"]
    username: admin
    password: "{{ vault_dest_password }}"
  register: dest_info

- name: Allow the source under the name this destination takes
  esops.migration.es_reindex_whitelist:
    path: /etc/opensearch/opensearch.yml
    setting: "{{ dest_info.reindex_remote_setting }}"
    entries:
      - es-source.example.com:9200

- name: Describe both clusters of a migration
  esops.migration.es_info:
    hosts: ["https://opensearch.example.com:9200"]
    username: admin
    password: "{{ vault_dest_password }}"
    source:
      hosts: ["http://es-source.example.com:9200"]
      username: elastic
      password: "{{ vault_source_password }}"
  register: pair

- name: Refuse a pair that cannot work, with the reason
  ansible.builtin.assert:
    that: pair.pair_problem is none
    fail_msg: "{{ pair.pair_problem }}"
"""

RETURN = r"""
product:
  description: V(elasticsearch) or V(opensearch).
  returned: always
  type: str
  sample: opensearch
product_name:
  description: Product and version, for messages.
  returned: always
  type: str
  sample: OpenSearch 2.19.6
version:
  description: The version number the cluster reports.
  returned: always
  type: str
  sample: 2.19.6
version_info:
  description: Major, minor and patch numbers of RV(version).
  returned: always
  type: list
  elements: int
  sample: [2, 19, 6]
distribution:
  description:
    - The distribution the cluster reports, C(version.distribution) of C(GET /) on OpenSearch, C(version.build_flavor)
      on Elasticsearch 6.3 and later (V(default) or V(oss)); null when the cluster reports none (Elasticsearch 5.x).
  returned: always
  type: str
  sample: opensearch
cluster_name:
  description: The cluster's name.
  returned: always
  type: str
  sample: production
reindex_remote_setting:
  description:
    - The node setting that lists the remote C(host:port) this cluster may reindex from, to give as
      O(esops.migration.es_reindex_whitelist#module:setting).
  returned: always
  type: str
  sample: reindex.remote.allowlist
source:
  description:
    - The same facts (RV(product), RV(product_name), RV(version), RV(version_info), RV(distribution),
      RV(cluster_name), RV(reindex_remote_setting)) for the cluster of O(source).
  returned: when O(source) is given
  type: dict
  sample: {"product": "elasticsearch", "product_name": "Elasticsearch 7.17.29", "version": "7.17.29"}
pair_problem:
  description:
    - Why a reindex from O(source) into this cluster cannot work, quoting the error the destination would give;
      null when the pair can work.
  returned: when O(source) is given
  type: str
  sample: >-
    Elasticsearch 7.17.29 cannot reindex from OpenSearch 2.19.6: Elasticsearch reads a remote that reports a version
    before 7.0 as an Elasticsearch of that version, ...
"""

from ansible_collections.esops.migration.plugins.module_utils._cluster import describe
from ansible_collections.esops.migration.plugins.module_utils._compatibility import pair_problem, remote_setting_name
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)


def cluster_facts(cluster):
    """What es_info returns about one connected cluster (one GET / request)."""
    root = cluster.request("GET", "/")
    version = root.get("version") or {}
    return dict(
        product=cluster.product,
        product_name=describe(cluster.product, cluster.version),
        version=version.get("number"),
        version_info=list(cluster.version),
        distribution=version.get("distribution") or version.get("build_flavor"),
        cluster_name=root.get("cluster_name"),
        reindex_remote_setting=remote_setting_name(cluster.product, cluster.version),
    )


def main():
    module = ElasticsearchModule(
        argument_spec=dict(source=dict(type="dict", options=source_connection_spec())),
        supports_check_mode=True,
    )
    result = dict(changed=False)
    try:
        result.update(cluster_facts(module.cluster))
        if module.params["source"] is not None:
            source = module.connect_source(module.params["source"])
            result["source"] = cluster_facts(source)
            result["pair_problem"] = pair_problem(source.product, source.version, module.cluster.product,
                                                  module.cluster.version)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Reading GET /", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
