# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: nodes_missing_whitelist_entry
short_description: Nodes whose reindex.remote.whitelist does not accept a host:port
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Takes the response of C(GET _nodes/settings?flat_settings=true) and returns the names of the nodes whose
    loaded C(reindex.remote.whitelist) does not accept the given C(host:port), matching the patterns as
    Elasticsearch does (C(*) and C(?) wildcards).
  - Used to check clusters whose elasticsearch.yml cannot be edited (managed services), where the whitelist is
    set in the provider's console.
options:
  _input:
    description: The JSON body of C(GET _nodes/settings?flat_settings=true).
    type: dict
    required: true
  entry:
    description: The C(host:port) the destination must accept.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Nodes that do not allow the source yet
  ansible.builtin.debug:
    msg: "{{ nodes_settings.json | esops.migration.nodes_missing_whitelist_entry('10.0.0.1:9200') }}"
"""

RETURN = r"""
_value:
  description: Names of the nodes that would refuse a reindex from O(entry); empty when all accept it.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.module_utils._whitelist import nodes_missing_entry


def nodes_missing_whitelist_entry(nodes_settings, entry):
    if not isinstance(nodes_settings, dict) or "nodes" not in nodes_settings:
        raise AnsibleFilterError(
            "nodes_missing_whitelist_entry: give the JSON body of GET _nodes/settings?flat_settings=true"
        )
    return nodes_missing_entry(nodes_settings, entry)


class FilterModule:
    def filters(self):
        return {"nodes_missing_whitelist_entry": nodes_missing_whitelist_entry}
