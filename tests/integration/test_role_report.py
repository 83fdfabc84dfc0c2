"""remote_reindex_report_dir: the run's record as JSON, Markdown and HTML on the controller, with no secret in it,
and a chart of docs/s over the copy drawn from the samples es_reindex took while following it."""

from __future__ import annotations

import json
import re

from elasticsearch import helpers

from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook
from test_role_migration import one_node_inventory, role_vars

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
COPY = "report_copy"
# An index whose copy lasts several looks at the task: 2000 documents pulled 20 at a time (100 scroll batches).
SLOW_SOURCE, SLOW_COPY, SLOW_DOCS = "report_slow", "report_slow_copy", 2000


def load_slow_source(source):
    if source.client.options(ignore_status=404).count(index=SLOW_SOURCE).get("count") != SLOW_DOCS:
        source.client.options(ignore_status=404).indices.delete(index=SLOW_SOURCE)
        helpers.bulk(source.client, ({"_index": SLOW_SOURCE, "_id": str(n), "_source": {"n": n}}
                                     for n in range(SLOW_DOCS)), refresh=True)


def chart_steps(html, dest_index):
    """(x, y) points of the index's line in the docs/s-over-time chart of the HTML report."""
    line = re.search(r'<polyline class="rate"[^>]* points="([^"]*)"><title>%s: ' % re.escape(dest_index), html)
    assert line, html
    return [tuple(float(value) for value in point.split(",")) for point in line.group(1).split()]


def test_the_report_holds_the_figures_a_chart_of_the_copy_and_no_secret(whitelisted, tmp_path):
    source, dest = whitelisted
    load_product_info(source.client)
    load_slow_source(source)
    dest.client.options(ignore_status=404).indices.delete(index=[COPY, SLOW_COPY])
    reports = tmp_path / "reports"
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest, remote_reindex_report_dir=str(reports),
        remote_reindex_indices=[{"source": PRODUCT_INDEX, "dest": COPY},
                                {"source": SLOW_SOURCE, "dest": SLOW_COPY, "size": 20}]))
    assert run.rc == 0, run.output[-3000:]

    (json_file,) = reports.glob("remote_reindex-*.json")
    (markdown_file,) = reports.glob("remote_reindex-*.md")
    (html_file,) = reports.glob("remote_reindex-*.html")
    assert json_file.stem == markdown_file.stem == html_file.stem
    report = json.loads(json_file.read_text())
    assert report["source"] == source.host_port and report["dest_nodes"] == ["dest-node-0"]
    assert report["restarted_nodes"] == [] and report["mode"] == "create"
    index, slow = report["result"]["indices"]
    assert (index["source"], index["dest"], index["created"]) == (PRODUCT_INDEX, COPY, 6)
    assert index["dest_count"] == dest.client.count(index=COPY)["count"] == 6
    assert (slow["dest"], slow["created"], slow["dest_count"]) == (SLOW_COPY, SLOW_DOCS, SLOW_DOCS)
    assert report["result"]["ok"] is True and index["verify"]["outcome"] == "match"

    # Samples taken while the copy ran: from nothing, through documents part-way, to every document.
    samples = slow["progress"]
    seconds = [sample["seconds"] for sample in samples]
    documents = [sample["documents"] for sample in samples]
    assert seconds == sorted(set(seconds)) and documents == sorted(documents), samples
    assert documents[0] == 0 and documents[-1] == SLOW_DOCS, samples
    assert any(0 < count < SLOW_DOCS for count in documents), samples  # looked at while it ran, not only at the end
    rates = [(later["documents"] - earlier["documents"]) / (later["seconds"] - earlier["seconds"])
             for earlier, later in zip(samples, samples[1:])]
    assert [sample["docs_per_second"] for sample in samples[1:]] == [round(rate, 1) for rate in rates]
    assert slow["peak_docs_per_second"] == max(round(rate, 1) for rate in rates)

    markdown = markdown_file.read_text()
    assert "| `%s` | `%s` | 6 | 6 | 6 | 0 | 0 | 0 |" % (PRODUCT_INDEX, COPY) in markdown, markdown
    assert "## Progress of `%s`" % SLOW_COPY in markdown, markdown
    for sample in samples[1:]:
        assert "| %s | %s | %s |" % (sample["seconds"], sample["documents"], sample["docs_per_second"]) in markdown

    html = html_file.read_text()
    assert "<tr><td>%s</td><td>%s</td><td class=\"n\">6</td><td class=\"n\">6</td><td class=\"n\">6</td>" % (
        PRODUCT_INDEX, COPY) in html, html
    assert "<svg" in html and "<rect" in html and "%s: %s docs/s" % (COPY, index["docs_per_second"]) in html
    # The line of the slow copy: a level step per interval between samples, higher where the copy went faster.
    steps = chart_steps(html, SLOW_COPY)
    assert len(steps) == 2 * len(rates) >= 4, steps
    heights = [200 - y for _x, y in steps[::2]]
    assert [x for x, _y in steps] == sorted(x for x, _y in steps) and steps[-1][0] > steps[0][0]
    peak = max(index["peak_docs_per_second"] or 0, slow["peak_docs_per_second"], 1)  # the chart's scale
    for height, rate in zip(heights, rates):
        assert abs(height - rate / peak * 180) <= 1, (heights, rates)
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "Index %s: create it, copy 6 documents from %s." % (COPY, PRODUCT_INDEX) in html
    for text in (json_file.read_text(), markdown, html):
        for secret in (source.password, dest.password, source.username, dest.username):
            assert secret not in text
