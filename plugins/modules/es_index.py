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

from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError, path
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._index import (
    alias_changes,
    analysis_checks,
    analysis_section,
    conflict_message,
    copyable_settings,
    flatten_settings,
    mapping_changes,
    merge_overrides,
    merge_settings,
    not_resolvable,
    preflight_message,
    referenced_analysis,
    settings_changes,
    static_message,
    top_level_mapping_changes,
    unknown_normalizers,
    unknown_type_in,
)
from ansible_collections.esops.migration.plugins.module_utils._names import index_name_problems

COPY_FROM_SPEC = dict(
    source_connection_spec(),
    index=dict(type="str", required=True),
    keep_allocation=dict(type="bool", default=False),
)
# Never matches an index: the preflight's simulated template only validates mappings.
PREFLIGHT_PATTERN = "esops-migration-preflight-never-matches-*"


def current_state(cluster, name):
    settings_response = cluster.request("GET", path(name, "_settings"),
                                        dict(flat_settings=True, include_defaults=True))[name]
    settings = dict(settings_response.get("defaults") or {})
    settings.update(settings_response.get("settings") or {})
    mappings = cluster.mappings(name)[name]
    aliases = cluster.request("GET", path(name, "_alias"))[name].get("aliases") or {}
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


def read_source(module, copy, result):
    """Flat settings and typeless mappings of the copy_from index."""
    cluster = source_cluster(module, copy)
    try:
        settings = cluster.request("GET", path(copy["index"], "_settings"), dict(flat_settings=True))
        mappings = cluster.mappings(copy["index"])
        types = cluster.mapping_types(copy["index"])
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Reading index %s from the source cluster" % copy["index"], **result)
    if len(settings) != 1:
        module.fail_json(msg="copy_from.index %s names %d indices on the source cluster (%s); name exactly one."
                         % (copy["index"], len(settings), ", ".join(sorted(settings))), **result)
    concrete = next(iter(settings))
    if len(types.get(concrete) or []) > 1:
        module.fail_json(msg="copy_from.index %s on %s holds several mapping types (%s); one index of a later version "
                         "has one, so copy each type's mapping on its own." % (
                             concrete, cluster.name, ", ".join(types[concrete])), **result)
    return settings[concrete].get("settings") or {}, mappings.get(concrete) or {}


def wanted_definition(module, result):
    """Settings and mappings the index should have: the options, or the copied index with the options on top."""
    params = module.params
    copy = params["copy_from"]
    if not copy:
        return params["settings"], params["mappings"]
    source_settings, source_mappings = read_source(module, copy, result)
    kept, dropped = copyable_settings(source_settings, copy["keep_allocation"])
    result["settings_dropped"] = dropped
    return merge_settings(kept, params["settings"]), merge_overrides(source_mappings, params["mappings"])


def unresolved_analysis(module, cluster, mappings, analysis):
    """(what, name, users) for every analyzer/tokenizer/filter/char_filter the destination cannot resolve."""
    problems = []
    for check in analysis_checks(mappings, analysis):
        try:
            cluster.request("POST", "/_analyze", body=check["request"])
        except ClusterError as exc:
            if exc.status == 403:
                module.warn("Preflight skipped the analysis checks: the user may not run _analyze (%s)." % exc.message)
                break
            if exc.status != 400:
                raise
            if not_resolvable(exc.body):
                problems.append((check["kind"], check["name"], check["users"]))
    for name, users in sorted(unknown_normalizers(mappings, analysis).items()):
        problems.append(("normalizer", name, users))
    return problems


def simulate(cluster, mappings):
    cluster.request("POST", "/_index_template/_simulate",
                    body=dict(index_patterns=[PREFLIGHT_PATTERN], template={"mappings": mappings}))


def unresolved_types(module, cluster, mappings, analysis):
    """(what, name, users) for every field type the destination has no mapper for, from simulated templates."""
    types = referenced_analysis(mappings, analysis)["types"]
    if not types:
        return []
    try:
        # One simulation of a mapping with every type used; only when it fails is each type tried alone.
        simulate(cluster, {"properties": {"f%d" % number: {"type": kind} for number, kind in enumerate(sorted(types))}})
        return []
    except ClusterError as exc:
        if exc.status == 403:
            module.warn("Preflight skipped the field type checks: the user may not simulate index templates (%s)."
                        % exc.message)
            return []
        if exc.status != 400:
            raise
    problems = []
    for kind, users in sorted(types.items()):
        try:
            simulate(cluster, {"properties": {"f": {"type": kind}}})
        except ClusterError as exc:
            if exc.status != 400:
                raise
            if unknown_type_in(exc.body, kind):
                problems.append(("field type", kind, users))
    return problems


def preflight(module, cluster, name, settings, mappings, result):
    """Fail, before anything is created, naming what the destination cannot resolve."""
    analysis = analysis_section(settings)
    problems = unresolved_analysis(module, cluster, mappings, analysis)
    problems += unresolved_types(module, cluster, mappings, analysis)
    if problems:
        unresolved = [dict(kind=kind, name=what, used_by=users) for kind, what, users in problems]
        module.fail_json(msg=preflight_message(name, problems), unresolved=unresolved, **result)


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
        cluster.request("PUT", path(name), dict(wait_for_active_shards=params["wait_for_active_shards"]),
                        {key: value for key, value in body.items() if value})
    result.update(changed=True, created=True, fields_added=sorted((mappings.get("properties") or {})))
    result["aliases_changed"] = sorted(params["aliases"])
    if module._diff:
        after = diff_view(flatten_settings(settings), mappings, sorted(params["aliases"]))
        result["diff"] = dict(before={}, after=after)
    module.exit_json(**result)


def ensure_updated(module, cluster, name, wanted, result):
    params = module.params
    wanted_settings, wanted_mappings = wanted
    settings, mappings, aliases = current_state(cluster, name)
    dynamic, static = settings_changes(wanted_settings, settings)
    if static:
        module.fail_json(msg=static_message(name, static), **result)
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
        cluster.request("PUT", path(name, "_settings"), body={key: value for key, (have, value) in dynamic.items()})
    if mapping_update:
        cluster.request("PUT", path(name, "_mapping"), body=wanted_mappings)
    if alias_updates:
        actions = [{"add": dict(options, index=name, alias=alias)} for alias, options in alias_updates.items()]
        cluster.request("POST", "/_aliases", body=dict(actions=actions))
    module.exit_json(**result)


def option_problems(params):
    """Everything wrong with the options that can be told before asking a cluster (pure)."""
    problems = index_name_problems(params["name"], "name")
    copy = params.get("copy_from") or {}
    if copy.get("index") is not None and not str(copy["index"]).strip():
        problems.append("copy_from.index is empty; give the name of the source index")
    return problems


def main():
    module = ElasticsearchModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            settings=dict(type="dict", default={}),
            mappings=dict(type="dict", default={}),
            aliases=dict(type="dict", default={}),
            wait_for_active_shards=dict(type="str", default="1"),
            copy_from=dict(type="dict", options=COPY_FROM_SPEC),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    result = dict(
        changed=False, index=name, created=False, deleted=False, settings_changed={}, fields_added=[], aliases_changed=[],
        settings_dropped=[],
    )
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="Invalid options: %s. Nothing was changed." % "; ".join(problems), **result)
    cluster = module.cluster
    try:
        if module.params["state"] == "absent":
            ensure_absent(module, cluster, name, result)
        wanted = wanted_definition(module, result)
        if not cluster.exists(path(name)):
            ensure_created(module, cluster, name, wanted, result)
        else:
            ensure_updated(module, cluster, name, wanted, result)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Managing index %s" % name, **result)


if __name__ == "__main__":
    main()
