"""es_reindex_whitelist through ansible-playbook on real files, and a real node loading what it wrote."""

from __future__ import annotations

import os
import stat

from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module

BASE = """\
# ======================== Elasticsearch Configuration =========================
cluster.name: my-application
node.name: node-1

# ----------------------------------- Paths ------------------------------------
path.data: /var/lib/elasticsearch
http.port: 9200
"""


def test_adds_the_entry_once_with_check_diff_backup_and_mode_kept(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    config.chmod(0o640)
    args = dict(path=str(config), entries=["10.0.0.1:9200"], backup=True)

    predicted = run_module("es_reindex_whitelist", args, check=True, diff=True).result
    assert predicted["changed"] is True and predicted["restart_needed"] is True
    assert predicted["diff"]["after"] == BASE + 'reindex.remote.whitelist: "10.0.0.1:9200"\n'
    assert config.read_text() == BASE

    written = run_module("es_reindex_whitelist", args, diff=True).result
    assert written["changed"] is True and written["whitelist"] == ["10.0.0.1:9200"]
    assert config.read_text() == BASE + 'reindex.remote.whitelist: "10.0.0.1:9200"\n'
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o640
    assert open(written["backup_file"]).read() == BASE

    again = run_module("es_reindex_whitelist", args).result
    assert again["changed"] is False and again["restart_needed"] is False
    assert len(list(tmp_path.iterdir())) == 2  # the file and one backup, no second backup


def test_absent_and_exclusive(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE + "reindex.remote.whitelist:\n  - a.example.com:9200\n  - b.example.com:9200\n")
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["a.example.com:9200"], state="absent")).result
    assert result["changed"] and result["removed"] == ["a.example.com:9200"]
    assert config.read_text() == BASE + 'reindex.remote.whitelist:\n  - "b.example.com:9200"\n'

    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["c:9200"], exclusive=True)).result
    assert result["whitelist"] == ["c:9200"] and result["removed"] == ["b.example.com:9200"]

    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["c:9200"], state="absent")).result
    assert config.read_text() == BASE


def test_bad_entries_and_bad_files_fail_and_write_nothing(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["http://10.0.0.1:9200/"])).result
    assert result["failed"] and "use '10.0.0.1:9200'" in result["msg"]
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["10.0.0.1"])).result
    assert result["failed"] and "'10.0.0.1:9200'" in result["msg"]
    assert config.read_text() == BASE

    broken = BASE + "reindex.remote.whitelist: [unclosed\n"
    config.write_text(broken)
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["10.0.0.1:9200"])).result
    assert result["failed"] and "not valid YAML" in result["msg"] and config.read_text() == broken

    missing = tmp_path / "absent.yml"
    result = run_module("es_reindex_whitelist", dict(path=str(missing), entries=["h:9200"])).result
    assert result["failed"] and "create: true" in result["msg"] and not missing.exists()
    result = run_module("es_reindex_whitelist", dict(path=str(missing), entries=["h:9200"], create=True)).result
    assert result["changed"] and missing.read_text() == 'reindex.remote.whitelist: "h:9200"\n'


def test_a_real_node_loads_the_guides_block_scalar_form_as_edited(source, dest):
    """The guide's `>-` form with another host, edited by the module: the node accepts the source after restart."""
    original = dest.config_file.read_text()
    kept = "\n".join(line for line in original.splitlines() if not line.startswith("reindex.remote.whitelist")) + "\n"
    guide_form = kept + "reindex.remote.whitelist: >-\n  other-cluster.example.com:9200,\n  10.9.9.9:9200\n"
    dest.config_file.write_text(guide_form)
    try:
        result = run_module("es_reindex_whitelist", dict(path=str(dest.config_file), entries=[source.host_port])).result
        assert result["changed"] and result["whitelist"] == ["other-cluster.example.com:9200", "10.9.9.9:9200", source.host_port]
        assert dest.config_file.read_text().startswith(kept)
        dest.restart()
        nodes = dest.client.nodes.info(metric="settings", flat_settings=True)["nodes"]
        loaded = next(iter(nodes.values()))["settings"]
        whitelist = loaded.get("reindex.remote.whitelist")
        assert source.host_port in str(whitelist) and "10.9.9.9:9200" in str(whitelist)
        load_product_info(source.client)
        dest.client.options(ignore_status=404).indices.delete(index="whitelist_it")
        response = dest.client.reindex(
            source={"remote": {"host": source.url, "username": source.username, "password": source.password},
                    "index": PRODUCT_INDEX},
            dest={"index": "whitelist_it"}, refresh=True,
        )
        assert response["created"] == 6
    finally:
        dest.config_file.write_text(kept + 'reindex.remote.whitelist: "%s"\n' % source.host_port)
        dest.restart()
