# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for es_index: normalise settings, and compare wanted settings/mappings/aliases with the index."""

from __future__ import annotations

import json

# Index settings that cannot change on an existing (open) index. Anything under these prefixes is static too.
STATIC_SETTINGS = frozenset(
    (
        "index.number_of_shards",
        "index.number_of_routing_shards",
        "index.routing_partition_size",
        "index.codec",
        "index.store.type",
        "index.shard.check_on_startup",
        "index.soft_deletes.enabled",
        "index.mapping.source.mode",
    )
)
STATIC_PREFIXES = ("index.analysis.", "index.sort.", "index.similarity.")
# Read-only facts Elasticsearch sets itself; never compared.
INTERNAL_SETTINGS = frozenset(
    ("index.uuid", "index.creation_date", "index.provided_name", "index.version.created", "index.version.upgraded")
)


def _scalar(value):
    """Settings values as Elasticsearch returns them: strings, with booleans in lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_scalar(item) for item in value]
    return str(value)


def flatten_settings(settings, prefix=""):
    """{'index': {'number_of_shards': 2}} or {'number_of_shards': '2'} -> {'index.number_of_shards': '2'}."""
    flat = {}
    for key, value in (settings or {}).items():
        path = "%s.%s" % (prefix, key) if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten_settings(value, path))
        else:
            flat[path] = _scalar(value)
    if not prefix:
        flat = {(key if key.startswith("index.") else "index." + key): value for key, value in flat.items()}
    return flat


def is_static(key):
    return key in STATIC_SETTINGS or key.startswith(STATIC_PREFIXES)


def settings_changes(wanted, current):
    """(dynamic, static): flat settings whose wanted value differs from the current one -> (current, wanted)."""
    dynamic, static = {}, {}
    for key, value in sorted(flatten_settings(wanted).items()):
        if key in INTERNAL_SETTINGS:
            continue
        have = current.get(key)
        if have == value:
            continue
        (static if is_static(key) else dynamic)[key] = (have, value)
    return dynamic, static


def _normal(value):
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return _scalar(value)


def _field_type(definition):
    if "type" in definition:
        return str(definition["type"])
    return "object" if "properties" in definition else None


def mapping_changes(wanted, current, path=""):
    """Compare wanted field definitions with the index's; returns (new_fields, conflicts, other_changes).

    new_fields: dotted names of fields to add; conflicts: (field, current type, wanted type) for type changes,
    which Elasticsearch refuses; other_changes: fields whose other parameters differ (left to Elasticsearch
    to accept or refuse).
    """
    new_fields, conflicts, other = [], [], []
    current = current or {}
    for name, definition in sorted((wanted or {}).items()):
        field = "%s.%s" % (path, name) if path else name
        have = current.get(name)
        if have is None:
            new_fields.append(field)
            continue
        wanted_type, have_type = _field_type(definition), _field_type(have)
        if wanted_type and wanted_type != have_type:
            conflicts.append((field, have_type, wanted_type))
            continue
        for key, value in sorted(definition.items()):
            if key in ("type", "properties"):
                continue
            if key == "fields":
                sub_new, sub_conflicts, sub_other = mapping_changes(value, have.get("fields"), field)
                new_fields += sub_new
                conflicts += sub_conflicts
                other += sub_other
            elif _normal(value) != _normal(have.get(key)):
                other.append(field)
        if "properties" in definition:
            sub_new, sub_conflicts, sub_other = mapping_changes(definition["properties"], have.get("properties"), field)
            new_fields += sub_new
            conflicts += sub_conflicts
            other += sub_other
    return new_fields, conflicts, sorted(set(other))


def top_level_mapping_changes(wanted, current):
    """Names of top-level mapping parameters (dynamic, _source, ...) whose wanted value differs."""
    return sorted(
        key
        for key, value in (wanted or {}).items()
        if key != "properties" and _normal(value) != _normal((current or {}).get(key))
    )


def alias_changes(wanted, current):
    """Aliases to add or update: {name: options} for those missing or with different options."""
    changes = {}
    for name, options in sorted((wanted or {}).items()):
        options = options or {}
        have = current.get(name)
        if have is None:
            changes[name] = options
            continue
        for key, value in options.items():
            have_value = have.get(key)
            if key == "filter":
                same = json.dumps(_normal(value), sort_keys=True) == json.dumps(_normal(have_value), sort_keys=True)
            elif key == "routing":
                same = _scalar(value) == have.get("index_routing") == have.get("search_routing")
            else:
                same = _scalar(value) == _scalar(have_value if have_value is not None else False)
            if not same:
                changes[name] = options
                break
    return changes


def static_message(index, static):
    parts = ["%s is %s, asked %s" % (key, have if have is not None else "unset", value) for key, (have, value) in static.items()]
    return (
        "Index %s exists and these settings are static (fixed when an index is created): %s. Keep the index's "
        "values, or delete the index (state: absent) and create it again, or migrate into a new index name."
        % (index, "; ".join(parts))
    )


def conflict_message(index, conflicts):
    parts = ["field %s is %s, asked %s" % conflict for conflict in conflicts]
    return (
        "Index %s exists and Elasticsearch cannot change the type of a mapped field: %s. Use a new field name, or "
        "migrate into a new index created with the wanted mapping." % (index, "; ".join(parts))
    )
