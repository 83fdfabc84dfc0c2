"""es_reindex's data stream check against scripted destination answers: the Elasticsearch 9.5 branch, which no
server here can take (the answer shapes are those of the get data stream and get index template APIs' docs)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._cluster import Cluster, ClusterError
from ansible_collections.esops.migration.plugins.modules import es_reindex

# GET _data_stream/logs-app on Elasticsearch 9.x (trimmed from the get data stream API docs).
DATA_STREAM = {"data_streams": [{"name": "logs-app", "timestamp_field": {"name": "@timestamp"}, "generation": 1,
                                 "indices": [{"index_name": ".ds-logs-app-2099.01.01-000001"}], "status": "GREEN",
                                 "template": "logs-app"}]}


class ScriptedTransport:
    library = "elasticsearch"

    def __init__(self, answers):
        self.answers = answers  # url -> answer
        self.requests = []

    def __call__(self, method, url, params=None, body=None):
        self.requests.append((method, url))
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, cluster, mode):
        self.cluster = cluster
        self.params = {"mode": mode}

    def fail_json(self, **result):
        raise Failed(result)


def elasticsearch_9_5(answers):
    return Cluster(ScriptedTransport(answers), "elasticsearch", (9, 5, 0))


def test_sync_into_an_existing_data_stream_is_refused_before_any_copy_on_9_5():
    cluster = elasticsearch_9_5({"/_data_stream/logs-app": DATA_STREAM})
    with pytest.raises(Failed) as failed:
        es_reindex.check_data_streams(FakeModule(cluster, "sync"), ["logs-app"])
    assert "refuses such a reindex before it starts" in failed.value.args[0]["msg"]
    assert all(method == "GET" for method, _url in cluster.transport.requests)  # nothing written, no _reindex


def test_a_data_stream_an_index_template_will_create_counts_too():
    cluster = elasticsearch_9_5({
        "/_data_stream/logs-new": {"data_streams": []},
        "/logs-new": False,  # HEAD: the index does not exist
        "/_index_template": {"index_templates": [
            {"name": "logs", "index_template": {"index_patterns": ["logs-*"], "priority": 100, "data_stream": {}}}]},
    })
    with pytest.raises(Failed):
        es_reindex.check_data_streams(FakeModule(cluster, "overwrite"), ["logs-new"])
    assert es_reindex.check_data_streams(FakeModule(cluster, "create"), ["logs-new"]) == ["logs-new"]


def test_an_index_is_not_a_data_stream():
    cluster = elasticsearch_9_5({"/_data_stream/books": {"data_streams": []}, "/books": True})
    assert es_reindex.check_data_streams(FakeModule(cluster, "sync"), ["books"]) == []


def test_a_server_without_the_data_streams_module_has_none():
    # The 7.17.29 assembly the tests run lacks x-pack's data streams: GET _data_stream/<name> answers 405.
    refused = ClusterError("Incorrect HTTP method for uri [/_data_stream/books] and method [GET], allowed: [POST]", 405,
                           {"error": "Incorrect HTTP method", "status": 405})
    cluster = Cluster(ScriptedTransport({"/_data_stream/books": refused, "/books": True}), "elasticsearch", (7, 17, 29))
    assert es_reindex.check_data_streams(FakeModule(cluster, "sync"), ["books"]) == []
