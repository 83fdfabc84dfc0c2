# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""es_index's questions to the destination before it creates an index, without creating anything.

Whether the destination can resolve the analyzers, analysis components and field types an index needs (the
analyze API and simulated index templates), and which copied settings it rejects. The pure parts (what to ask,
how to read the answers) are in _index.py.
"""

from __future__ import annotations

import re

from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError
from ansible_collections.esops.migration.plugins.module_utils._index import (
    analysis_checks,
    analysis_section,
    flatten_settings,
    not_resolvable,
    referenced_analysis,
    unknown_normalizers,
    unknown_type_in,
)

# Never matches an index: the preflight's simulated template only validates mappings and settings.
PREFLIGHT_PATTERN = "esops-migration-preflight-never-matches-*"
UNKNOWN_SETTING = re.compile(r"unknown setting \[([^\]]+)\]")


def unresolved_analysis(cluster, mappings, analysis, warn):
    """(what, name, users) for every analyzer/tokenizer/filter/char_filter the destination cannot resolve."""
    problems = []
    for check in analysis_checks(mappings, analysis):
        try:
            cluster.request("POST", "/_analyze", body=check["request"])
        except ClusterError as exc:
            if exc.status == 403:
                warn("Preflight skipped the analysis checks: the user may not run _analyze (%s)." % exc.message)
                break
            if exc.status != 400:
                raise
            if not_resolvable(exc.body):
                problems.append((check["kind"], check["name"], check["users"]))
    for name, users in sorted(unknown_normalizers(mappings, analysis).items()):
        problems.append(("normalizer", name, users))
    return problems


def simulate(cluster, mappings=None, settings=None):
    """Validate mappings or settings with a simulated index template (raises ClusterError when refused)."""
    template = {"mappings": mappings} if mappings is not None else {"settings": settings}
    cluster.request("POST", "/_index_template/_simulate",
                    body=dict(index_patterns=[PREFLIGHT_PATTERN], template=template))


def unresolved_types(cluster, mappings, analysis, warn):
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
            warn("Preflight skipped the field type checks: the user may not simulate index templates (%s)."
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


def unresolved(cluster, settings, mappings, warn):
    """(what, name, users) for everything the index needs that the destination cannot resolve."""
    analysis = analysis_section(settings)
    return unresolved_analysis(cluster, mappings, analysis, warn) + unresolved_types(cluster, mappings, analysis, warn)


def rejected_setting(cluster, settings):
    """The flat name of a setting the destination does not know (it names one at a time), or None.

    None too when the destination cannot simulate templates (before Elasticsearch 7.9) or may not.
    """
    try:
        simulate(cluster, settings=settings)
    except ClusterError as exc:
        match = UNKNOWN_SETTING.search(str(exc.body)) if exc.status == 400 else None
        if match:
            return match.group(1)
        if exc.status in (400, 403, 404, 405):
            return None
        raise
    return None


def drop_rejected_settings(cluster, settings, droppable):
    """(settings, dropped): the flat settings without those copied ones (`droppable`) the destination rejects.

    Settings of older versions that later ones removed (index.mapper.dynamic, index.mapping.single_type, ...)
    would make the create fail; a rejected setting the user asked for is kept, so the create names it.
    """
    settings = dict(flatten_settings(settings))
    dropped = []
    for _attempt in range(len(settings)):
        name = rejected_setting(cluster, settings)
        if name is None or name not in droppable or name not in settings:
            break
        del settings[name]
        dropped.append(name)
    return settings, dropped
