# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: source_preflight_problems
short_description: Every problem a reindex from remote would meet on its source, from read-only answers
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Takes the answers of the source cluster to C(GET /), to C(GET <index>/_mapping) for each source index or
    pattern and to C(POST _security/user/_has_privileges), as M(ansible.builtin.uri) registers them (or as
    M(esops.migration.es_preflight) returns them in C(answers.source)), and returns every problem found, each as a
    sentence saying what to fix, naming the role's variables; an empty list when there is none.
  - Finds credentials the source refuses, a source that does not answer, an index that does not exist, a pattern
    that matches nothing, an index whose C(_source) is disabled, and the privileges the user lacks among the
    cluster privilege C(monitor) (every reindex from remote sends C(GET /) first) and C(read) and
    C(view_index_metadata) on the source indices.
  - Used by the C(esops.migration.remote_reindex) role before it changes anything.
options:
  _input:
    description: The registered result of C(GET /) on the source with the migration's credentials.
    type: dict
    required: true
  mappings:
    description: The C(results) of the registered loop of C(GET <item.source>/_mapping) over the indices.
    type: list
    elements: dict
    required: true
  privileges:
    description:
      - The registered result of C(POST _security/user/_has_privileges); a skipped task or a source without the API
        (no security) is ignored.
    type: dict
    required: true
  url:
    description: URL of the source, for the messages.
    type: str
    required: true
  username:
    description: User on the source, for the messages.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Stop when the source is not ready
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }}"
  vars:
    problems: >-
      {{ root | esops.migration.source_preflight_problems(mappings.results, privileges, source_url, source_user) }}
"""

RETURN = r"""
_value:
  description: The problems found, in the order of the checks.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.module_utils._preflight import source_problems_of


def source_preflight_problems(root, mappings, privileges, url, username):
    if not isinstance(mappings, list):
        raise AnsibleFilterError("source_preflight_problems: mappings must be the results list of the mappings loop")
    return source_problems_of(dict(root=root, mappings=mappings, privileges=privileges), url, username)


class FilterModule:
    def filters(self):
        return {"source_preflight_problems": source_preflight_problems}
