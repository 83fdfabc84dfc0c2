"""Pairs of products and versions that reindex-from-remote cannot serve, and the remote setting name per server.

The quoted errors are what real nodes answered here (OpenSearch 2.19.6 -> Elasticsearch 7.17.29, Elasticsearch
7.17.29 -> Elasticsearch 6.8.23; tests/integration/test_role_cross_product.py checks them again); OpenSearch 1.3
has no server here, so its case is unit-tested only.
"""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._compatibility import (
    ALLOWLIST,
    WHITELIST,
    pair_problem,
    remote_setting_name,
)

ES, OS = "elasticsearch", "opensearch"


@pytest.mark.parametrize("product, version, expected", [
    (ES, "5.6.16", WHITELIST), (ES, "6.8.23", WHITELIST), (ES, "7.17.29", WHITELIST), (ES, "9.2.0", WHITELIST),
    (OS, "1.3.20", WHITELIST), (OS, "2.0.0", ALLOWLIST), (OS, "2.19.6", ALLOWLIST), (OS, (3, 8, 0), ALLOWLIST),
])
def test_the_remote_setting_follows_product_and_version(product, version, expected):
    assert remote_setting_name(product, version) == expected


@pytest.mark.parametrize("source, dest", [
    ((ES, "6.8.23"), (ES, "7.17.29")), ((ES, "5.6.16"), (ES, "7.17.29")), ((ES, "7.17.29"), (OS, "2.19.6")),
    ((ES, "7.17.29"), (OS, "3.8.0")), ((OS, "2.19.6"), (OS, "3.8.0")), ((ES, "6.8.23"), (OS, "2.19.6")),
    ((ES, "7.17.29"), (ES, "8.19.0")), ((ES, "8.19.0"), (ES, "9.2.0")), ((ES, "5.6.16"), (ES, "6.8.23")),
    ((OS, "7.10.2"), (ES, "7.17.29")),  # OpenSearch 1.x with compatibility.override_main_response_version
    ((OS, "1.3.20"), (OS, "2.19.6")),
])
def test_pairs_that_work_have_no_problem(source, dest):
    assert pair_problem(source[0], source[1], dest[0], dest[1]) is None


@pytest.mark.parametrize("source", [(OS, "2.19.6"), (OS, "3.8.0"), (OS, (2, 0, 0))])
@pytest.mark.parametrize("dest", ["7.17.29", "8.19.0", "9.2.0"])
def test_opensearch_2_and_later_into_elasticsearch_is_refused_with_the_server_error(source, dest):
    problem = pair_problem(source[0], source[1], ES, dest)
    assert problem.startswith("Elasticsearch %s cannot reindex from OpenSearch" % dest)
    assert "Required [_type]" in problem and "remote is likely not an Elasticsearch instance" in problem


def test_opensearch_1_into_elasticsearch_needs_the_version_override():
    problem = pair_problem(OS, "1.3.20", ES, "7.17.29")
    assert "Elasticsearch 7.17.29 cannot reindex from OpenSearch 1.3.20" in problem
    assert "compatibility.override_main_response_version: true" in problem


@pytest.mark.parametrize("source", [(ES, "7.17.29"), (ES, "8.19.0"), (OS, "2.19.6"), (OS, "1.3.20")])
def test_elasticsearch_7_and_opensearch_into_elasticsearch_6_is_refused(source):
    problem = pair_problem(source[0], source[1], ES, "6.8.23")
    assert problem.startswith("Elasticsearch 6.8.23 cannot reindex from")
    assert "total doesn't support values of type: START_OBJECT" in problem
