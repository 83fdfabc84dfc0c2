"""Issue 13: es_reindex_whitelist on real files it must not break: symlinks, and files it cannot replace.

The tests run as root, which ignores permission bits; an immutable attribute (chattr +i) stops root too.
"""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest

from esops_testbed.support import run_module

BASE = "cluster.name: my-application\nhttp.port: 9200\n"
LINE = 'reindex.remote.whitelist: "10.0.0.1:9200"\n'


@contextlib.contextmanager
def immutable(path):
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def stray_temp_files(directory):
    return [path.name for path in directory.iterdir() if path.name.startswith(".elasticsearch.yml.")]


def test_a_symlinked_file_is_edited_at_its_target_and_the_link_kept(tmp_path):
    (tmp_path / "managed").mkdir()
    (tmp_path / "etc").mkdir()
    target = tmp_path / "managed" / "elasticsearch.yml"
    target.write_text(BASE)
    link = tmp_path / "etc" / "elasticsearch.yml"
    link.symlink_to("../managed/elasticsearch.yml")

    result = run_module("es_reindex_whitelist", dict(path=str(link), entries=["10.0.0.1:9200"], backup=True)).result
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == BASE + LINE
    assert result["backup_file"].startswith(str(target.parent)) and open(result["backup_file"]).read() == BASE
    assert stray_temp_files(target.parent) == [] and sorted(p.name for p in (tmp_path / "etc").iterdir()) == [
        "elasticsearch.yml"]
    assert run_module("es_reindex_whitelist", dict(path=str(link), entries=["10.0.0.1:9200"])).result["changed"] is False


def test_a_directory_where_no_file_can_be_created_fails_naming_it_and_leaves_nothing(tmp_path):
    config = tmp_path / "conf" / "elasticsearch.yml"
    config.parent.mkdir()
    config.write_text(BASE)
    with immutable(config.parent):
        result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["10.0.0.1:9200"], backup=True)).result
        assert result["failed"], result
        assert str(config.parent) in result["msg"] and "writable" in result["msg"], result["msg"]
        assert "Errno" not in result["msg"] and "Traceback" not in result.get("exception", "")
    assert config.read_text() == BASE and sorted(p.name for p in config.parent.iterdir()) == ["elasticsearch.yml"]


def test_a_file_that_cannot_be_replaced_fails_naming_it_and_leaves_nothing(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    with immutable(config):
        result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["10.0.0.1:9200"])).result
        assert result["failed"], result
        assert str(config) in result["msg"] and "cannot be replaced" in result["msg"], result["msg"]
        assert "failed final rename" not in result["msg"]
    assert config.read_text() == BASE and sorted(p.name for p in tmp_path.iterdir()) == ["elasticsearch.yml"]


# --- entries: validation that tells the truth --------------------------------------------------------------------


def test_a_port_above_65535_is_refused_and_nothing_written(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["10.0.0.1:99999"])).result
    assert result["failed"] and "1 to 65535" in result["msg"] and config.read_text() == BASE


@pytest.mark.parametrize("entry", ["*", {"host": "10.0.0.1", "port": 9200}])
def test_the_advice_for_a_bad_entry_is_accepted_by_the_module(tmp_path, entry):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    refused = run_module("es_reindex_whitelist", dict(path=str(config), entries=[entry])).result
    assert refused["failed"] and config.read_text() == BASE
    if isinstance(entry, dict):
        assert "not a string" in refused["msg"] and "several entries" not in refused["msg"], refused["msg"]
    advised = re.findall(r"(?:use|such as) '([^']*)'", refused["msg"])
    assert advised, refused["msg"]
    accepted = run_module("es_reindex_whitelist", dict(path=str(config), entries=advised)).result
    assert not accepted.get("failed"), accepted.get("msg")
    assert accepted["whitelist"] == advised
