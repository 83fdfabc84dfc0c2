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
        sub_new, sub_conflicts, sub_other = _field_changes(field, definition, have)
        new_fields += sub_new
        conflicts += sub_conflicts
        other += sub_other
    return new_fields, conflicts, sorted(set(other))


def _field_changes(field, definition, have):
    """mapping_changes of one field that exists with the same type: its parameters, multi-fields and sub-fields."""
    new_fields, conflicts, other = [], [], []
    for key, value in sorted(definition.items()):
        if key in ("fields", "properties"):
            sub = mapping_changes(value, have.get(key), field)
        elif key != "type" and _normal(value) != _normal(have.get(key)):
            sub = [], [], [field]
        else:
            continue
        new_fields += sub[0]
        conflicts += sub[1]
        other += sub[2]
    return new_fields, conflicts, other


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


# --- copy_from: which settings of a source index can be copied -------------------------------------------

# Facts of the source index, states of the source cluster and features the destination may lack.
COPY_DROPPED = frozenset(
    (
        "index.uuid",
        "index.creation_date",
        "index.provided_name",
        "index.frozen",
        "index.search.throttled",
        "index.verified_before_close",
        "index.recovery.type",
        "index.history.uuid",
    )
)
COPY_DROPPED_PREFIXES = (
    "index.version.",
    "index.resize.",
    "index.shrink.",
    "index.blocks.",
    "index.lifecycle.",
    "index.store.snapshot.",
    "index.routing.allocation.initial_recovery.",
)
ALLOCATION_PREFIX = "index.routing.allocation."


def _under(key, prefix):
    """Whether the flat key is the prefix itself (without its trailing dot) or lies under it."""
    return key.startswith(prefix) or key == prefix.rstrip(".")


def copyable_settings(source_settings, keep_allocation=False):
    """(kept, dropped): the source index's flat settings that a new index can be created with, and the names left out.

    Dropped: what Elasticsearch sets itself (uuid, creation_date, version, provided_name, history uuid, resize
    and shrink origin), the state of the source (blocks, frozen, searchable snapshot store), index lifecycle
    settings (the policy may not exist on the destination) and, unless keep_allocation, the shard allocation
    filters (node attributes of the source cluster).
    """
    kept, dropped = {}, []
    for key, value in sorted(flatten_settings(source_settings).items()):
        drop = key in COPY_DROPPED or any(_under(key, prefix) for prefix in COPY_DROPPED_PREFIXES)
        if not keep_allocation and _under(key, ALLOCATION_PREFIX):
            drop = True
        if drop:
            dropped.append(key)
        else:
            kept[key] = value
    return kept, dropped


def merge_settings(base, overrides):
    """Flat base settings with the overrides (nested or flat) on top; an override of None drops the setting and
    everything under it (V(analysis.analyzer.my_analyzer: null) drops that analyzer)."""
    merged = dict(flatten_settings(base))
    for key, value in flatten_settings(overrides).items():
        if value is None:
            for name in [name for name in merged if name == key or name.startswith(key + ".")]:
                del merged[name]
        else:
            for name in [name for name in merged if name.startswith(key + ".")]:
                del merged[name]  # a scalar replaces a whole group
            merged[key] = value
    return merged


def merge_overrides(base, overrides):
    """Deep merge of two dicts (mappings): the override wins, dicts merge key by key, None removes the key."""
    merged = dict(base or {})
    for key, value in (overrides or {}).items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_overrides(merged[key], value)
        else:
            merged[key] = value
    return merged


def unflatten_settings(flat):
    """{'index.analysis.analyzer.a.type': 'custom'} -> {'index': {'analysis': {'analyzer': {'a': {'type': ...}}}}}."""
    nested = {}
    for key, value in sorted(flat.items()):
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return nested


def analysis_section(settings):
    """The analysis settings (analyzer, normalizer, tokenizer, filter, char_filter) of any settings form."""
    flat = {key: value for key, value in flatten_settings(settings).items() if key.startswith("index.analysis.")}
    return unflatten_settings(flat).get("index", {}).get("analysis", {})


# --- preflight: what a mapping and its analysis need from the destination cluster --------------------------

FIELD_ANALYSIS_KEYS = ("analyzer", "search_analyzer", "search_quote_analyzer")
# Normalizers Elasticsearch ships with (plugins cannot add any); others must be defined in the index.
BUILTIN_NORMALIZERS = frozenset(("lowercase",))
COMPONENT_KINDS = ("tokenizer", "filter", "char_filter")
# Where the names commonly met in migrations come from, for the failure message.
PLUGIN_HINTS = (
    (("ik_smart", "ik_max_word"), "analysis-ik"),
    (("smartcn",), "analysis-smartcn"),
    (("kuromoji",), "analysis-kuromoji"),
    (("nori",), "analysis-nori"),
    (("icu_",), "analysis-icu"),
    (("phonetic",), "analysis-phonetic"),
    (("pinyin",), "analysis-pinyin"),
    (("stempel", "polish"), "analysis-stempel"),
    (("ukrainian",), "analysis-ukrainian"),
    (("hanlp",), "analysis-hanlp"),
)


def _add(found, name, user):
    found.setdefault(name, [])
    if user not in found[name]:
        found[name].append(user)


def _walk_fields(properties, path, visit):
    for name, definition in sorted((properties or {}).items()):
        if not isinstance(definition, dict):
            continue
        field = "%s.%s" % (path, name) if path else str(name)
        visit(field, definition)
        _walk_fields(definition.get("fields"), field, visit)
        _walk_fields(definition.get("properties"), field, visit)


def _mapping_users(mappings):
    """(user, definition) for every field of the mappings, multi-fields and dynamic templates included."""
    users = []
    _walk_fields((mappings or {}).get("properties"), "", lambda field, definition: users.append(("field " + field, definition)))
    for template in (mappings or {}).get("dynamic_templates") or []:
        if isinstance(template, dict):
            for name, body in sorted(template.items()):
                if isinstance(body, dict) and isinstance(body.get("mapping"), dict):
                    users.append(("dynamic template " + str(name), body["mapping"]))
    return users


def referenced_analysis(mappings, analysis):
    """What the mappings use that the index's own analysis settings do not define, and the field types used.

    Returns {'analyzer': {name: [users]}, 'normalizer': {name: [users]}, 'types': {type: [users]}}: analyzers
    (analyzer, search_analyzer, search_quote_analyzer) and normalizers referenced by fields, multi-fields,
    object sub-fields and dynamic templates but not defined in analysis; every field type, each with the
    fields (or dynamic templates) using it.
    """
    analysis = analysis or {}
    defined = {"analyzer": set(analysis.get("analyzer") or {}), "normalizer": set(analysis.get("normalizer") or {})}
    found = {"analyzer": {}, "normalizer": {}, "types": {}}
    for user, definition in _mapping_users(mappings):
        for key in FIELD_ANALYSIS_KEYS + ("normalizer",):
            group = "normalizer" if key == "normalizer" else "analyzer"
            name = definition.get(key)
            if isinstance(name, str) and name not in defined[group]:
                _add(found[group], name, user)
        kind = definition.get("type")
        if isinstance(kind, str) and "{" not in kind:  # {dynamic_type} is filled in at indexing time
            _add(found["types"], kind, user)
    return found


def _names(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str)]
    return []


def analysis_checks(mappings, analysis):
    """The _analyze requests that tell whether the destination can resolve what the index needs (pure).

    Each check is {'kind', 'name', 'users', 'request'}; the request (keyword arguments of the analyze API)
    fails with 'failed to find global ...' when the destination lacks the analyzer, tokenizer, filter or
    char_filter. Checked: analyzers referenced by the mappings but not defined in the index; the tokenizer,
    filters and char_filters of the index's custom analyzers and normalizers that the index does not define;
    the type of every analyzer and component the index defines.
    """
    analysis = analysis or {}
    referenced = referenced_analysis(mappings, analysis)
    checks = [dict(kind="analyzer", name=name, users=users, request=dict(analyzer=name, text="x"))
              for name, users in sorted(referenced["analyzer"].items())]
    checks += _custom_analysis_checks(analysis)
    for kind in COMPONENT_KINDS:
        for name, definition in sorted((analysis.get(kind) or {}).items()):
            if isinstance(definition, dict) and isinstance(definition.get("type"), str):
                checks.append(dict(kind="%s type" % kind, name=definition["type"], users=["%s %s" % (kind, name)],
                                   request=_component_request(kind, dict(definition))))
    return checks


def _component_request(kind, component):
    """Keyword arguments of an _analyze request that fails when the destination lacks `component`."""
    if kind == "tokenizer":
        return dict(tokenizer=component, text="x")
    return {"tokenizer": "standard", kind: [component], "text": "x"}


def _custom_analysis_checks(analysis):
    """Checks for built-in analyzer types, and for the components custom analyzers and normalizers use
    without the index defining them."""
    checks = []
    wanted = {}  # (kind, name) -> users
    for group, kinds in (("analyzer", COMPONENT_KINDS), ("normalizer", ("filter", "char_filter"))):
        for owner, definition in sorted((analysis.get(group) or {}).items()):
            if not isinstance(definition, dict):
                continue
            kind_of = definition.get("type", "custom")
            if group == "analyzer" and kind_of != "custom":
                checks.append(dict(kind="analyzer type", name=str(kind_of), users=["analyzer %s" % owner],
                                   request=dict(analyzer=str(kind_of), text="x")))
            else:
                _add_undefined_components(wanted, analysis, kinds, definition, "%s %s" % (group, owner))
    for (kind, name), users in sorted(wanted.items()):
        checks.append(dict(kind=kind, name=name, users=users, request=_component_request(kind, name)))
    return checks


def _add_undefined_components(wanted, analysis, kinds, definition, user):
    """Record in wanted[(kind, name)] the components of `definition` that the index's analysis does not define."""
    for kind in kinds:
        for name in _names(definition.get(kind)):
            if name not in (analysis.get(kind) or {}):
                _add(wanted, (kind, name), user)


def unknown_normalizers(mappings, analysis):
    """{name: [users]} for normalizers the mappings use that are neither defined in the index nor built in."""
    referenced = referenced_analysis(mappings, analysis)["normalizer"]
    return {name: users for name, users in referenced.items() if name not in BUILTIN_NORMALIZERS}


def not_resolvable(body):
    """Whether an _analyze error body says the analyzer/tokenizer/filter/char_filter does not exist."""
    error = body.get("error") if isinstance(body, dict) else None
    reason = error.get("reason") if isinstance(error, dict) else error
    return isinstance(reason, str) and "failed to find" in reason


def unknown_type_in(body, field_type):
    """Whether a mapping error body (with its causes) says there is no handler for field_type."""
    needle = "No handler for type [%s]" % field_type
    return needle in str(body)


def _plugin_hint(names):
    plugins = []
    for patterns, plugin in PLUGIN_HINTS:
        if any(pattern in name for name in names for pattern in patterns) and plugin not in plugins:
            plugins.append(plugin)
    return plugins


def preflight_message(index, problems):
    """The failure message for problems, a list of (what, name, users), e.g. ('analyzer', 'ik_smart', ['field a'])."""
    parts = ["%s [%s] used by %s" % (what, name, ", ".join(users)) for what, name, users in problems]
    plugins = _plugin_hint([name for what, name, users in problems])
    hint = "the plugin%s that provide%s them (%s)" % (
        "s" if len(plugins) > 1 else "", "" if len(plugins) > 1 else "s", ", ".join(plugins)
    ) if plugins else "the analysis or mapper plugin that provides them"
    return (
        "Preflight for index %s: the destination cluster cannot resolve %s. Nothing was created. Install %s on "
        "every destination node and restart the nodes, or override the mapping or analysis with the mappings and "
        "settings options (for example analyzer: standard on the field, or a null value to drop a copied "
        "setting)." % (index, "; ".join(parts), hint)
    )


def type_choice_problem(index, source_name, types, mapping_type, merge_types):
    """Why the mapping of a source index with these mapping types cannot be copied as asked, or None (pure).

    A 5.x index may hold several types, a later index one: copy one type's mapping (mapping_type, for
    es_reindex's type_strategy index_per_type) or the fields of every type merged (merge_types, for prefix_ids).
    """
    if mapping_type and mapping_type not in types:
        return "copy_from.mapping_type %s is not a mapping type of %s on %s (%s)." % (
            mapping_type, index, source_name, ", ".join(types) or "it has none: a 7.x or later index")
    if len(types) > 1 and not (mapping_type or merge_types):
        return ("copy_from.index %s on %s holds several mapping types (%s); an index of a later version has one. "
                "Give copy_from.mapping_type to copy one type's mapping (one index per type, es_reindex "
                "type_strategy index_per_type), or copy_from.merge_types to copy the fields of every type into one "
                "index (es_reindex type_strategy prefix_ids)." % (index, source_name, ", ".join(types)))
    return None
