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
  - With O(copy_from), the mappings and index settings (analysis included) of an index of the source cluster
    are read and the index is created from them, with O(settings) and O(mappings) applied on top. Facts of the
    source index and states of the source cluster are not copied, see O(copy_from). Aliases are not copied.
    On an existing index the copied definition is compared as above, so a rerun reports no change.
  - Before creating an index, a preflight asks the destination cluster, without creating anything, whether it
    can resolve every analyzer and normalizer the mappings use, the tokenizers, filters and char_filters of
    the index's own analyzers, and every field type. It fails naming each one it cannot resolve with the
    fields using it, for example an C(ik_smart) analyzer when the analysis-ik plugin is not installed. The
    preflight also runs in check mode.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.connection.copy_from
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
      - Name of one concrete index, following Elasticsearch's rules, lower case, without space or any of
        C(\/*?"<>|,#:), not V(.) or V(..), not starting with C(-), C(_) or C(+), at most 255 bytes.
      - Wildcards, lists, date math and C(_all), which the server would expand to several indices, are refused for
        every O(state) before any call, so V(absent) never deletes more than the one index named.
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

- name: Create product_info on the destination as it is defined on the source, with no replicas for the copy
  esops.migration.es_index:
    hosts: ["https://es-dest.example.com:9200"]
    username: elastic
    password: "{{ vault_dest_password }}"
    name: product_info
    copy_from:
      index: product_info
      hosts: ["https://es-source.example.com:9200"]
      username: elastic
      password: "{{ vault_source_password }}"
    settings:
      number_of_replicas: 0
    mappings:
      properties:
        productName:
          type: text
          analyzer: standard

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
settings_dropped:
  description: Flat names of the source index settings O(copy_from) did not copy.
  returned: always
  type: list
  elements: str
  sample: ["index.creation_date", "index.provided_name", "index.routing.allocation.include._name", "index.uuid"]
unresolved:
  description:
    - What the preflight found the destination cannot resolve, each with its kind (V(analyzer), V(normalizer),
      V(tokenizer), V(filter), V(char_filter), V(analyzer type), V(filter type), ..., V(field type)), its name
      and the fields, analyzers or components that use it.
  returned: when the preflight fails
  type: list
  elements: dict
  sample: [{"kind": "analyzer", "name": "ik_smart", "used_by": ["field productName", "field describe"]}]
"""

from ansible_collections.esops.migration.plugins.module_utils._cluster import path
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._index import (
    alias_changes,
    conflict_message,
    copyable_settings,
    flatten_settings,
    mapping_changes,
    merge_overrides,
    merge_settings,
    preflight_message,
    settings_changes,
    static_message,
    top_level_mapping_changes,
    type_choice_problem,
)
from ansible_collections.esops.migration.plugins.module_utils._names import index_name_problems
from ansible_collections.esops.migration.plugins.module_utils._index_preflight import drop_rejected_settings, unresolved

COPY_FROM_SPEC = dict(
    source_connection_spec(),
    index=dict(type="str", required=True),
    keep_allocation=dict(type="bool", default=False),
    mapping_type=dict(type="str"),
    merge_types=dict(type="bool", default=False),
)
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    settings=dict(type="dict", default={}),
    mappings=dict(type="dict", default={}),
    aliases=dict(type="dict", default={}),
    wait_for_active_shards=dict(type="str", default="1"),
    copy_from=dict(type="dict", options=COPY_FROM_SPEC),
)


def current_state(cluster, name):
    settings_response = cluster.request("GET", path(name, "_settings"),
                                        dict(flat_settings=True, include_defaults=True))[name]
    settings = dict(settings_response.get("defaults") or {})
    settings.update(settings_response.get("settings") or {})
    mappings = cluster.mappings(name)[name]
    # GET <index> rather than <index>/_alias: Elasticsearch 6.8 with security answers 404 to the latter for an
    # index without aliases
    aliases = (cluster.request("GET", path(name), dict(filter_path="*.aliases")).get(name) or {}).get("aliases") or {}
    return settings, mappings, aliases


def diff_view(settings, mappings, aliases):
    return {"settings": settings, "mappings": mappings, "aliases": aliases}


def source_cluster(module, copy):
    if not copy.get("hosts"):
        for option in ("username", "password", "api_key", "bearer_token", "ca_certs", "client_cert"):
            if copy.get(option):
                module.fail_json(msg="copy_from.%s needs copy_from.hosts (without hosts the source index is read from "
                                 "the destination cluster with the module's connection options)." % option)
    return module.connect_source(copy)


def source_mappings(cluster, index, mapping_type):
    """{index: mappings} of the source: one type's mapping when mapping_type is given, else typeless (merged)."""
    if not mapping_type:
        return cluster.mappings(index)
    answer = cluster.request("GET", path(index, "_mapping"))
    return {name: ((entry or {}).get("mappings") or {}).get(mapping_type) or {} for name, entry in answer.items()}


def read_source(module, copy, result):
    """Flat settings and typeless mappings of the copy_from index."""
    cluster = source_cluster(module, copy)
    try:
        settings = cluster.request("GET", path(copy["index"], "_settings"), dict(flat_settings=True))
        mappings = source_mappings(cluster, copy["index"], copy["mapping_type"])
        types = cluster.mapping_types(copy["index"])
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Reading index %s from the source cluster" % copy["index"], **result)
    if len(settings) != 1:
        module.fail_json(msg="copy_from.index %s names %d indices on the source cluster (%s); name exactly one."
                         % (copy["index"], len(settings), ", ".join(sorted(settings))), **result)
    concrete = next(iter(settings))
    problem = type_choice_problem(concrete, cluster.name, types.get(concrete) or [], copy["mapping_type"],
                                  copy["merge_types"])
    if problem:
        module.fail_json(msg=problem, **result)
    return settings[concrete].get("settings") or {}, mappings.get(concrete) or {}


def wanted_definition(module, cluster, result):
    """Settings and mappings the index should have: the options, or the copied index with the options on top.

    Copied settings the destination rejects (removed in its version) are left out and listed in settings_dropped.
    """
    params = module.params
    copy = params["copy_from"]
    if not copy:
        return params["settings"], params["mappings"]
    source_settings, source_mappings_ = read_source(module, copy, result)
    kept, dropped = copyable_settings(source_settings, copy["keep_allocation"])
    asked = flatten_settings(params["settings"])
    settings, rejected = drop_rejected_settings(cluster, merge_settings(kept, params["settings"]),
                                                droppable=set(kept) - set(asked))
    result["settings_dropped"] = sorted(dropped + rejected)
    return settings, merge_overrides(source_mappings_, params["mappings"])


def preflight(module, cluster, name, settings, mappings, result):
    """Fail, before anything is created, naming what the destination cannot resolve."""
    problems = unresolved(cluster, settings, mappings, module.warn)
    if problems:
        found = [dict(kind=kind, name=what, used_by=users) for kind, what, users in problems]
        module.fail_json(msg=preflight_message(name, problems), unresolved=found, **result)


def ensure_absent(module, cluster, name, result):
    if cluster.exists(path(name)):
        result.update(changed=True, deleted=True)
        if module._diff:
            result["diff"] = dict(before={"index": name}, after={})
        if not module.check_mode:
            cluster.request("DELETE", path(name))
    module.exit_json(**result)


def ensure_created(module, cluster, name, wanted, result):
    settings, mappings = wanted
    params = module.params
    preflight(module, cluster, name, settings, mappings, result)
    if not module.check_mode:
        # The result says created only once the server did create it: a refused create changed nothing.
        body = dict(settings=settings, mappings=mappings, aliases=params["aliases"])
        cluster.put_mappings(path(name), {key: value for key, value in body.items() if value},
                             dict(wait_for_active_shards=params["wait_for_active_shards"]), create=True)
    result.update(changed=True, created=True, fields_added=sorted((mappings.get("properties") or {})))
    result["aliases_changed"] = sorted(params["aliases"])
    if module._diff:
        after = diff_view(flatten_settings(settings), mappings, sorted(params["aliases"]))
        result["diff"] = dict(before={}, after=after)
    module.exit_json(**result)


class Update:
    """What an existing index needs to match the wanted definition: dynamic settings, mapping and aliases."""

    def __init__(self, module, name, wanted, current, result):
        wanted_settings, self.wanted_mappings = wanted
        settings, self.mappings, self.aliases = current
        self.dynamic, static = settings_changes(wanted_settings, settings)
        if static:
            module.fail_json(msg=static_message(name, static), **result)
        new_fields, conflicts, other_fields = mapping_changes(self.wanted_mappings.get("properties"),
                                                              self.mappings.get("properties"))
        if conflicts:
            module.fail_json(msg=conflict_message(name, conflicts), **result)
        self.new_fields = new_fields
        self.mapping_update = bool(new_fields or other_fields or top_level_mapping_changes(self.wanted_mappings,
                                                                                           self.mappings))
        self.alias_updates = alias_changes(module.params["aliases"], self.aliases)

    @property
    def changed(self):
        return bool(self.dynamic or self.mapping_update or self.alias_updates)

    def result(self):
        return dict(
            changed=self.changed,
            settings_changed={key: [have, value] for key, (have, value) in self.dynamic.items()},
            fields_added=self.new_fields,
            aliases_changed=sorted(self.alias_updates),
        )

    def diff(self):
        before_settings = {key: have for key, (have, value) in self.dynamic.items()}
        after_settings = {key: value for key, (have, value) in self.dynamic.items()}
        return dict(
            before=diff_view(before_settings, self.mappings if self.mapping_update else {}, sorted(self.aliases)),
            after=diff_view(after_settings, self.wanted_mappings if self.mapping_update else {},
                            sorted(set(self.aliases) | set(self.alias_updates))),
        )

    def apply(self, cluster, name):
        if self.dynamic:
            cluster.request("PUT", path(name, "_settings"),
                            body={key: value for key, (have, value) in self.dynamic.items()})
        if self.mapping_update:
            cluster.put_mappings(path(name, "_mapping"), self.wanted_mappings)
        if self.alias_updates:
            actions = [{"add": dict(options, index=name, alias=alias)} for alias, options in self.alias_updates.items()]
            cluster.request("POST", "/_aliases", body=dict(actions=actions))


def ensure_updated(module, cluster, name, wanted, result):
    update = Update(module, name, wanted, current_state(cluster, name), result)
    result.update(update.result())
    if module._diff and update.changed:
        result["diff"] = update.diff()
    if update.changed and not module.check_mode:
        update.apply(cluster, name)
    module.exit_json(**result)


def option_problems(params):
    """Everything wrong with the options that can be told before asking a cluster (pure)."""
    problems = index_name_problems(params["name"], "name")
    copy = params.get("copy_from") or {}
    if copy.get("index") is not None and not str(copy["index"]).strip():
        problems.append("copy_from.index is empty; give the name of the source index")
    if copy.get("mapping_type") and copy.get("merge_types"):
        problems.append("copy_from.mapping_type and copy_from.merge_types exclude each other; give one")
    return problems


def parse():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result = dict(
        changed=False, index=module.params["name"], created=False, deleted=False, settings_changed={}, fields_added=[],
        aliases_changed=[], settings_dropped=[],
    )
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="Invalid options: %s. Nothing was changed." % "; ".join(problems), **result)
    return module, result


def main():
    module, result = parse()
    name = module.params["name"]
    cluster = module.cluster
    try:
        if module.params["state"] == "absent":
            ensure_absent(module, cluster, name, result)
        wanted = wanted_definition(module, cluster, result)
        if not cluster.exists(path(name)):
            ensure_created(module, cluster, name, wanted, result)
        ensure_updated(module, cluster, name, wanted, result)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Managing index %s" % name, **result)


if __name__ == "__main__":
    main()
