# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: migration_plan
short_description: What a migration will change, from read-only answers and check-mode results
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Returns the plan the C(esops.migration.remote_reindex) role prints in check mode and with C(--diff), and puts in
    its report, before it changes anything.
  - C(whitelist) with C(setting), C(entry), C(loaded) (per node name, the entries of the setting the node has loaded,
    from C(GET _nodes/settings)), C(files) (C(host) and C(path) of every elasticsearch.yml the role edits) and
    C(restart) (the hosts it restarts); C(indices), per index C(source), C(dest), C(create) (the destination index
    does not exist and will be created) and C(documents) (documents to copy, from C(_count) on the source);
    C(room) (C(need), the primary store bytes of the source indices, and C(usable), the destination's bytes
    below the high disk watermark); C(notes); C(summary), the plan as sentences.
options:
  _input:
    description: The role's C(remote_reindex_indices).
    type: list
    elements: dict
    required: true
  whitelist:
    description:
      - C(setting), C(entry), C(nodes_settings) (registered C(GET _nodes/settings?flat_settings=true)),
        C(restart_method) and C(checks), a list of C(host), C(path) and C(changed) (es_reindex_whitelist in check mode).
    type: dict
    required: true
  exists:
    description: The C(results) of the loop of C(HEAD <dest>) on the destination, one per index.
    type: list
    elements: dict
    required: true
  counts:
    description: The C(results) of the loop of C(_count) on the source, one per index.
    type: list
    elements: dict
    required: true
  room:
    description:
      - C(stats) (the C(results) of the loop of C(GET <item.source>/_stats/store) on the source), C(fs)
        (C(GET _nodes/stats/fs)) and C(disk_settings) (C(GET _cluster/settings?include_defaults=true)) on the
        destination, for C(room) (C(need) and C(usable) bytes) and the notes on what could not be checked.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The plan
  ansible.builtin.debug:
    msg: "{{ (indices | esops.migration.migration_plan(whitelist, exists.results, counts.results)).summary }}"
"""

RETURN = r"""
_value:
  description: The plan (see the description).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.module_utils._dest_preflight import migration_plan as build_plan


def migration_plan(items, whitelist, exists, counts, room=None):
    if not all(isinstance(value, list) for value in (items, exists, counts)) or not isinstance(whitelist, dict):
        raise AnsibleFilterError("migration_plan: give the indices, the whitelist dict and the results lists")
    return build_plan(items, whitelist, exists, counts, room or {})


class FilterModule:
    def filters(self):
        return {"migration_plan": migration_plan}
