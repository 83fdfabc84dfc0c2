"""The role's cutover on real nodes: a writer inserts, updates and deletes on the source during the whole run; the
role catches up, blocks writes, verifies and moves the alias; nothing the source acknowledged is lost.

Uses the session clusters source and dest (dest whitelists source) with indices of its own.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time

import pytest
from elasticsearch import ApiError

from esops_testbed.support import REPO_ROOT, run_module, run_playbook
from test_role_migration import one_node_inventory, role_vars

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
SOURCE_INDEX = "cutover_orders"
DEST_INDEX = "cutover_orders_v2"
OLD_INDEX = "cutover_orders_v1"
ALIAS = "orders"
SEEDED = 2000
WRITERS = 3  # threads, each on its own ids, so one slow answer does not stall every write
MAPPINGS = {"properties": {"number": {"type": "integer"}, "status": {"type": "keyword"},
                           "updated_at": {"type": "date", "format": "epoch_millis"}}}


def now_ms():
    return int(time.time() * 1000)


class Writer(threading.Thread):
    """Inserts, updates and deletes its share of the ids on the source as fast as it can; logs every acknowledged write
    and stops at the first write refused by the write block (or when told to)."""

    def __init__(self, client, number):
        super().__init__(daemon=True)
        self.client = client
        self.number = number
        self.live = ["seed-%d" % n for n in range(number, SEEDED, WRITERS)]
        self.last = {}  # id -> ("index", version, body) or ("delete", version, None), acknowledged only
        self.acknowledged = 0
        self.refused = 0
        self.unknown = set()  # ids whose last write neither was acknowledged nor refused
        self.stop = threading.Event()
        self.seconds = 0.0

    def one_write(self, rng, serial):
        choice = rng.random()
        if choice < 0.5 or len(self.live) < 100:
            doc_id, op = "new-%d-%d" % (self.number, serial), "index"
        else:
            doc_id = self.live[rng.randrange(len(self.live))]
            op = "delete" if choice > 0.85 else "index"
        body = {"number": serial, "status": rng.choice(["new", "paid", "sent"]), "updated_at": now_ms()}
        try:
            if op == "delete":
                response = self.client.delete(index=SOURCE_INDEX, id=doc_id)
                self.live.remove(doc_id)
            else:
                response = self.client.index(index=SOURCE_INDEX, id=doc_id, document=body)
                if doc_id.startswith("new-"):
                    self.live.append(doc_id)
        except ApiError as exc:
            if "cluster_block_exception" in str(exc):
                self.refused += 1
                return False
            self.unknown.add(doc_id)
            return True
        self.last[doc_id] = (op, response["_version"], body if op == "index" else None)
        self.acknowledged += 1
        return True

    def run(self):
        rng = random.Random(18 + self.number)
        started = time.monotonic()
        serial = 0
        while not self.stop.is_set():
            serial += 1
            if not self.one_write(rng, serial):
                break
        self.seconds = time.monotonic() - started


@pytest.fixture()
def orders(whitelisted):
    """A seeded source index, no destination index, and an older index on dest holding the application's alias."""
    source, dest = whitelisted
    source.client.options(ignore_status=404).indices.delete(index=SOURCE_INDEX)
    for index in (DEST_INDEX, OLD_INDEX):
        dest.client.options(ignore_status=404).indices.delete(index=index)
    source.client.indices.create(index=SOURCE_INDEX, mappings=MAPPINGS)
    old_stamp = now_ms() - 86400000
    operations = []
    for number in range(SEEDED):
        operations += [{"index": {"_index": SOURCE_INDEX, "_id": "seed-%d" % number}},
                       {"number": number, "status": "new", "updated_at": old_stamp + number}]
    source.client.bulk(operations=operations, refresh=True)
    dest.client.indices.create(index=OLD_INDEX, mappings=MAPPINGS, aliases={ALIAS: {}})
    yield source, dest
    source.client.options(ignore_status=404).indices.put_settings(index=SOURCE_INDEX,
                                                                  settings={"index.blocks.write": None})


def cutover_vars(source, dest, reports, **overrides):
    settings = dict(
        remote_reindex_cutover=True, remote_reindex_alias=ALIAS, remote_reindex_cutover_field="updated_at",
        remote_reindex_cutover_overlap="5s", remote_reindex_cutover_max_changes=50, remote_reindex_cutover_max_rounds=2,
        remote_reindex_report_dir=str(reports),
        remote_reindex_indices=[{"source": SOURCE_INDEX, "dest": DEST_INDEX, "copy_from": True}])
    settings.update(overrides)
    return role_vars(source, dest, **settings)


def cutover_report(reports):
    """remote_reindex_result.cutover of the newest report."""
    newest = sorted(reports.glob("remote_reindex-*.json"))[-1]
    return json.loads(newest.read_text())["result"]["cutover"]


def verify_content(source, dest):
    args = dict(dest.connection(), dest_index=DEST_INDEX, level="content", source=dict(
        hosts=[source.url], username=source.username, password=source.password, index=SOURCE_INDEX))
    return run_module("es_verify", args).result


def dest_docs(dest):
    dest.client.indices.refresh(index=DEST_INDEX)
    found = {}
    for hit in dest.client.search(index=DEST_INDEX, size=10000, version=True, sort=["_doc"])["hits"]["hits"]:
        found[hit["_id"]] = (hit["_version"], hit["_source"])
    return found


def run_with_writers(source, dest, tmp_path, reports):
    """The role's cutover while WRITERS threads write to the source; the writers."""
    writers = [Writer(source.client, number) for number in range(WRITERS)]
    for writer in writers:
        writer.start()
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=cutover_vars(source, dest, reports))
    for writer in writers:
        writer.stop.set()
        writer.join(30)
    assert run.rc == 0, run.output[-6000:]
    acknowledged = sum(writer.acknowledged for writer in writers)
    seconds = max(writer.seconds for writer in writers)
    print("writers: %d acknowledged writes in %.1f s (%.0f/s), %d refused by the block, %d unknown"
          % (acknowledged, seconds, acknowledged / max(seconds, 0.001), sum(writer.refused for writer in writers),
             sum(len(writer.unknown) for writer in writers)))
    # Every writer ran until the block refused it: every acknowledged write came before the block.
    assert [writer.refused for writer in writers] == [1] * WRITERS and acknowledged > 100
    return writers


def assert_every_acknowledged_write_copied(dest, writers):
    """The last acknowledged write of each id is on the destination with its version and body, or absent when it
    was a delete (ids with an unanswered write are left out)."""
    found = dest_docs(dest)
    for writer in writers:
        for doc_id, (op, version, body) in writer.last.items():
            if doc_id not in writer.unknown:
                assert found.get(doc_id) == (None if op == "delete" else (version, body)), doc_id


def assert_cutover_figures(figures):
    """A full copy, catch-up rounds and a final one, each timed; a measured write block; the alias moved."""
    print("cutover:", json.dumps(figures))
    phases = [one["phase"] for one in figures["rounds"]]
    assert phases[0] == "full copy" and phases[-1] == "final" and "catch-up" in phases
    assert figures["rounds"][0]["copied"] >= SEEDED and all(one["seconds"] > 0 for one in figures["rounds"])
    assert figures["write_block"]["set_by_this_run"] is True and figures["write_block"]["seconds"] > 0
    assert figures["alias_moved"] is True


def test_a_live_index_is_cut_over_without_losing_an_acknowledged_write(orders, tmp_path):
    source, dest = orders
    reports = tmp_path / "reports"
    writers = run_with_writers(source, dest, tmp_path, reports)

    assert_cutover_figures(cutover_report(reports))

    verified = verify_content(source, dest)
    assert verified["match"] is True, verified
    assert_every_acknowledged_write_copied(dest, writers)
    assert set(dest.client.indices.get_alias(name=ALIAS)) == {DEST_INDEX}
    assert source.client.indices.get_settings(index=SOURCE_INDEX)[SOURCE_INDEX]["settings"]["index"]["blocks"] == \
        {"write": "true"}

    # A rerun changes nothing on the clusters (only the new report's files are written).
    again = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=cutover_vars(source, dest, reports))
    assert again.rc == 0, again.output[-6000:]
    assert changed_tasks(again.output) == ["Write the report as %s" % kind for kind in ("JSON", "Markdown", "HTML")]
    rerun = cutover_report(reports)
    assert [(one["phase"], one["copied"]) for one in rerun["rounds"]] == [("full copy", 0), ("final", 0)]
    assert rerun["write_block"] == {"set_by_this_run": False, "seconds": 0.0}
    assert (rerun["deleted"], rerun["alias_moved"]) == (0, False)


def changed_tasks(output):
    """Names of the tasks that reported a change, up to the first parenthesis."""
    names = []
    for banner, printed in re.findall(r"TASK \[esops\.migration\.remote_reindex : ([^\]]*)\] \**\n(.*?)(?=\nTASK \[|\nPLAY )",
                                      output, re.S):
        if re.search(r"^changed:", printed, re.M):
            names.append(banner.split(" (")[0])
    return names


def test_a_failure_after_the_block_lifts_it_and_leaves_the_alias(orders, tmp_path):
    source, dest = orders
    # A document only the destination has: mirroring the deletions would remove it, which max_deletes 0 refuses.
    dest.client.indices.create(index=DEST_INDEX, mappings=MAPPINGS)
    dest.client.index(index=DEST_INDEX, id="stray", document={"number": -1, "status": "new", "updated_at": 0},
                      refresh=True)
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=cutover_vars(
        source, dest, tmp_path / "reports", remote_reindex_cutover_max_deletes=0))
    assert run.rc != 0
    assert "The cutover stopped at the mirroring deletions" in run.output, run.output[-4000:]
    assert "The write block this run set on %s was lifted" % SOURCE_INDEX in run.output
    assert "the alias %s was not moved" % ALIAS in run.output
    settings = source.client.indices.get_settings(index=SOURCE_INDEX)[SOURCE_INDEX]["settings"]["index"]
    assert "blocks" not in settings
    assert source.client.index(index=SOURCE_INDEX, id="after", document={"number": 1, "updated_at": now_ms()})[
        "result"] == "created"
    assert set(dest.client.indices.get_alias(name=ALIAS)) == {OLD_INDEX}
