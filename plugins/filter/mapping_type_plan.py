# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mapping_type_plan
short_description: What the remote_reindex role creates, copies and verifies for source indices with mapping types
version_added: 0.2.0
author: esops.migration contributors (@esops)
description:
  - Takes the role's C(remote_reindex_indices) and the registered answers of the source to
    C(GET <item.source>/_mapping) (one per item, as M(ansible.builtin.uri) registers them; skipped or failed answers
    count as indices with one type), and returns what the C(esops.migration.remote_reindex) role does for each item
    with the chosen C(type_strategy).
  - An index with several mapping types (Elasticsearch 5.x) is copied one destination index per type with
    V(index_per_type) (the item's C(dest), or C(<source>-{type}), with C({type}) replaced by each type), or into one
    index with ids prefixed by the type with V(prefix_ids); with V(refuse) it is reported in C(problems).
  - Indices with one type are created, copied and verified as usual whatever the strategy.
options:
  _input:
    description: The role's C(remote_reindex_indices).
    type: list
    elements: dict
    required: true
  mappings:
    description: The C(results) of the registered loop of C(GET <item.source>/_mapping) over the same items.
    type: list
    elements: dict
    required: true
  strategy:
    description: The role's C(remote_reindex_type_strategy).
    type: str
    required: true
  separator:
    description: The role's C(remote_reindex_type_separator).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Plan the indices of the migration
  ansible.builtin.set_fact:
    plan: >-
      {{ remote_reindex_indices | esops.migration.mapping_type_plan(mappings.results, 'index_per_type', '#') }}
"""

RETURN = r"""
_value:
  description:
    - C(copies), one per item, the item with C(dest_index), what es_reindex writes into (with C({type}) for
      V(index_per_type)).
    - C(indices), one per destination index to create, with C(item), C(name), C(source_index) (the concrete source
      index), C(mapping_type) and C(merge_types) for es_index's C(copy_from).
    - C(checks), one per es_verify run, with C(position) (of the item), C(source_index), C(dest_index),
      C(mapping_type) and C(type_separator).
    - C(problems), sentences saying why an item cannot be copied with this strategy (empty when it can).
  type: dict
"""

from ansible.errors import AnsibleFilterError

STRATEGIES = ("refuse", "index_per_type", "prefix_ids")


def multi_type_indices(result):
    """{concrete index: [types]} of the indices with several mapping types in one registered _mapping answer."""
    answer = result.get("json") if isinstance(result, dict) and result.get("status") == 200 else None
    if not isinstance(answer, dict):
        return {}
    found = {name: mapping_types((entry or {}).get("mappings") or {}) for name, entry in answer.items()}
    return {name: types for name, types in found.items() if len(types) > 1}


def mapping_types(mappings):
    """The type names of one index's mappings: 5.x/6.x answers have a level of type names (_default_ is a template,
    not a type); a typeless answer (7.x and later) has properties, runtime, _source and the like there instead."""
    if "properties" in mappings:
        return []
    return sorted(key for key, value in mappings.items() if isinstance(value, dict) and not key.startswith("_"))


def item_dest(item):
    return item.get("dest") or item["source"]


def per_type_plan(position, item, split):
    template = item.get("dest") or "%s-{type}" % item["source"]
    indices, checks = [], []
    for index, types in sorted(split.items()):
        for doc_type in types:
            name = template.replace("{index}", index).replace("{type}", doc_type)
            indices.append(dict(item=item, name=name, source_index=index, mapping_type=doc_type, merge_types=False))
            checks.append(dict(position=position, source_index=index, dest_index=name, mapping_type=doc_type,
                               type_separator=""))
    return dict(item, dest_index=template), indices, checks


def item_plan(position, item, split, strategy, separator):
    """(copy, indices, checks) of one item."""
    if split and strategy == "index_per_type":
        return per_type_plan(position, item, split)
    prefixed = bool(split) and strategy == "prefix_ids"
    dest = item_dest(item)
    index = dict(item=item, name=dest, source_index=item["source"], mapping_type=None, merge_types=prefixed)
    check = dict(position=position, source_index=item["source"], dest_index=dest, mapping_type=None,
                 type_separator=separator if prefixed else "")
    return dict(item, dest_index=dest), [index], [check]


def item_problems(item, split, strategy):
    if not split:
        return []
    found = "; ".join("%s has %s" % (index, ", ".join(types)) for index, types in sorted(split.items()))
    if strategy == "refuse":
        return ["Source index %s holds several mapping types (%s): copied as it is into one index of a later version, "
                "documents whose ids repeat across types overwrite each other and are lost. Set "
                "remote_reindex_type_strategy to index_per_type (one destination index per type, named by the item's "
                "dest with {type}, by default <source>-{type}) or prefix_ids (one index, ids become <type>"
                "<remote_reindex_type_separator><id>; needs lang-painless on the destination)."
                % (item["source"], found)]
    if strategy == "index_per_type" and item.get("dest") and "{type}" not in item["dest"]:
        return ["remote_reindex_type_strategy index_per_type needs {type} in the dest of %s (%s), for example "
                "%s-{type}, so that each type gets its own index." % (item["source"], found, item["source"])]
    return []


def mapping_type_plan(items, mappings, strategy, separator):
    if not isinstance(items, list) or not isinstance(mappings, list):
        raise AnsibleFilterError("mapping_type_plan: give remote_reindex_indices and the results list of the "
                                 "_mapping loop")
    if strategy not in STRATEGIES:
        raise AnsibleFilterError("mapping_type_plan: strategy must be one of %s, not %r"
                                 % (", ".join(STRATEGIES), strategy))
    answers = mappings + [{}] * (len(items) - len(mappings))
    plan = dict(copies=[], indices=[], checks=[], problems=[])
    for position, (item, answer) in enumerate(zip(items, answers)):
        split = multi_type_indices(answer)
        copy, indices, checks = item_plan(position, item, split, strategy, separator)
        plan["copies"].append(copy)
        plan["indices"] += indices
        plan["checks"] += checks
        plan["problems"] += item_problems(item, split, strategy)
    return plan


class FilterModule:
    def filters(self):
        return {"mapping_type_plan": mapping_type_plan}
