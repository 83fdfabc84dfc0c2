"""es_reindex_whitelist's ssl option and ${VAR} placeholders through ansible-playbook on temporary files.

No cluster is needed: these tests request no cluster fixture.
"""

from __future__ import annotations

import json

from esops_testbed.support import run_module

BASE = """\
# ======================== Elasticsearch Configuration =========================
cluster.name: my-application
node.name: ${HOSTNAME}

reindex:
  remote:
    whitelist:
      - ${SOURCE_HOST}:9200
  ssl:
    verification_mode: none   # was a test setup
    key_passphrase: old-secret-value
path.data: /var/lib/elasticsearch
"""
CA = "/etc/elasticsearch/certs/source-ca.crt"
PASSPHRASE = "n3w-Pa55phrase-value"


def test_ssl_settings_with_check_diff_backup_and_idempotence(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    ssl = dict(certificate_authorities=[CA], verification_mode="full", key_passphrase=PASSPHRASE)
    args = dict(path=str(config), entries=["${SOURCE_HOST}:9200"], ssl=ssl, backup=True)

    predicted = run_module("es_reindex_whitelist", args, check=True, diff=True)
    result = predicted.result
    assert result["changed"] is True and result["restart_needed"] is True
    assert config.read_text() == BASE
    assert result["whitelist"] == ["${SOURCE_HOST}:9200"] and result["added"] == []
    assert result["ssl"] == {"certificate_authorities": [CA], "verification_mode": "full", "key_passphrase": "********"}
    # neither the new nor the old passphrase shows anywhere: diff, result or the playbook's output
    for secret in (PASSPHRASE, "old-secret-value"):
        assert secret not in json.dumps(result) and secret not in predicted.output
    assert '    key_passphrase: "********"\n' in result["diff"]["before"]
    assert '    key_passphrase: "********"\n' in result["diff"]["after"]

    written = run_module("es_reindex_whitelist", args, diff=True).result
    assert written["changed"] is True
    expected = BASE.replace(
        "    verification_mode: none   # was a test setup\n    key_passphrase: old-secret-value\n",
        '    verification_mode: "full"   # was a test setup\n    key_passphrase: "%s"\n' % PASSPHRASE,
    ) + 'reindex.ssl.certificate_authorities: ["%s"]\n' % CA
    assert config.read_text() == expected
    assert open(written["backup_file"]).read() == BASE
    assert PASSPHRASE not in json.dumps(written)
    # the predicted diff was what got written (apart from the masking)
    assert predicted.result["diff"]["after"] == expected.replace('"%s"' % PASSPHRASE, '"********"')

    again = run_module("es_reindex_whitelist", args, diff=True).result
    assert again["changed"] is False and again["restart_needed"] is False
    assert again["diff"]["before"] == again["diff"]["after"]
    assert config.read_text() == expected
    assert len(list(tmp_path.iterdir())) == 2  # the file and one backup


def test_only_given_ssl_suboptions_are_managed(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    args = dict(path=str(config), entries=["10.0.0.1:9200"], ssl=dict(supported_protocols=["TLSv1.3", "TLSv1.2"]))
    result = run_module("es_reindex_whitelist", args).result
    assert result["changed"] is True
    assert result["ssl"] == {"supported_protocols": ["TLSv1.3", "TLSv1.2"]}
    assert result["whitelist"] == ["${SOURCE_HOST}:9200", "10.0.0.1:9200"]
    text = config.read_text()
    # everything but the whitelist lines is byte-for-byte the same, the new setting is appended
    assert text.startswith(BASE.split("      - ${SOURCE_HOST}:9200\n", maxsplit=1)[0])
    assert BASE.split("      - ${SOURCE_HOST}:9200\n")[1] in text
    assert text.endswith('path.data: /var/lib/elasticsearch\nreindex.ssl.supported_protocols: ["TLSv1.3", "TLSv1.2"]\n')
    assert "node.name: ${HOSTNAME}\n" in text and "key_passphrase: old-secret-value\n" in text


def test_bad_ssl_values_fail_and_write_nothing(tmp_path):
    config = tmp_path / "elasticsearch.yml"
    config.write_text(BASE)
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["h:9200"], ssl=dict(verification_mode="strict"))).result
    assert result["failed"] and "verification_mode" in result["msg"]
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["h:9200"], ssl=dict(certificate=" "))).result
    assert result["failed"] and "ssl.certificate is empty" in result["msg"] and "Nothing was written" in result["msg"]
    twice = BASE + "reindex.ssl.verification_mode: full\n"
    config.write_text(twice)
    result = run_module("es_reindex_whitelist", dict(path=str(config), entries=["h:9200"], ssl=dict(verification_mode="full"))).result
    assert result["failed"] and "more than once" in result["msg"]
    assert config.read_text() == twice
