"""es_reindex from an https remote: nginx (esops_testbed/tls_proxy.py) in front of source checks its own password or API key, and
dest trusts the proxy's CA through reindex.ssl.certificate_authorities, set by es_reindex_whitelist."""

from __future__ import annotations

import shutil

import pytest

from esops_testbed.cluster_support import PORT_BASE
from esops_testbed.guide_data import PRODUCT_DOCS, PRODUCT_IDS, PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module
from esops_testbed.tls_proxy import PROXY_API_KEY, PROXY_PASSWORD, PROXY_USER, TlsProxy, closed_port

DEST_INDEX = "reindex_https_it"
CA_NAME = "tls-proxy-ca.pem"


class HttpsRemote:
    def __init__(self, proxy, dead_port):
        self.url = "https://localhost:%d" % proxy.port
        self.untrusted_url = "https://localhost:%d" % proxy.untrusted_port
        self.dead_url = "https://localhost:%d" % dead_port


@pytest.fixture(scope="module")
def https_remote(source, dest, tmp_path_factory):
    """The proxy running, dest trusting its CA and whitelisting its ports (one restart).

    At the end dest's elasticsearch.yml gets its original text back, without a restart: until its next restart the
    node keeps trusting the CA (its copy stays in place) and accepting the proxy's ports, where nothing listens any
    more, which no other test notices; the fixtures that need another whitelist rewrite the file and restart.
    """
    proxy = TlsProxy(tmp_path_factory.mktemp("tls-proxy"), source.url, source.username, source.password,
                     port=PORT_BASE + 30, untrusted_port=PORT_BASE + 32).start()
    original_config = dest.config_file.read_text()
    # The node (an unprivileged user when the tests run as root) reads the CA from its own config directory.
    ca_copy = dest.config_file.parent / CA_NAME
    shutil.copyfile(proxy.ca_file, ca_copy)
    ca_copy.chmod(0o644)
    dead_port = closed_port()
    entries = ["localhost:%d" % port for port in (proxy.port, proxy.untrusted_port, dead_port)]
    try:
        configured = run_module("es_reindex_whitelist", dict(
            path=str(dest.config_file), entries=entries, ssl=dict(certificate_authorities=[str(ca_copy)]),
        )).result
        assert configured.get("changed") and configured["restart_needed"], configured
        dest.restart()
        load_product_info(source.client)
        yield HttpsRemote(proxy, dead_port)
    finally:
        proxy.stop()
        dest.config_file.write_text(original_config)


@pytest.fixture()
def reindex_args(https_remote, dest):
    """Module arguments for a copy from the proxy with its basic-auth user, into an empty DEST_INDEX."""
    dest.client.options(ignore_status=404).indices.delete(index=DEST_INDEX)
    return dict(
        dest.connection(),
        remote=dict(host=https_remote.url, username=PROXY_USER, password=PROXY_PASSWORD, connect_timeout="10s",
                    socket_timeout="1m"),
        source_index=PRODUCT_INDEX,
        dest_index=DEST_INDEX,
    )


def dest_docs(dest):
    if not dest.client.indices.exists(index=DEST_INDEX):
        return {}
    dest.client.indices.refresh(index=DEST_INDEX)
    hits = dest.client.search(index=DEST_INDEX, size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def test_basic_auth_through_tls_copies_then_a_rerun_writes_nothing(reindex_args, dest):
    first = run_module("es_reindex", reindex_args).result
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] is True and first["created"] == len(PRODUCT_IDS)
    assert dest_docs(dest) == dict(zip(PRODUCT_IDS, PRODUCT_DOCS))

    second = run_module("es_reindex", reindex_args).result
    assert not second.get("failed"), second.get("msg")
    assert second["changed"] is False and second["created"] == 0
    assert second["version_conflicts"] == len(PRODUCT_IDS)


@pytest.mark.parametrize("how", ["headers", "api_key"])
def test_an_api_key_copies(reindex_args, dest, how):
    # remote.api_key: before 9.3 the module sends it as the same Authorization header, which the proxy checks.
    credentials = {"headers": {"Authorization": "ApiKey " + PROXY_API_KEY}} if how == "headers" else {
        "api_key": PROXY_API_KEY}
    reindex_args["remote"] = dict(reindex_args["remote"], username=None, password=None, **credentials)
    run = run_module("es_reindex", reindex_args, verbosity=3)
    assert not run.result.get("failed"), run.result.get("msg")
    assert run.result["created"] == len(PRODUCT_IDS)
    assert dest_docs(dest) == dict(zip(PRODUCT_IDS, PRODUCT_DOCS))
    assert PROXY_API_KEY not in run.output


def test_wrong_password_says_the_remote_refused_the_credentials(reindex_args, dest):
    reindex_args["remote"]["password"] = "not-the-proxy-secret"
    result = run_module("es_reindex", reindex_args).result
    assert result["failed"]
    assert "refused the credentials" in result["msg"], result["msg"]
    assert "not-the-proxy-secret" not in str(result)
    assert dest_docs(dest) == {}


def test_unreachable_remote_says_to_check_host_port_and_reachability(https_remote, reindex_args, dest):
    reindex_args["remote"]["host"] = https_remote.dead_url
    result = run_module("es_reindex", reindex_args).result
    assert result["failed"]
    assert "cannot connect to %s" % https_remote.dead_url in result["msg"], result["msg"]
    assert "check the remote host and port" in result["msg"]
    assert dest_docs(dest) == {}


def test_host_without_port_fails_before_sending_with_an_example(reindex_args):
    reindex_args["remote"]["host"] = "https://localhost"
    result = run_module("es_reindex", reindex_args).result
    assert result["failed"]
    assert "no port" in result["msg"] and "https://localhost:9200" in result["msg"], result["msg"]


def test_a_certificate_from_a_ca_dest_does_not_trust_is_refused(https_remote, reindex_args, dest):
    reindex_args["remote"]["host"] = https_remote.untrusted_url
    result = run_module("es_reindex", reindex_args).result
    assert result["failed"]
    assert "reindex.ssl.certificate_authorities" in result["msg"], result["msg"]
    assert dest_docs(dest) == {}
