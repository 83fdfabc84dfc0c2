"""Pure helpers behind several indices, partitions, remote errors and API keys for the remote."""

from __future__ import annotations

import random

import pytest

from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    build_reindex_body,
    combine_queries,
    dest_index_name,
    needs_resolution,
    partition_bounds,
    partition_clauses,
)

# --- partitions -------------------------------------------------------------------------------------------------


def matches(clause, doc, field):
    """Evaluate one partition clause on a document the way Elasticsearch would (single or multi-valued field)."""
    values = doc.get(field)
    values = [] if values is None else (values if isinstance(values, list) else [values])
    if "exists" in clause:
        return bool(values)
    if "bool" in clause:
        return not values
    interval = clause["range"][field]
    return any(
        ("gte" not in interval or value >= interval["gte"]) and ("lt" not in interval or value < interval["lt"])
        for value in values
    )


@pytest.mark.parametrize("integral", [True, False])
@pytest.mark.parametrize("partitions", [2, 3, 4, 7, 16])
def test_every_document_is_in_exactly_one_partition(partitions, integral):
    rng = random.Random(partitions)
    docs = [{"n": rng.randint(-50, 1000) if integral else rng.uniform(-5.0, 99.9)} for number in range(500)]
    docs += [{}, {"n": None}, {"other": 1}]
    low, high = min(d["n"] for d in docs if d.get("n") is not None), max(d["n"] for d in docs if d.get("n") is not None)
    clauses = partition_clauses("n", "long" if integral else "double", partition_bounds(low, high, partitions, integral))
    assert len(clauses) == partitions + 1  # the ranges and the documents lacking the field
    for doc in docs:
        assert sum(matches(clause, doc, "n") for clause in clauses) == 1, doc


def test_boundaries_are_integers_for_integral_fields_and_narrow_ranges_give_fewer_partitions():
    assert partition_bounds(0, 100, 4, integral=True) == [25, 50, 75]
    assert partition_bounds(0, 2, 8, integral=True) == [1, 2]
    assert partition_bounds(0.0, 1.0, 4, integral=False) == [0.25, 0.5, 0.75]
    assert partition_bounds(5, 5, 4, integral=True) == []
    assert partition_bounds(None, None, 4, integral=True) == []
    assert partition_bounds(0, 100, 1, integral=True) == []


def test_no_bounds_still_covers_every_document():
    clauses = partition_clauses("n", "long", [])
    assert clauses == [{"exists": {"field": "n"}}, {"bool": {"must_not": [{"exists": {"field": "n"}}]}}]


def test_date_ranges_use_epoch_millis_and_open_ends():
    clauses = partition_clauses("created", "date", [1000, 2000])
    assert clauses[0] == {"range": {"created": {"format": "epoch_millis", "lt": 1000}}}
    assert clauses[1] == {"range": {"created": {"format": "epoch_millis", "gte": 1000, "lt": 2000}}}
    assert clauses[2] == {"range": {"created": {"format": "epoch_millis", "gte": 2000}}}


def test_a_multi_valued_document_may_fall_in_two_ranges():
    clauses = partition_clauses("n", "long", [10])
    assert sum(matches(clause, {"n": [1, 20]}, "n") for clause in clauses) == 2


def test_the_users_query_is_kept_in_every_partition():
    user = {"match": {"describe": "fixed"}}
    assert combine_queries(user, {"exists": {"field": "n"}}) == {"bool": {"filter": [user, {"exists": {"field": "n"}}]}}
    assert combine_queries(None, {"exists": {"field": "n"}}) == {"bool": {"filter": [{"exists": {"field": "n"}}]}}
    assert combine_queries(user, None) == user


# --- names ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("names, expected", [
    (["product_info"], False),
    (["a", "b"], True),
    (["logs-*"], True),
    (["logs-2024.0?"], True),
    (["a,b"], True),
])
def test_which_source_names_need_resolving(names, expected):
    assert needs_resolution(names) is expected


@pytest.mark.parametrize("template, pattern, replacement, expected", [
    ("{index}", None, "", "logs-2024"),
    ("restored-{index}", None, "", "restored-logs-2024"),
    ("{index}-v2", None, "", "logs-2024-v2"),
    ("{index}", r"^logs-(.*)", r"archive-\1", "archive-2024"),
    ("all-logs", None, "", "all-logs"),
])
def test_destination_names_from_the_template(template, pattern, replacement, expected):
    assert dest_index_name(template, "logs-2024", pattern, replacement) == expected


# --- what the server says when the remote is behind a proxy ------------------------------------------------------

# Read off a real 7.17 task whose remote was nginx answering 401 with its HTML page (shortened).
PROXY_401 = (
    'status_exception: body=<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>nginx/1.22.1'
    '</body>\r\n</html>\r\n; caused by response_exception: method [GET], host [https://localhost:34230], URI [/], '
    'status line [HTTP/1.1 401 Unauthorized]\n<html>\r\n<head><title>401</title></head></html>'
)
UNTRUSTED = (
    "s_s_l_handshake_exception: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: "
    "unable to find valid certification path to requested target"
)


def test_a_proxy_401_is_read_as_refused_credentials_and_its_html_is_dropped():
    from ansible_collections.esops.migration.plugins.module_utils._reindex import (
        remote_error_hint,
        shorten_remote_error,
    )

    assert "refused the credentials" in remote_error_hint(PROXY_401, "https://localhost:34230")
    assert "<html>" not in shorten_remote_error(PROXY_401)
    assert "status line [HTTP/1.1 401 Unauthorized]" in shorten_remote_error(PROXY_401)
    assert "reindex.ssl.certificate_authorities" in remote_error_hint(UNTRUSTED, "https://localhost:1")
    assert remote_error_hint("status line [HTTP/1.1 403 Forbidden]", "h").startswith("the remote user lacks")


# --- API keys for the remote ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version, expected", [
    ("7.17.29", False), ("8.15.1", False), ("9.2.4", False), ("9.3.0", True), ("9.5.0-SNAPSHOT", True), ("10.0.0", True),
    (None, False),
])
def test_the_api_key_field_exists_from_9_3(version, expected):
    from ansible_collections.esops.migration.plugins.module_utils._reindex import supports_remote_api_key

    assert supports_remote_api_key(version) is expected


def test_the_api_key_goes_in_the_body_on_9_3_and_in_a_header_before():
    remote = {"host": "https://src.example.com:9243", "api_key": "a2V5OnNlY3JldA=="}
    new = build_reindex_body(remote, "a", "b", api_key_in_body=True)["source"]["remote"]
    assert new == {"host": "https://src.example.com:9243", "api_key": "a2V5OnNlY3JldA=="}
    old = build_reindex_body(dict(remote, headers={"X-Trace": "1"}), "a", "b")["source"]["remote"]
    assert old == {"host": "https://src.example.com:9243",
                   "headers": {"X-Trace": "1", "Authorization": "ApiKey a2V5OnNlY3JldA=="}}
