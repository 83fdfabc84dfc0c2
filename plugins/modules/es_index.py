#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_index
short_description: Ensure an Elasticsearch index exists with given settings, mappings and aliases
version_added: 0.1.0
description:
  - Creates the index when it is missing, with O(settings), O(mappings) and O(aliases).
  - On an existing index, compares what is asked with what the index has. Settings are flattened and compared as
    strings, so the number V(2) and the string V("2") are the same value, and C(index.number_of_replicas) and
    C(number_of_replicas) the same setting.
  - Differences Elasticsearch can apply in place are applied and reported, dynamic settings (replicas, refresh
    interval, ...), new mapping fields, aliases to add or update. Differences it cannot apply on an open index,
    static settings such as C(number_of_shards) or analysis, and a changed field type, make the task fail with a
    message naming each setting or field; nothing is changed then.
  - Settings, fields and aliases not mentioned are left alone.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - Name of the index.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the index; V(absent) deletes it with all its documents.
    type: str
    choices: [present, absent]
    default: present
  settings:
    description:
      - Index settings, nested (C(number_of_shards) under C(index) or at the top) or flat (C(index.number_of_shards)).
    type: dict
    default: {}
  mappings:
    description:
      - Mappings, as in the create index API (C(properties), C(dynamic), ...).
    type: dict
    default: {}
  aliases:
    description:
      - Aliases of the index, name to alias options (C(filter), C(routing), C(is_write_index), ...).
      - Aliases not listed are kept.
    type: dict
    default: {}
  wait_for_active_shards:
    description:
      - How many shard copies must be active before the create call returns, as in the create index API.
    type: str
    default: "1"
"""

EXAMPLES = r"""
- name: Create the destination index of the migration
  esops.migration.es_index:
    hosts: ["https://es-dest.example.com:9200"]
    username: elastic
    password: "{{ vault_dest_password }}"
    name: product_info
    settings:
      number_of_shards: 5
      number_of_replicas: 1
    mappings:
      properties:
        productName:
          type: text
        annual_rate:
          type: keyword
    aliases:
      products: {}

- name: Drop the index
  esops.migration.es_index:
    name: product_info_old
    state: absent
"""

RETURN = r"""
index:
  description: Name of the index.
  returned: always
  type: str
created:
  description: Whether the index was created (or would be, in check mode).
  returned: always
  type: bool
deleted:
  description: Whether the index was deleted (or would be, in check mode).
  returned: always
  type: bool
settings_changed:
  description: Flat names of the settings changed, each with its previous and new value.
  returned: always
  type: dict
  sample: {"index.number_of_replicas": ["1", "0"]}
fields_added:
  description: Dotted names of the mapping fields added.
  returned: always
  type: list
  elements: str
aliases_changed:
  description: Names of the aliases added or updated.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.esops.migration.plugins.module_utils._connection import ElasticsearchModule
from ansible_collections.esops.migration.plugins.module_utils._index import (
    alias_changes,
    conflict_message,
    flatten_settings,
    mapping_changes,
    settings_changes,
    static_message,
    top_level_mapping_changes,
)


def current_state(client, name):
    settings_response = client.indices.get_settings(index=name, flat_settings=True, include_defaults=True)[name]
    settings = dict(settings_response.get("defaults") or {})
    settings.update(settings_response.get("settings") or {})
    mappings = client.indices.get_mapping(index=name)[name].get("mappings") or {}
    aliases = client.indices.get_alias(index=name)[name].get("aliases") or {}
    return settings, mappings, aliases


def diff_view(settings, mappings, aliases):
    return {"settings": settings, "mappings": mappings, "aliases": aliases}


def ensure_absent(module, client, name, result):
    if client.indices.exists(index=name):
        result.update(changed=True, deleted=True)
        if module._diff:
            result["diff"] = dict(before={"index": name}, after={})
        if not module.check_mode:
            client.indices.delete(index=name)
    module.exit_json(**result)


def ensure_created(module, client, name, result):
    params = module.params
    result.update(changed=True, created=True, fields_added=sorted((params["mappings"].get("properties") or {})))
    result["aliases_changed"] = sorted(params["aliases"])
    if module._diff:
        after = diff_view(flatten_settings(params["settings"]), params["mappings"], sorted(params["aliases"]))
        result["diff"] = dict(before={}, after=after)
    if not module.check_mode:
        client.indices.create(
            index=name,
            settings=params["settings"] or None,
            mappings=params["mappings"] or None,
            aliases=params["aliases"] or None,
            wait_for_active_shards=params["wait_for_active_shards"],
        )
    module.exit_json(**result)


def ensure_updated(module, client, name, result):
    params = module.params
    settings, mappings, aliases = current_state(client, name)
    dynamic, static = settings_changes(params["settings"], settings)
    if static:
        module.fail_json(msg=static_message(name, static), **result)
    wanted_mappings = params["mappings"]
    new_fields, conflicts, other_fields = mapping_changes(wanted_mappings.get("properties"), mappings.get("properties"))
    if conflicts:
        module.fail_json(msg=conflict_message(name, conflicts), **result)
    top_level = top_level_mapping_changes(wanted_mappings, mappings)
    alias_updates = alias_changes(params["aliases"], aliases)

    mapping_update = bool(new_fields or other_fields or top_level)
    changed = bool(dynamic or mapping_update or alias_updates)
    result.update(
        changed=changed,
        settings_changed={key: [have, value] for key, (have, value) in dynamic.items()},
        fields_added=new_fields,
        aliases_changed=sorted(alias_updates),
    )
    if module._diff and changed:
        before_settings = {key: have for key, (have, value) in dynamic.items()}
        after_settings = {key: value for key, (have, value) in dynamic.items()}
        result["diff"] = dict(
            before=diff_view(before_settings, mappings if mapping_update else {}, sorted(aliases)),
            after=diff_view(after_settings, wanted_mappings if mapping_update else {}, sorted(set(aliases) | set(alias_updates))),
        )
    if module.check_mode or not changed:
        module.exit_json(**result)
    if dynamic:
        client.indices.put_settings(index=name, settings={key: value for key, (have, value) in dynamic.items()})
    if mapping_update:
        client.indices.put_mapping(index=name, body=wanted_mappings)
    if alias_updates:
        actions = [{"add": dict(options, index=name, alias=alias)} for alias, options in alias_updates.items()]
        client.indices.update_aliases(actions=actions)
    module.exit_json(**result)


def main():
    module = ElasticsearchModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            settings=dict(type="dict", default={}),
            mappings=dict(type="dict", default={}),
            aliases=dict(type="dict", default={}),
            wait_for_active_shards=dict(type="str", default="1"),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    client = module.client
    result = dict(
        changed=False, index=name, created=False, deleted=False, settings_changed={}, fields_added=[], aliases_changed=[]
    )
    try:
        if module.params["state"] == "absent":
            ensure_absent(module, client, name, result)
        elif not client.indices.exists(index=name):
            ensure_created(module, client, name, result)
        else:
            ensure_updated(module, client, name, result)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Managing index %s" % name, **result)


if __name__ == "__main__":
    main()
