"""es_reindex's main() on destinations no server here runs: the remote API key goes into the request body on
Elasticsearch 9.3+ (`source.remote.api_key`, in the reindex API reference from 9.3) and into an
`Authorization: ApiKey` header before. The Tasks API and reindex answers follow the shapes of the Elasticsearch
reference (tasks API, reindex API); the same flow runs on real 7.17 nodes in tests/integration/test_es_reindex.py.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.esops.migration.plugins.module_utils import _connection
from ansible_collections.esops.migration.plugins.modules import es_reindex

API_KEY = "bXlrZXk6c2VjcmV0"
DONE = {"took": 20, "timed_out": False, "total": 6, "created": 6, "updated": 0, "deleted": 0, "batches": 1,
        "version_conflicts": 0, "noops": 0, "failures": []}


def run_main(monkeypatch, capsys, dest, source):
    clusters = {"http://dest.example.com:9200": dest, "http://src.example.com:9200": source}

    def connect(params, headers=None):
        return clusters[params["hosts"][0]]

    monkeypatch.setattr(_connection, "connect_cluster", connect)
    args = dict(hosts=["http://dest.example.com:9200"], source_index="products", dest_index="products",
                remote=dict(host="http://src.example.com:9200", api_key=API_KEY))
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            es_reindex.main()
    out = capsys.readouterr().out
    assert API_KEY not in out  # no_log: the key is never echoed
    return exited.value.code != 0, json.loads(out)


def copy_script(version):
    """A destination of this version answering one copy of products (nothing running, nothing there yet)."""
    return [
        (("GET", "/_data_stream/products"), {"data_streams": []}),
        (("HEAD", "/products"), True),
        (("GET", "/_tasks"), {"nodes": {}}),  # no copy of the same source running: start one
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), {"completed": True, "task": {"node": "nodeA", "id": 12}, "response": DONE}),
    ]


def source_script():
    """A source answering the _stats the module reads to choose the batch size (size not given: as size auto)."""
    stats = {"indices": {"products": {"primaries": {"docs": {"count": 6}, "store": {"size_in_bytes": 6 * 2048}}}}}
    return [(("GET", "/products/_stats/docs,store"), stats)]


def reindex_remote(dest):
    """source.remote of the _reindex request the module sent."""
    (body,) = [body for method, url, _params, body in dest.calls if (method, url) == ("POST", "/_reindex")]
    return body["source"]["remote"]


@pytest.mark.parametrize("version", [(9, 3, 0), (9, 5, 1)])
def test_the_api_key_goes_in_the_body_on_9_3_and_later(scripted, monkeypatch, capsys, version):
    dest = scripted.cluster(copy_script(version), version=version)
    failed, result = run_main(monkeypatch, capsys, dest, scripted.cluster(source_script(), version=(8, 15, 1)))
    assert not failed and result["changed"] and result["created"] == 6
    remote = reindex_remote(dest)
    assert remote["api_key"] == API_KEY
    assert result["copies"][0]["size"] == 10 * 1024 * 1024 // 2048  # no size given: chosen as with size auto
    assert "Authorization" not in (remote.get("headers") or {})
    assert dest.unanswered() == []


@pytest.mark.parametrize("version", [(8, 15, 1), (9, 2, 4)])
def test_the_api_key_goes_in_a_header_before_9_3(scripted, monkeypatch, capsys, version):
    dest = scripted.cluster(copy_script(version), version=version)
    failed, result = run_main(monkeypatch, capsys, dest, scripted.cluster(source_script(), version=(8, 15, 1)))
    assert not failed and result["changed"] and result["created"] == 6
    remote = reindex_remote(dest)
    assert "api_key" not in remote
    assert remote["headers"]["Authorization"] == "ApiKey " + API_KEY
