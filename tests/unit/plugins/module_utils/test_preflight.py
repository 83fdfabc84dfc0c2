"""Unit tests for the source preflight: answers shaped as ansible.builtin.uri registers them.

The answers a real 7.17 source gives (401, 404, _has_privileges) are exercised end to end in
tests/integration/test_role_preflight.py; these cover the branches no local server produces.
"""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._preflight import (
    disabled_source,
    index_problems,
    privilege_problems,
    source_problems,
)

URL = "https://old.example.com:9200"
OK = dict(status=200, json={"version": {"number": "6.8.23"}})


def test_a_source_that_does_not_answer_is_the_only_problem():
    problems = source_problems(dict(status=-1, msg="Connection refused"), [("a", None)], {}, URL, "u")
    assert problems == ["The source %s does not answer from the controller: Connection refused. Check "
                        "remote_reindex_source_url and that the source is running." % URL]


def test_another_status_is_named():
    assert source_problems(dict(status=503), [], {}, URL, "u") == ["The source %s answered GET / with HTTP 503." % URL]


def test_disabled_source_in_typeless_and_typed_mappings():
    assert disabled_source({"_source": {"enabled": False}, "properties": {}})
    assert disabled_source({"_doc": {"_source": {"enabled": False}}})
    assert not disabled_source({"properties": {"a": {"type": "keyword"}}})


def test_a_pattern_matching_nothing_and_an_index_without_source():
    assert "matches no index" in index_problems("logs-*", dict(status=200, json={}))[0]
    problems = index_problems("logs-*", dict(status=200, json={
        "logs-1": {"mappings": {"_source": {"enabled": False}}}, "logs-2": {"mappings": {}}}))
    assert problems == ["Source index 'logs-1' has _source disabled: reindex copies documents from _source, so it "
                        "cannot copy this index."]


def test_lacking_privileges_are_listed_once_each():
    problems = privilege_problems(dict(status=200, json={
        "cluster": {"monitor": False}, "index": {"a": {"read": True, "view_index_metadata": False}}}), "u")
    assert problems == ["User 'u' lacks the cluster privilege monitor; view_index_metadata on 'a' on the source: "
                        "reindex from remote needs the cluster privilege monitor and read and view_index_metadata on "
                        "the source indices."]
    assert privilege_problems(dict(status=400, json={}), "u") == []
    assert privilege_problems(dict(skipped=True), "u") == []


def test_a_refused_get_root_is_replaced_by_the_privilege_list_and_indices_are_still_checked():
    problems = source_problems(
        dict(status=403), [("missing", dict(status=404))],
        dict(status=200, json={"cluster": {"monitor": False}, "index": {"missing": {"read": True}}}), URL, "u")
    assert len(problems) == 2 and "'missing' does not exist" in problems[0] and "monitor" in problems[1]
    assert source_problems(OK, [("a", dict(status=200, json={"a": {"mappings": {}}}))], {}, URL, "u") == []
