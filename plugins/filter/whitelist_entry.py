# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: whitelist_entry
short_description: The reindex.remote.whitelist entry for a remote cluster URL
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Turns the URL given as C(source.remote.host) of a reindex (V(https://10.0.0.1:9200)) into the
    C(host:port) entry that C(reindex.remote.whitelist) must hold (V(10.0.0.1:9200)).
  - Elasticsearch matches the whitelist against C(host:port) only, so the scheme and any path are dropped.
    The URL must carry a scheme and a port, as C(source.remote.host) must; anything else fails with a
    message that shows the expected form.
options:
  _input:
    description: URL of the remote cluster, with scheme.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Whitelist entry for the source cluster
  ansible.builtin.debug:
    msg: "{{ 'https://es-source.example.com:9243' | esops.migration.whitelist_entry }}"
  # -> es-source.example.com:9243
"""

RETURN = r"""
_value:
  description: The C(host:port) entry.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.module_utils._reindex import validate_remote_host, whitelist_entry


def whitelist_entry_filter(url):
    problems = validate_remote_host(url)
    if problems:
        raise AnsibleFilterError("whitelist_entry: %s" % "; ".join(problems))
    return whitelist_entry(url)


class FilterModule:
    def filters(self):
        return {"whitelist_entry": whitelist_entry_filter}
