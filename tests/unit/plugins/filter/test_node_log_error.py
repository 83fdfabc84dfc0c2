"""Unit tests for the esops.migration.node_log_error filter, on log text Elasticsearch 7.17.29 wrote here."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.node_log_error import FilterModule

# What a 7.17.29 node logged when reindex.ssl.certificate_authorities named a file that does not exist (shortened).
MISSING_CA_LOG = """\
[2026-11-26T10:13:30,101][INFO ][o.e.n.Node               ] [rol-probe-0] version[7.17.29], pid[5801]
[2026-11-26T10:13:33,700][ERROR][o.e.b.Bootstrap          ] [rol-probe-0] Exception
org.elasticsearch.common.ssl.SslConfigException: cannot configure trust using PEM certificates [/x/config/missing-ca.pem] \
because one or more files do not exist
\tat org.elasticsearch.common.ssl.PemTrustConfig.loadCertificates(PemTrustConfig.java:75) ~[?:?]
[2026-11-26T10:13:33,776][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [rol-probe-0] uncaught exception in \
thread [main]
org.elasticsearch.bootstrap.StartupException: org.elasticsearch.common.ssl.SslConfigException: cannot configure trust \
using PEM certificates [/x/config/missing-ca.pem] because one or more files do not exist
\tat org.elasticsearch.bootstrap.Elasticsearch.init(Elasticsearch.java:173) ~[elasticsearch-7.17.29.jar:7.17.29]
Caused by: org.elasticsearch.common.ssl.SslConfigException: cannot configure trust using PEM certificates
\t... 6 more
[2026-11-26T10:13:34,001][INFO ][o.e.n.Node               ] [rol-probe-0] stopping ...
"""


@pytest.fixture
def node_log_error():
    return FilterModule().filters()["node_log_error"]


def test_the_last_error_entry_gives_the_exception_message_without_class_names(node_log_error):
    assert node_log_error(MISSING_CA_LOG) == (
        "cannot configure trust using PEM certificates [/x/config/missing-ca.pem] because one or more files do not exist"
    )


def test_a_message_on_the_header_line_is_the_reason(node_log_error):
    log = "[2026-01-01T00:00:00,000][ERROR][o.e.b.Bootstrap] [n] node validation exception: bootstrap checks failed\n"
    assert node_log_error(log) == "node validation exception: bootstrap checks failed"


def test_json_log_lines(node_log_error):
    log = (
        '{"@timestamp": "2026-01-01T00:00:00Z", "log.level": "INFO", "message": "starting"}\n'
        '{"@timestamp": "2026-01-01T00:00:01Z", "log.level":"ERROR", "message":"fatal exception while booting",'
        ' "error.message":"unknown setting [reindex.remote.whitelst] did you mean [reindex.remote.whitelist]?"}\n'
    )
    assert node_log_error(log) == "unknown setting [reindex.remote.whitelst] did you mean [reindex.remote.whitelist]?"


def test_no_error_gives_an_empty_string(node_log_error):
    assert node_log_error("[2026-01-01T00:00:00,000][INFO ][o.e.n.Node] [n] started\n") == ""
    assert node_log_error("") == ""


def test_not_text_is_refused(node_log_error):
    with pytest.raises(AnsibleFilterError, match="text of the node's log"):
        node_log_error(None)
