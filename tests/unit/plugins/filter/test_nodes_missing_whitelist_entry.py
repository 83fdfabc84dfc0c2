"""Which nodes' loaded whitelist does not accept the source (managed clusters)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.nodes_missing_whitelist_entry import FilterModule
from ansible_collections.esops.migration.plugins.module_utils._whitelist import whitelist_allows

missing = FilterModule().filters()["nodes_missing_whitelist_entry"]


@pytest.mark.parametrize(
    "patterns, entry, allowed",
    [
        ("10.0.0.1:9200", "10.0.0.1:9200", True),
        ("10.0.0.1:9200, es.example.com:9243", "es.example.com:9243", True),
        (["*.example.com:9200"], "es.example.com:9200", True),
        (["*.example.com:9200"], "es.example.org:9200", False),
        (["10.1.*:9200"], "10.1.2.3:9200", True),
        (["10.1.*:9200"], "10.2.2.3:9200", False),
        (["host:*"], "host:9243", True),
        (["host:920?"], "host:9201", True),
        (["host:920?"], "host:92011", False),
        (["a.b:9200"], "axb:9200", False),  # the dot is not a wildcard
        ([], "h:9200", False),
        (None, "h:9200", False),
    ],
)
def test_whitelist_allows_matches_like_elasticsearch(patterns, entry, allowed):
    assert whitelist_allows(patterns, entry) is allowed


def test_names_the_nodes_that_lack_the_entry_in_any_returned_shape():
    settings = {"nodes": {
        "id-a": {"name": "node-a", "settings": {"reindex.remote.whitelist": "10.0.0.1:9200, other:9200"}},
        "id-b": {"name": "node-b", "settings": {"reindex.remote.whitelist": ["other:9200"]}},
        "id-c": {"name": "node-c", "settings": {"reindex.remote.whitelist.0": "x:1", "reindex.remote.whitelist.1": "10.0.0.1:9200"}},
        "id-d": {"name": "node-d", "settings": {}},
    }}
    assert missing(settings, "10.0.0.1:9200") == ["node-b", "node-d"]


def test_a_wrong_input_says_what_to_give():
    with pytest.raises(AnsibleFilterError, match="_nodes/settings"):
        missing({"status": 200}, "h:9200")
