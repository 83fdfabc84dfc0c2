"""elasticsearch-py 8 and 9 against Elasticsearch 7.x, 8.x and 9.x: the compatible-with version each request names.

The requests go through the installed elasticsearch-py client (its own header handling, serializers, product
check) to a scripted node (elastic_transport's node_class hook) that answers as a server of the given version
does: an Accept or Content-Type asking for a compatible-with version it does not serve gets HTTP 400
media_type_header_exception. Only a 7.17.29 node runs here (tests/integration), so the 8.x and 9.x servers, and the
other client major than the installed one, are scripted: the client major is the one the connection layer reads.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple

import elastic_transport
import elasticsearch
import pytest

from ansible_collections.esops.migration.plugins.module_utils import _cluster
from ansible_collections.esops.migration.plugins.module_utils._cluster import (
    MEDIA_TYPE,
    UnsupportedCluster,
    compatible_with,
    connect_cluster,
    elasticsearch_py_problem,
)

# The compatible-with versions each server major accepts (8.x: 7 and 8; 9.x: 8 and 9; 7.17.29 answers any,
# checked on the real node with 7 to 10).
ACCEPTED = {7: range(0, 100), 8: (7, 8), 9: (8, 9)}
COMPATIBLE_WITH = re.compile(r"compatible-with=(\d+)")
# What a node's perform_request returns (elastic_transport reads .meta and .body).
NodeAnswer = namedtuple("NodeAnswer", "meta body")


class ScriptedNode(elastic_transport.BaseNode):
    """An Elasticsearch node of version `number`; records every request's method, target and headers."""

    number = "8.15.0"
    requests = []

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        headers = elastic_transport.HttpHeaders(headers or {})
        type(self).requests.append((method, target, headers))
        accepted = ACCEPTED[_cluster.parse_version(self.number)[0]]
        asked = [int(match) for name in ("accept", "content-type") for match in COMPATIBLE_WITH.findall(
            headers.get(name) or "")]
        if any(version not in accepted for version in asked):
            status, answer = 400, {"error": {"type": "media_type_header_exception",
                                             "reason": "Invalid media-type value on headers [Accept, Content-Type]"},
                                   "status": 400}
        elif target == "/":
            status, answer = 200, {"version": {"number": self.number, "build_flavor": "default"},
                                   "tagline": "You Know, for Search"}
        else:
            status, answer = 200, {"acknowledged": True}
        meta = elastic_transport.ApiResponseMeta(
            status=status, http_version="1.1", duration=0.0, node=self.config,
            headers=elastic_transport.HttpHeaders({"x-elastic-product": "Elasticsearch",
                                                   "content-type": "application/json; charset=UTF-8"}))
        return NodeAnswer(meta, json.dumps(answer).encode("utf-8"))


@pytest.fixture()
def server(monkeypatch):
    """Connections of _cluster go to a ScriptedNode (set .number for the server's version)."""
    ScriptedNode.requests = []
    real_kwargs = _cluster.elasticsearch_kwargs
    monkeypatch.setattr(_cluster, "elasticsearch_kwargs", lambda params: dict(real_kwargs(params),
                                                                              node_class=ScriptedNode))
    return ScriptedNode


def sent_versions(requests):
    """[(method, target, accept's compatible-with, content-type's or None)] of the recorded requests."""
    found = []
    for method, target, headers in requests:
        content_type = headers.get("content-type")
        found.append((method, target, int(COMPATIBLE_WITH.search(headers["accept"]).group(1)),
                      int(COMPATIBLE_WITH.search(content_type).group(1)) if content_type else None))
    return found


@pytest.mark.parametrize("client_major, server_major, expected", [
    (8, 7, 8), (8, 8, 8), (8, 9, 8), (8, 10, 8),  # elasticsearch-py 8: what it always sent
    (9, 7, 8), (9, 8, 8),  # elasticsearch-py 9 to servers that refuse 9 (8.x) or answer any (7.x)
    (9, 9, 9), (9, 10, 9), (10, 9, 9),
])
def test_compatible_with_is_the_client_major_at_most_the_server_major_and_at_least_8(client_major, server_major,
                                                                                     expected):
    assert compatible_with(client_major, server_major) == expected


@pytest.mark.parametrize("client_major, number, expected", [
    (9, "8.15.0", 8),
    (9, "9.1.0", 9),
    (9, "7.17.29", 8),
    (8, "8.15.0", 8),
    (8, "9.1.0", 8),
    (8, "7.17.29", 8),
])
def test_each_request_names_the_version_chosen_for_the_client_and_server(server, monkeypatch, client_major, number,
                                                                         expected):
    monkeypatch.setattr(_cluster, "ELASTICSEARCH_PY_MAJOR", client_major)
    server.number = number
    cluster = connect_cluster({"hosts": ["http://127.0.0.1:9200"]})
    assert (cluster.library, cluster.version) == ("elasticsearch", _cluster.parse_version(number))
    assert cluster.request("PUT", "/books", body={"settings": {}}) == {"acknowledged": True}
    assert cluster.exists("/books")
    # GET / detects the server with 8, which every server from 7.14 on accepts; then the chosen version
    assert sent_versions(server.requests) == [("GET", "/", 8, None), ("PUT", "/books", expected, expected),
                                              ("HEAD", "/books", expected, None)]


@pytest.mark.parametrize("number", ["7.17.29", "8.15.0", "9.1.0"])
def test_the_installed_client_works_with_every_elasticsearch_major(server, number):
    """With its own major read from the installed package: elasticsearch-py 9 alone asks an 8.x server for 9."""
    server.number = number
    cluster = connect_cluster({"hosts": ["http://127.0.0.1:9200"]})
    assert cluster.request("POST", "/books/_refresh", body={}) == {"acknowledged": True}
    assert sent_versions(server.requests)[-1][2] == compatible_with(
        _cluster.parse_version(elasticsearch.__versionstr__)[0], _cluster.parse_version(number)[0])


def test_the_header_is_written_as_the_client_writes_its_own(server):
    """For a server of the client's major, each request asks what elasticsearch-py asks by itself (so elasticsearch-py
    8 sends what it always sent, to every server, since 8 is all it is ever given)."""
    server.number = "%s.0.0" % _cluster.ELASTICSEARCH_PY_MAJOR
    client = elasticsearch.Elasticsearch("http://127.0.0.1:9200", node_class=ScriptedNode)
    client.perform_request("POST", "/books/_refresh", headers={"accept": "application/json",
                                                               "content-type": "application/json"}, body={})
    own = server.requests[-1][2]
    cluster = connect_cluster({"hosts": ["http://127.0.0.1:9200"]})
    cluster.request("POST", "/books/_refresh", body={})
    chosen = server.requests[-1][2]
    assert (chosen["accept"], chosen["content-type"]) == (own["accept"], own["content-type"])
    assert own["accept"] == MEDIA_TYPE % _cluster.ELASTICSEARCH_PY_MAJOR


def test_an_8x_server_refuses_what_elasticsearch_py_9_asks_by_default(server):
    """The refusal the chosen version avoids, as the scripted 8.x server gives it to a compatible-with=9 request."""
    server.number = "8.15.0"
    client = elasticsearch.Elasticsearch("http://127.0.0.1:9200", node_class=ScriptedNode)
    with pytest.raises(elasticsearch.BadRequestError, match="media_type_header_exception"):
        client.perform_request("GET", "/", headers={"accept": MEDIA_TYPE % 9})


@pytest.mark.parametrize("version, import_error, problem", [
    ("8.13.0", None, None),
    ("8.19.3", None, None),
    ("9.5.1", None, None),
    ("7.17.9", None, "elasticsearch 7.17.9 is installed; the collection needs elasticsearch>=8.13"),
    ("8.12.2", None, "elasticsearch 8.12.2 is installed; the collection needs elasticsearch>=8.13"),
    (None, None, "it is not installed"),
    (None, "Traceback (most recent call last):\n  ...\nImportError: An incompatible version of elastic-transport is "
           "installed.", "importing it failed: ImportError: An incompatible version of elastic-transport is installed."),
])
def test_elasticsearch_py_problem_says_what_is_wrong(version, import_error, problem):
    assert elasticsearch_py_problem(version, import_error) == problem


def test_a_too_old_client_asks_for_the_requirement_naming_the_server(monkeypatch):
    """An unusable elasticsearch-py is left aside; a 7.14+ server found through opensearch-py then asks for it."""
    class OpenSearchProbe:
        library = "opensearch"

        def __call__(self, method, url, params=None, body=None):
            return {"version": {"number": "7.17.29"}}

    monkeypatch.setattr(_cluster, "elasticsearch", None)
    monkeypatch.setattr(_cluster, "ELASTICSEARCH_PY_PROBLEM", elasticsearch_py_problem("7.17.9"))
    monkeypatch.setattr(_cluster, "opensearch_transport", lambda params, headers=None: OpenSearchProbe())
    with pytest.raises(UnsupportedCluster) as raised:
        connect_cluster({"hosts": ["http://127.0.0.1:9200"]})
    assert raised.value.library == "elasticsearch>=8.13"
    assert raised.value.message == ("elasticsearch-py is needed to talk to Elasticsearch 7.17.29 (elasticsearch 7.17.9 "
                                    "is installed; the collection needs elasticsearch>=8.13)")


def test_without_any_usable_client_the_requirement_is_named(monkeypatch):
    monkeypatch.setattr(_cluster, "elasticsearch", None)
    monkeypatch.setattr(_cluster, "opensearchpy", None)
    monkeypatch.setattr(_cluster, "ELASTICSEARCH_PY_PROBLEM", "it is not installed")
    with pytest.raises(UnsupportedCluster) as raised:
        connect_cluster({})
    assert raised.value.library == "elasticsearch>=8.13" and "it is not installed" in raised.value.message
