# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dest_preflight_problems
short_description: Every problem a reindex from remote would meet on its destination, from read-only answers
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Takes the answers of the destination (and the source's primary store sizes), as M(ansible.builtin.uri) registers
    them (or as M(esops.migration.es_preflight) returns them in C(answers.dest), with C(stats) from
    C(answers.source)), and returns every problem found, each as a sentence saying what to fix, naming the role's
    variables; an empty list when there is none.
  - "Room: the primary store size of the source indices (C(GET <index>/_stats/store) on the source) against the
    available disk of the destination's data nodes (C(GET _nodes/stats/fs)) less what the high disk watermark keeps
    free (C(cluster.routing.allocation.disk.watermark.high), a percentage, a ratio or a byte value, capped by
    C(watermark.high.max_headroom) where set; nothing when C(cluster.routing.allocation.disk.threshold_enabled) is
    false), read from C(GET _cluster/settings?include_defaults=true)."
  - "Data streams: a destination that is a data stream, an alias onto one, or a new name that an index template with
    C(data_stream) makes one, accepts only C(op_type=create); any other O(mode) is refused."
  - Credentials the destination refuses (HTTP 401 on C(GET /)).
  - Used by the C(esops.migration.remote_reindex) role before it changes anything.
options:
  _input:
    description:
      - "A dict of registered answers: C(root) (C(GET /) on the destination), C(fs) (C(GET _nodes/stats/fs)),
        C(disk_settings) (C(GET _cluster/settings?include_defaults=true)), C(stats) (the C(results) of the loop of
        C(GET <item.source>/_stats/store) on the source), C(streams) (C(GET _data_stream)), C(templates)
        (C(GET _index_template)), C(exists) (the C(results) of the loop of C(HEAD <dest>) over the indices) and
        C(aliases) (the C(results) of the loop of C(GET _alias/<dest>)); loops over C(remote_reindex_indices)-like
        items with C(source) and optional C(dest)."
    type: dict
    required: true
  mode:
    description: The write mode of the copy (V(create), V(sync) or V(overwrite)).
    type: str
    required: true
  url:
    description: URL of the destination, for the messages.
    type: str
    required: true
  username:
    description: User on the destination, for the messages.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Stop when the destination is not ready
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }}"
  vars:
    problems: "{{ answers | esops.migration.dest_preflight_problems('create', dest_url, dest_user) }}"
"""

RETURN = r"""
_value:
  description: The problems found.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.module_utils._dest_preflight import dest_problems_of


def dest_preflight_problems(answers, mode, url, username):
    if not isinstance(answers, dict):
        raise AnsibleFilterError("dest_preflight_problems: give a dict of the destination's answers")
    return dest_problems_of(answers, mode, url, username)


class FilterModule:
    def filters(self):
        return {"dest_preflight_problems": dest_preflight_problems}
