"""remote_reindex_report_dir: the run's record as JSON and Markdown on the controller, with no secret in it."""

from __future__ import annotations

import json

from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook
from test_role_migration import one_node_inventory, role_vars

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
COPY = "report_copy"


def test_the_report_holds_the_figures_and_no_secret(whitelisted, tmp_path):
    source, dest = whitelisted
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index=COPY)
    reports = tmp_path / "reports"
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest, remote_reindex_report_dir=str(reports),
        remote_reindex_indices=[{"source": PRODUCT_INDEX, "dest": COPY}]))
    assert run.rc == 0, run.output[-3000:]

    (json_file,) = reports.glob("remote_reindex-*.json")
    (markdown_file,) = reports.glob("remote_reindex-*.md")
    (html_file,) = reports.glob("remote_reindex-*.html")
    assert json_file.stem == markdown_file.stem == html_file.stem
    report = json.loads(json_file.read_text())
    assert report["source"] == source.host_port and report["dest_nodes"] == ["dest-node-0"]
    assert report["restarted_nodes"] == [] and report["mode"] == "create"
    (index,) = report["result"]["indices"]
    assert (index["source"], index["dest"], index["created"]) == (PRODUCT_INDEX, COPY, 6)
    assert index["dest_count"] == dest.client.count(index=COPY)["count"] == 6
    assert report["result"]["ok"] is True and index["verify"]["outcome"] == "match"

    markdown = markdown_file.read_text()
    assert "| `%s` | `%s` | 6 | 6 | 6 | 0 | 0 | 0 |" % (PRODUCT_INDEX, COPY) in markdown, markdown
    html = html_file.read_text()
    assert "<tr><td>%s</td><td>%s</td><td class=\"n\">6</td><td class=\"n\">6</td><td class=\"n\">6</td>" % (
        PRODUCT_INDEX, COPY) in html, html
    assert "<svg" in html and "<rect" in html and "%s: %s docs/s" % (COPY, index["docs_per_second"]) in html
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "Index %s: create it, copy 6 documents from %s." % (COPY, PRODUCT_INDEX) in html
    for text in (json_file.read_text(), markdown, html):
        for secret in (source.password, dest.password, source.username, dest.username):
            assert secret not in text
