"""es_verify's requests per server version, against scripted answers: vectors asked for on Elasticsearch 9.2+
(no 9.x server here), random_score without a field on 5.x."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._cluster import Cluster
from ansible_collections.esops.migration.plugins.module_utils._verify import fetch_source, random_score
from ansible_collections.esops.migration.plugins.modules import es_verify

# A hit of Elasticsearch 9.2 asked with _source.exclude_vectors false: the dense_vector value is in _source.
HIT = {"_index": "v", "_id": "1", "_source": {"title": "a", "embedding": [0.5, 10.0, 6.0]}}


class ScriptedTransport:
    library = "elasticsearch"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, params=None, body=None):
        self.requests.append((method, url, params, body))
        return self.answers.pop(0)


def test_content_pages_ask_for_vectors_on_9_2_and_later_only():
    assert fetch_source("elasticsearch", (9, 2, 0)) == {"exclude_vectors": False}
    assert fetch_source("elasticsearch", (9, 1, 5)) is True
    assert fetch_source("opensearch", (9, 9, 0)) is True
    assert fetch_source("elasticsearch", (9, 2, 0), with_source=False) is False


def test_a_scroll_of_a_9_2_index_asks_for_vectors_and_compares_them():
    cluster = Cluster(ScriptedTransport({"_scroll_id": "s", "hits": {"hits": [HIT]}}, {"hits": {"hits": []}}, {}),
                      "elasticsearch", (9, 2, 0))
    pages = list(es_verify.scan(cluster, "v", None, True, 10, "scroll"))
    assert pages == [[HIT]]
    assert cluster.transport.requests[0][3]["_source"] == {"exclude_vectors": False}


def test_the_sample_looks_documents_up_with_vectors_on_9_2():
    answer = {"hits": {"total": {"value": 1, "relation": "eq"}, "hits": [HIT]}}
    source = Cluster(ScriptedTransport(answer), "elasticsearch", (9, 2, 0))
    dest = Cluster(ScriptedTransport(answer), "elasticsearch", (9, 3, 1))
    outcome = es_verify.compare_sample(source, dest, "v", "v", None, 10, 5)
    assert outcome["compared"] == 1 and outcome["mismatched"] == 0 and outcome["missing"] == 0
    sampled, looked_up = source.transport.requests[0][3], dest.transport.requests[0][3]
    assert sampled["_source"] == looked_up["_source"] == {"exclude_vectors": False}
    assert looked_up["query"] == {"ids": {"values": ["1"]}}
    assert sampled["query"]["function_score"]["random_score"]["field"] == "_seq_no"


def test_random_score_has_no_field_on_5_x():
    assert random_score("elasticsearch", (5, 6, 16), 7) == {"seed": 7}
    assert random_score("elasticsearch", (6, 8, 23), 7) == {"seed": 7, "field": "_seq_no"}
    assert random_score("opensearch", (1, 3, 20), 7) == {"seed": 7, "field": "_seq_no"}
