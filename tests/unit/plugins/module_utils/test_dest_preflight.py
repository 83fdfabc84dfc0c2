"""Unit tests for _dest_preflight: watermarks, room, data streams and the plan, from answers as uri registers them."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils import _dest_preflight as dp
from ansible_collections.esops.migration.plugins.module_utils._preflight import MODULE_NAMES

GIB = 1024 ** 3


def answer(json, status=200):
    return dict(status=status, json=json)


def fs(*nodes):
    return answer({"nodes": {
        name: dict(name=name, roles=roles, fs={"total": dict(total_in_bytes=total, available_in_bytes=available)})
        for name, roles, total, available in nodes}})


def disk(**levels):
    return answer({level: {"cluster": {"routing": {"allocation": {"disk": values}}}} for level, values in levels.items()})


def stats(source, size):
    return dict(item={"source": source}, **answer({"_all": {"primaries": {"store": {"size_in_bytes": size}}}}))


@pytest.mark.parametrize("text, parsed", [("90%", ("ratio", 0.9)), ("0.85", ("ratio", 0.85)),
                                          ("500mb", ("bytes", 500 * 1024 ** 2)), ("1gb", ("bytes", GIB)),
                                          ("10b", ("bytes", 10)), ("nonsense", None), ("150%", None)])
def test_parse_watermark(text, parsed):
    assert dp.parse_watermark(text) == parsed


def test_percentage_watermark_keeps_its_share_free_and_transient_wins_over_defaults():
    nodes = fs(("n1", ["data"], 100 * GIB, 30 * GIB), ("m1", ["master"], 100 * GIB, 90 * GIB))
    settings = disk(defaults={"threshold_enabled": "true", "watermark": {"high": "90%"}},
                    transient={"watermark": {"high": "80%"}})
    rooms, said = dp.node_room(nodes, settings)
    assert rooms == [("n1", 30 * GIB, 10 * GIB)] and said.endswith("watermark.high 80%")
    assert dp.room_problems([stats("a", 10 * GIB)], nodes, settings) == []
    (problem,) = dp.room_problems([stats("a", 10 * GIB + 1)], nodes, settings)
    assert "need 10.0 GiB (%d bytes)" % (10 * GIB + 1) in problem and "10.0 GiB (%d bytes) usable" % (10 * GIB) in problem


def test_byte_watermark_max_headroom_and_disabled_threshold():
    nodes = fs(("n1", ["data_hot", "ingest"], 1000 * GIB, 200 * GIB))
    assert dp.node_room(nodes, disk(defaults={"watermark": {"high": "150gb"}}))[0] == [("n1", 200 * GIB, 50 * GIB)]
    headroom = disk(defaults={"watermark": {"high": "90%", "high.max_headroom": "20gb"}})
    assert dp.node_room(nodes, headroom)[0] == [("n1", 200 * GIB, 180 * GIB)]
    disabled = disk(defaults={"threshold_enabled": "false", "watermark": {"high": "90%"}})
    assert dp.node_room(nodes, disabled)[0] == [("n1", 200 * GIB, 200 * GIB)]


def test_room_not_checkable_is_a_note_not_a_problem():
    forbidden = dict(item={"source": "a"}, status=403, json={})
    assert dp.room_problems([forbidden], fs(("n1", ["data"], GIB, GIB)), disk()) == []
    assert "index privilege monitor" in dp.room_notes([forbidden], fs(("n1", ["data"], GIB, GIB)))[0]


def test_data_stream_destinations_by_name_alias_and_template():
    streams = answer({"data_streams": [{"name": "logs-app"}]})
    templates = answer({"index_templates": [{"name": "t", "index_template": {"index_patterns": ["logs-*"],
                                                                             "data_stream": {}}}]})
    dests = [("logs-app", True, {}), ("logs-alias", True, answer({"logs-app": {"aliases": {"logs-alias": {}}}})),
             ("logs-new", False, {}), ("plain", False, {}), ("logs-old-index", True, answer({}, 404))]
    problems = dp.data_stream_problems(dests, "overwrite", streams, templates)
    assert [problem.split("'")[1] for problem in problems] == ["logs-app", "logs-alias", "logs-new"]
    assert "alias onto the data stream logs-app" in problems[1] and "remote_reindex_mode overwrite" in problems[0]
    assert dp.data_stream_problems(dests, "create", streams, templates) == []


def test_dest_credentials_refused_stop_the_other_checks():
    (problem,) = dp.dest_problems(dict(root=answer({}, 401)), "sync", "https://d:9200", "admin")
    assert "refused the credentials of user 'admin'" in problem


def test_es_preflight_answers_name_the_module_options_and_the_role_keeps_its_variables():
    """es_preflight's answers: exists and aliases per index entry (item); hints name the options it was given."""
    streams = answer({"data_streams": [{"name": "logs-app"}]})
    answers = dict(root=answer({}), streams=streams, templates=answer({"index_templates": []}),
                   exists=[dict(item={"source": "old", "dest": "logs-app"}, status=200)],
                   aliases=[dict(item={"source": "old", "dest": "logs-app"}, **answer({}, 404))])
    (as_module,) = dp.dest_problems_of(answers, "sync", "https://d:9200", "admin", MODULE_NAMES)
    assert "Destination 'logs-app' is a data stream" in as_module
    assert "mode sync cannot write there" in as_module and "Set mode: create" in as_module
    (as_role,) = dp.dest_problems_of(answers, "sync", "https://d:9200", "admin")
    assert "remote_reindex_mode sync" in as_role and "Set remote_reindex_mode: create" in as_role
    (refused,) = dp.dest_problems_of(dict(root=answer({}, 401)), "create", "https://d:9200", None, MODULE_NAMES)
    assert refused.endswith("user '(none)' (HTTP 401): check username and password.")


def test_plan_names_files_restarts_indices_and_documents():
    nodes_settings = answer({"nodes": {"x": {"name": "es-1", "settings": {"reindex.remote.whitelist.0": "a:9200"}}}})
    plan = dp.migration_plan(
        [{"source": "src", "dest": "dst"}, {"source": "other", "max_docs": 3}],
        dict(setting="reindex.remote.whitelist", entry="s:9200", nodes_settings=nodes_settings,
             restart_method="command", checks=[dict(host="h1", path="/etc/es.yml", changed=True),
                                               dict(host="h2", path="/etc/es.yml", changed=False)]),
        [answer(None, 404), answer(None, 200)], [answer({"count": 6}), answer({"count": 10})],
        dict(stats=[stats("src", 2048)], fs=fs(("es-1", ["data"], 100 * GIB, 50 * GIB)), disk_settings=disk()))
    assert plan["whitelist"]["files"] == [dict(host="h1", path="/etc/es.yml")] and plan["whitelist"]["restart"] == ["h1"]
    assert plan["whitelist"]["loaded"] == {"es-1": ["a:9200"]}
    assert [(index["dest"], index["create"], index["documents"]) for index in plan["indices"]] == [
        ("dst", True, 6), ("other", False, 3)]
    assert plan["summary"][:4] == [
        "Node es-1 has loaded reindex.remote.whitelist: a:9200.",
        "h1: add s:9200 to reindex.remote.whitelist in /etc/es.yml, then restart the node.",
        "Index dst: create it, copy 6 documents from src.",
        "Index other: exists, keep it, copy 3 documents from other."]
    assert plan["room"] == dict(need=2048, usable=40 * GIB)
