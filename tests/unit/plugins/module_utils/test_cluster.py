"""Detection, library choice and error translation of the cluster layer (pure, and with scripted answers for the
branches that need a server of a kind not running here, e.g. Elasticsearch 4.x or a missing library)."""

from __future__ import annotations

import elastic_transport
import elasticsearch
import opensearchpy
import pytest

from ansible_collections.esops.migration.plugins.module_utils import _cluster
from ansible_collections.esops.migration.plugins.module_utils._cluster import (
    Cluster,
    ClusterError,
    ElasticsearchTransport,
    OpenSearchTransport,
    UnsupportedCluster,
    detect,
    elasticsearch_kwargs,
    library_for,
    opensearch_kwargs,
    parse_version,
    path,
    query_string,
    typeless_mappings,
)
from ansible_collections.esops.migration.plugins.module_utils._reindex import controller_source_connection

OPENSEARCH_ROOT = {"version": {"distribution": "opensearch", "number": "2.19.6"}, "tagline": "The OpenSearch Project"}
ES68_ROOT = {"version": {"number": "6.8.23"}, "tagline": "You Know, for Search"}


@pytest.mark.parametrize("answer, expected", [
    (OPENSEARCH_ROOT, ("opensearch", (2, 19, 6))),
    (ES68_ROOT, ("elasticsearch", (6, 8, 23))),
    ({"version": {"number": "8.0.0-SNAPSHOT", "build_flavor": "default"}}, ("elasticsearch", (8, 0, 0))),
    ({"version": {"number": "9.1"}}, ("elasticsearch", (9, 1, 0))),
])
def test_detect_product_and_version(answer, expected):
    assert detect(answer) == expected


def test_an_answer_without_version_is_not_a_cluster():
    with pytest.raises(UnsupportedCluster, match="no version.number"):
        detect({"status": "ok"})


@pytest.mark.parametrize("product, version, library", [
    ("elasticsearch", (9, 1, 0), "elasticsearch"),
    ("elasticsearch", (7, 17, 29), "elasticsearch"),
    ("elasticsearch", (7, 14, 0), "elasticsearch"),
    ("elasticsearch", (7, 13, 4), "opensearch"),  # no X-Elastic-Product header before 7.14
    ("elasticsearch", (6, 8, 23), "opensearch"),
    ("elasticsearch", (5, 6, 16), "opensearch"),
    ("opensearch", (1, 3, 20), "opensearch"),
    ("opensearch", (3, 8, 0), "opensearch"),
])
def test_library_follows_product_and_version(product, version, library):
    assert library_for(product, version) == library


def test_elasticsearch_before_5_is_refused_naming_it():
    with pytest.raises(UnsupportedCluster, match="Elasticsearch 2.4.6 is not supported"):
        library_for("elasticsearch", parse_version("2.4.6"))


def test_query_string_writes_booleans_and_lists_and_drops_none():
    assert query_string({"flat_settings": True, "detailed": False, "h": ["a", "b"], "x": None, "n": -1}) == (
        "flat_settings=true&detailed=false&h=a%2Cb&n=-1")


def test_path_quotes_parts_but_keeps_index_lists_and_patterns():
    assert path("logs-*,other", "_search") == "/logs-*,other/_search"
    assert path("a/b", "_doc", "x y") == "/a%2Fb/_doc/x%20y"


def test_opensearch_kwargs_carry_the_same_options():
    kwargs = opensearch_kwargs(dict(hosts=["https://h:9200"], username="u", password="p", ca_certs="/ca.pem",
                                    client_cert="/c.pem", client_key="/k.pem", verify_certs=False,
                                    request_timeout=12, max_retries=0))
    assert kwargs == dict(hosts=["https://h:9200"], timeout=12, max_retries=0, retry_on_timeout=True,
                          http_auth=("u", "p"), ca_certs="/ca.pem", client_cert="/c.pem", client_key="/k.pem",
                          verify_certs=False, ssl_show_warn=False)
    opensearchpy.OpenSearch(**kwargs)  # accepted by the library


def test_opensearch_kwargs_api_key_and_bearer_become_headers():
    assert opensearch_kwargs(dict(api_key="id:key"))["headers"] == {"authorization": "ApiKey aWQ6a2V5"}
    assert opensearch_kwargs(dict(api_key="aWQ6a2V5"))["headers"] == {"authorization": "ApiKey aWQ6a2V5"}
    assert opensearch_kwargs(dict(bearer_token="t"))["headers"] == {"authorization": "Bearer t"}


def test_typeless_mappings_of_5_and_6_answers():
    typed = {"_doc": {"properties": {"a": {"type": "keyword"}}, "dynamic": "strict"}}
    assert typeless_mappings(typed, (6, 8, 23)) == typed["_doc"]
    several = {"one": {"properties": {"a": {"type": "keyword"}}}, "two": {"properties": {"b": {"type": "long"}}}}
    assert typeless_mappings(several, (5, 6, 16)) == {"properties": {"a": {"type": "keyword"}, "b": {"type": "long"}}}
    assert typeless_mappings({"properties": {}}, (6, 8, 23)) == {"properties": {}}
    assert typeless_mappings({"properties": {"a": {}}}, (7, 17, 29)) == {"properties": {"a": {}}}


class ScriptedTransport:
    """Answers a Cluster's requests from a script; records them."""

    library = "opensearch"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, params=None, body=None):
        self.requests.append((method, url, params, body))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_search_gives_hits_total_as_a_number_on_every_version():
    cluster = Cluster(ScriptedTransport({"hits": {"total": {"value": 3, "relation": "eq"}, "hits": []}},
                                        {"hits": {"total": 5, "hits": []}}), "elasticsearch", (7, 17, 29))
    assert cluster.search("i", {})["hits"]["total"] == 3
    assert cluster.search("i", {})["hits"]["total"] == 5


@pytest.mark.parametrize("product, version, sort", [
    ("elasticsearch", (7, 17, 29), ["_shard_doc"]),
    ("elasticsearch", (7, 11, 2), None),
    ("elasticsearch", (6, 8, 23), None),
    ("opensearch", (2, 3, 0), None),
    ("opensearch", (2, 19, 6), None),
    ("opensearch", (3, 2, 0), None),
    ("opensearch", (3, 3, 0), ["_shard_doc"]),
    ("opensearch", (3, 8, 0), ["_shard_doc"]),
])
def test_point_in_time_only_where_it_can_page(product, version, sort):
    cluster = Cluster(ScriptedTransport({"id": "p1", "pit_id": "p1"}), product, version)
    assert cluster.point_in_time_sort() == sort
    assert cluster.open_point_in_time("i", "1m") == ("p1" if sort else None)


def test_point_in_time_requests_per_product():
    elastic = Cluster(ScriptedTransport({"id": "E"}, {}), "elasticsearch", (8, 15, 0))
    assert elastic.open_point_in_time("logs", "5m") == "E"
    elastic.close_point_in_time("E")
    assert elastic.transport.requests == [("POST", "/logs/_pit", {"keep_alive": "5m"}, None),
                                          ("DELETE", "/_pit", None, {"id": "E"})]
    opensearch = Cluster(ScriptedTransport({"pit_id": "O"}, {}), "opensearch", (3, 8, 0))
    assert opensearch.open_point_in_time("logs", "5m") == "O"
    opensearch.close_point_in_time("O")
    assert opensearch.transport.requests == [("POST", "/logs/_search/point_in_time", {"keep_alive": "5m"}, None),
                                             ("DELETE", "/_search/point_in_time", None, {"pit_id": ["O"]})]


def test_a_server_refusing_point_in_time_means_scroll():
    cluster = Cluster(ScriptedTransport(ClusterError("no handler", 405, {})), "elasticsearch", (7, 17, 29))
    assert cluster.open_point_in_time("i", "1m") is None


def test_request_ignores_listed_statuses_only():
    cluster = Cluster(ScriptedTransport(ClusterError("missing", 404, {}), ClusterError("bad", 400, {})),
                      "opensearch", (2, 19, 6))
    assert cluster.request("DELETE", "/x", ignore=(404,)) is None
    with pytest.raises(ClusterError):
        cluster.request("DELETE", "/x", ignore=(404,))


def test_exists_is_false_on_404():
    cluster = Cluster(ScriptedTransport(ClusterError("missing", 404, None), True), "opensearch", (2, 19, 6))
    assert cluster.exists("/x") is False
    assert cluster.exists("/x") is True


class FakeElasticsearchClient:
    def __init__(self, error):
        self.error = error

    def perform_request(self, *args, **kwargs):
        raise self.error


def api_meta(status):
    return elastic_transport.ApiResponseMeta(status=status, http_version="1.1", headers=elastic_transport.HttpHeaders(),
                                             duration=0.0, node=elastic_transport.NodeConfig("http", "h", 9200))


def test_elasticsearch_errors_become_cluster_errors_with_status_and_body():
    body = {"error": {"type": "index_not_found_exception", "reason": "no such index [x]"}, "status": 404}
    error = elasticsearch.NotFoundError(message="index_not_found_exception", meta=api_meta(404), body=body)
    with pytest.raises(ClusterError) as raised:
        ElasticsearchTransport(FakeElasticsearchClient(error))("GET", "/x")
    assert (raised.value.status, raised.value.body, raised.value.unreachable) == (404, body, False)


def test_elasticsearch_connection_failures_have_no_status():
    error = elastic_transport.ConnectionError("Connection refused")
    with pytest.raises(ClusterError) as raised:
        ElasticsearchTransport(FakeElasticsearchClient(error))("GET", "/x")
    assert raised.value.unreachable and "Connection refused" in raised.value.message


class FakeOpenSearchClient:
    def __init__(self, error):
        self.transport = FakeElasticsearchClient(error)


def test_opensearch_errors_become_cluster_errors_with_status_and_body():
    body = {"error": {"type": "resource_already_exists_exception", "reason": "exists"}, "status": 400}
    error = opensearchpy.RequestError(400, "resource_already_exists_exception", body)
    with pytest.raises(ClusterError) as raised:
        OpenSearchTransport(FakeOpenSearchClient(error))("PUT", "/x", body={})
    assert (raised.value.status, raised.value.body, raised.value.message) == (
        400, body, "resource_already_exists_exception")


def test_opensearch_connection_failures_have_no_status():
    error = opensearchpy.ConnectionError("N/A", "Connection refused", Exception("refused"))
    with pytest.raises(ClusterError) as raised:
        OpenSearchTransport(FakeOpenSearchClient(error))("GET", "/x")
    assert raised.value.unreachable


def test_elasticsearch_py_refusing_another_product_still_shows_its_answer():
    error = elasticsearch.UnsupportedProductError(message="not Elasticsearch", meta=api_meta(200),
                                                  body=OPENSEARCH_ROOT)
    assert _cluster.ask_root(ElasticsearchTransport(FakeElasticsearchClient(error))) == OPENSEARCH_ROOT


def test_opensearch_py_missing_is_named_with_the_server_that_needs_it(monkeypatch):
    elastic = ScriptedTransport()
    elastic.library = "elasticsearch"  # the probe went through elasticsearch-py
    monkeypatch.setattr(_cluster, "probe", lambda params, headers=None: (elastic, OPENSEARCH_ROOT))
    monkeypatch.setattr(_cluster, "opensearchpy", None)
    with pytest.raises(UnsupportedCluster) as raised:
        _cluster.connect_cluster({})
    assert raised.value.library == "opensearch-py" and "OpenSearch 2.19.6" in raised.value.message


def test_a_406_without_opensearch_py_asks_for_it(monkeypatch):
    monkeypatch.setattr(_cluster, "opensearchpy", None)
    error = elasticsearch.ApiError(message="Content-Type header is not supported", meta=api_meta(406), body={})
    with pytest.raises(UnsupportedCluster) as raised:
        _cluster.ask_root(ElasticsearchTransport(FakeElasticsearchClient(error)))
    assert raised.value.library == "opensearch-py"


def test_controller_source_connection_comes_from_remote_by_default():
    remote = dict(host="https://src:9200", username="u", password="p", api_key=None, headers={"X-A": "1"},
                  ca_certs="/ca.pem", verify_certs=True)
    connection, headers = controller_source_connection(remote, None)
    assert (connection["hosts"], connection["username"], connection["password"], connection["ca_certs"]) == (
        ["https://src:9200"], "u", "p", "/ca.pem")
    assert headers == {"X-A": "1"} and connection["verify_certs"] is True


def test_controller_source_connection_own_credentials_and_hosts_win():
    remote = dict(host="http://proxy:8080", username="u", password="p", headers={"Authorization": "x"},
                  verify_certs=False)
    source = dict(hosts=["https://src:9200"], api_key="k", request_timeout=5, verify_certs=True)
    connection, headers = controller_source_connection(remote, source)
    assert connection["hosts"] == ["https://src:9200"] and connection["api_key"] == "k"
    assert not connection.get("username") and headers is None
    assert connection["request_timeout"] == 5 and connection["verify_certs"] is False


# --- elasticsearch_kwargs (elasticsearch-py 8, for Elasticsearch 7.14+) -------------------------------------------


def test_elasticsearch_kwargs_defaults():
    kwargs = elasticsearch_kwargs({})
    assert kwargs["hosts"] == ["http://127.0.0.1:9200"]
    assert kwargs["request_timeout"] == 30
    assert kwargs["max_retries"] == 3
    for key in ("basic_auth", "api_key", "bearer_auth", "ca_certs", "verify_certs", "ssl_show_warn"):
        assert key not in kwargs


def test_elasticsearch_kwargs_zero_retries_kept():
    assert elasticsearch_kwargs({"max_retries": 0})["max_retries"] == 0


def test_elasticsearch_kwargs_basic_auth_tuple():
    kwargs = elasticsearch_kwargs({"hosts": ["https://es:9200"], "username": "elastic", "password": "pw"})
    assert kwargs["basic_auth"] == ("elastic", "pw")
    assert kwargs["hosts"] == ["https://es:9200"]


def test_elasticsearch_kwargs_api_key_id_and_key_split():
    assert elasticsearch_kwargs({"api_key": "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"})["api_key"] == (
        "VuaCfGcBCdbkQm-e5aOx",
        "ui2lp2axTNmsyakw9tvNnw",
    )


def test_elasticsearch_kwargs_encoded_api_key_kept():
    encoded = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    assert elasticsearch_kwargs({"api_key": encoded})["api_key"] == encoded


def test_elasticsearch_kwargs_bearer_token():
    kwargs = elasticsearch_kwargs({"bearer_token": "tok"})
    assert kwargs["bearer_auth"] == "tok"
    assert "basic_auth" not in kwargs and "api_key" not in kwargs


def test_elasticsearch_kwargs_ca_certs_without_auth():
    kwargs = elasticsearch_kwargs({"hosts": ["https://es:9200"], "ca_certs": "/etc/ssl/ca.crt"})
    assert kwargs["ca_certs"] == "/etc/ssl/ca.crt"
    assert "basic_auth" not in kwargs


def test_elasticsearch_kwargs_client_certificate():
    kwargs = elasticsearch_kwargs({"client_cert": "/c.pem", "client_key": "/k.pem", "api_key": "a:b"})
    assert (kwargs["client_cert"], kwargs["client_key"]) == ("/c.pem", "/k.pem")
    assert kwargs["api_key"] == ("a", "b")


def test_elasticsearch_kwargs_verify_certs_false_silences_warning():
    kwargs = elasticsearch_kwargs({"verify_certs": False})
    assert kwargs["verify_certs"] is False
    assert kwargs["ssl_show_warn"] is False


def test_elasticsearch_kwargs_verify_certs_true_leaves_client_default():
    kwargs = elasticsearch_kwargs({"verify_certs": True})
    assert "verify_certs" not in kwargs or kwargs["verify_certs"] is True
    assert kwargs.get("ssl_show_warn", True) is True


def test_elasticsearch_kwargs_accepted_by_the_client():
    kwargs = elasticsearch_kwargs(
        {"hosts": ["https://127.0.0.1:1"], "username": "u", "password": "p", "verify_certs": False, "max_retries": 0}
    )
    client = elasticsearch.Elasticsearch(**kwargs)  # builds without connecting
    client.close()


def test_typeless_mapping_request_per_version():
    from ansible_collections.esops.migration.plugins.module_utils._cluster import typeless_mapping_request

    mappings = {"properties": {"a": {"type": "keyword"}}}
    create = {"settings": {"index.number_of_replicas": 0}, "mappings": mappings}
    assert typeless_mapping_request("elasticsearch", (7, 17, 29), create, create=True) == ({}, create)
    assert typeless_mapping_request("opensearch", (1, 3, 20), mappings) == ({}, mappings)
    typeless = {"include_type_name": "false"}
    assert typeless_mapping_request("elasticsearch", (6, 8, 23), create, True) == (typeless, create)
    assert typeless_mapping_request("elasticsearch", (6, 8, 23), mappings) == (typeless, mappings)
    assert typeless_mapping_request("elasticsearch", (6, 5, 0), create, True) == (
        {}, {"settings": create["settings"], "mappings": {"_doc": mappings}})
    assert typeless_mapping_request("elasticsearch", (5, 6, 16), mappings) == ({}, {"doc": mappings})
    assert typeless_mapping_request("elasticsearch", (6, 5, 0), {"settings": {}}, True) == ({}, {"settings": {}})
