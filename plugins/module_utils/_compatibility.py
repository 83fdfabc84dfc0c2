# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which products and versions can reindex from which, and what each calls its remote hosts setting (pure).

The facts come from real nodes (OpenSearch 2.19.6 -> Elasticsearch 7.17.29, Elasticsearch 7.17.29 ->
Elasticsearch 6.8.23) and from the servers' source code where no node can be started here (OpenSearch 1.3).
"""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._cluster import (
    ELASTICSEARCH,
    OPENSEARCH,
    describe,
    parse_version,
)

WHITELIST = "reindex.remote.whitelist"
ALLOWLIST = "reindex.remote.allowlist"


def _version(version):
    """A (major, minor, patch) tuple from a tuple, a list or a version string."""
    if isinstance(version, (tuple, list)):
        return tuple(int(part) for part in version) + (0,) * (3 - len(version))
    return parse_version(version)


def remote_setting_name(product, version):
    """The node setting that lists the remote hosts a cluster may reindex from.

    OpenSearch 2.0 renamed it reindex.remote.allowlist (the old name is deprecated on 2.x and makes a 3.x node
    refuse to start); Elasticsearch (every version) and OpenSearch 1.x take reindex.remote.whitelist.
    """
    if product == OPENSEARCH and _version(version) >= (2, 0, 0):
        return ALLOWLIST
    return WHITELIST


def _opensearch_to_elasticsearch(source, dest):
    if source[0] >= 7:
        # OpenSearch 1.x with compatibility.override_main_response_version: true reports 7.10.2.
        return None
    if source[0] >= 2:
        return ("Elasticsearch reads a remote that reports a version before 7.0 as an Elasticsearch of that version, "
                "whose hits carry _type, and OpenSearch 2.x and later send none, so the reindex fails with \"Error "
                "parsing the response, remote is likely not an Elasticsearch instance\" caused by \"Required "
                "[_type]\". Copy with a client-side tool (e.g. Logstash) instead")
    return ("Elasticsearch takes OpenSearch 1.x's version number (1.x) for an ancient Elasticsearch and cannot read "
            "its answers; set compatibility.override_main_response_version: true on the source's nodes (they then "
            "report 7.10.2) and run again")


def _to_elasticsearch_6(source_product, source):
    if source_product == OPENSEARCH or source[0] >= 7:
        return ("Elasticsearch 6.x and earlier cannot read the search responses of Elasticsearch 7 and later or of "
                "OpenSearch, whose hits.total is an object, so the reindex fails with \"Error parsing the response, "
                "remote is likely not an Elasticsearch instance\" caused by \"[hits] total doesn't support values "
                "of type: START_OBJECT\". Upgrade the destination to 7.x first, or copy with a client-side tool")
    return None


def pair_problem(source_product, source_version, dest_product, dest_version):
    """Why a reindex from remote of this source into this destination cannot work, or None when it can.

    Products are 'elasticsearch' or 'opensearch'; versions are tuples or version strings.
    """
    source, dest = _version(source_version), _version(dest_version)
    reason = None
    if dest_product == ELASTICSEARCH and dest[0] < 7:
        reason = _to_elasticsearch_6(source_product, source)
    if reason is None and source_product == OPENSEARCH and dest_product == ELASTICSEARCH:
        reason = _opensearch_to_elasticsearch(source, dest)
    if reason is None:
        return None
    return "%s cannot reindex from %s: %s." % (describe(dest_product, dest), describe(source_product, source), reason)
