"""Benchmark: copying an index between two clusters, the guide's plain _reindex against es_reindex and the others.

Starts two local clusters (bench-reindex-source on 39200, bench-reindex-dest on 39210, the dest whitelisting the
source), loads N documents shaped like the guide's product documents plus a numeric (price) and a date
(launch_date) field into the source, then in one run, each copy into an empty dest index with the same
settings and mappings, times:
  (a) the guide's request: one POST _reindex from remote, defaults, wait_for_completion=true;
  (b) es_reindex with its defaults, through ansible-playbook (and the module code alone, run directly);
  (c) es_reindex partitioned on the numeric field (partitions 4; variants when the module has the options);
  (d) the limit: bulk-indexing the same documents into dest from a prepared NDJSON file with
      elasticsearch.helpers.parallel_bulk (no reading from the source at all);
  (e) elasticsearch.helpers.reindex(source, index, index, target_client=dest), its defaults;
  (f) elasticdump (npm) --type=data --limit=5000, when bench/.node has it.
A run that leaves fewer than N documents in dest is reported as failed, not timed.
Prints a table and saves bench/results/reindex.{json,md,png}.

    .venv/bin/python bench/reindex.py [--docs 200000 | --quick] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import elasticsearch
from copybench import (HEAP, INDEX, INDEX_MAPPINGS, INDEX_SETTINGS, LONG_TIMEOUT, NUMERIC_FIELD, REPO, RESULTS, Run,
                       create_index, es_reindex_module_code, es_reindex_playbook, guide_reindex, load_source, measure,
                       ok, product_documents, report, start_pair)
from elasticsearch import helpers

from esops_testbed import eslocal

# (e) sends the 7.x hits' _type back in its bulk requests, as helpers.reindex does; 7.17 warns on each.
warnings.filterwarnings("ignore", category=elasticsearch.ElasticsearchWarning)
warnings.filterwarnings("ignore", category=elasticsearch.exceptions.GeneralAvailabilityWarning)  # tasks.get, for (h)

SOURCE, DEST = "bench-reindex-source", "bench-reindex-dest"
CLUSTERS = {SOURCE: 39200, DEST: 39210}
ELASTICDUMP = REPO / "bench" / ".node" / "node_modules" / ".bin" / "elasticdump"
ELASTICDUMP_SKIPPED_REASON = REPO / "bench" / ".node" / "install-failed.txt"

# es_reindex configurations: (key, label, module options on top of the connection). (b) first, then (c).
MODULE_RUNS = [
    ("b", "es_reindex, defaults", {}),
    ("b2", "es_reindex, size 5000 (no partitions)", {"size": 5000}),
    ("c", "es_reindex, partitions 4", {"partitions": 4, "partition_field": NUMERIC_FIELD}),
    ("c2", "es_reindex, partitions 2", {"partitions": 2, "partition_field": NUMERIC_FIELD}),
    ("c3", "es_reindex, partitions 4, size 5000", {"partitions": 4, "partition_field": NUMERIC_FIELD, "size": 5000}),
    ("c4", "es_reindex, partitions 4, size 5000, max_concurrent 4, tune_dest",
     {"partitions": 4, "partition_field": NUMERIC_FIELD, "size": 5000, "max_concurrent": 4, "tune_dest": True}),
]


# ---------------------------------------------------------------- clusters and data


def start_clusters():
    """Fresh source and dest; the dest's elasticsearch.yml whitelists the source before it first starts."""
    return start_pair(SOURCE, CLUSTERS[SOURCE], DEST, CLUSTERS[DEST], "127.0.0.1:%d" % CLUSTERS[SOURCE])


def write_bulk_file(path, count):
    """The documents as a bulk NDJSON file (action line, source line), what (d) indexes from."""
    with open(path, "w", encoding="utf-8") as out:
        for document in product_documents(count):
            doc_id = document.pop("_id")
            out.write(json.dumps({"index": {"_index": INDEX, "_id": doc_id}}) + "\n")
            out.write(json.dumps(document) + "\n")
    return path.stat().st_size


# ---------------------------------------------------------------- the copies


def price_ranges(client, parts):
    """`parts` range queries over NUMERIC_FIELD covering every document (open first and last ranges)."""
    aggs = client.search(index=INDEX, size=0, aggs={"low": {"min": {"field": NUMERIC_FIELD}},
                                                    "high": {"max": {"field": NUMERIC_FIELD}}})["aggregations"]
    low, high = aggs["low"]["value"], aggs["high"]["value"]
    cuts = [low + (high - low) * number / parts for number in range(1, parts)]
    ranges = []
    for number in range(parts):
        bounds = {}
        if number > 0:
            bounds["gte"] = cuts[number - 1]
        if number < parts - 1:
            bounds["lt"] = cuts[number]
        ranges.append({"range": {NUMERIC_FIELD: bounds}})
    return ranges


def hand_partitioned_reindex(source, dest, parts, at_once, size):
    """(h) Not the module: `parts` _reindex-from-remote tasks over ranges of price, `at_once` running together.

    What es_reindex's partitions should send, done by hand, so the gain partitioning can bring here is measured
    even while the module's option does not work.
    """
    remote = {"host": source.url, "username": source.username, "password": source.password}
    waiting, running = price_ranges(source.client, parts), []
    while waiting or running:
        while waiting and len(running) < at_once:
            started = dest.client.reindex(source={"remote": remote, "index": INDEX, "size": size,
                                                  "query": waiting.pop(0)},
                                          dest={"index": INDEX}, wait_for_completion=False)
            running.append(started["task"])
        time.sleep(0.2)
        for task_id in list(running):
            task = dest.client.tasks.get(task_id=task_id)
            if task.get("completed"):
                running.remove(task_id)
                if task.get("error") or (task.get("response") or {}).get("failures"):
                    raise RuntimeError("task %s: %s" % (task_id, task.get("error") or task["response"]["failures"][:2]))
    return {"parts": parts, "at_once": at_once, "size": size}


BULK_CHUNK_SIZE = 5000
BULK_THREADS = 2


def bulk_from_file(dest, bulk_file):
    """(d) parallel_bulk of the prepared NDJSON lines; the source lines are sent as they are in the file."""
    def line_pairs():
        with open(bulk_file, encoding="utf-8") as lines:
            # zip over one iterator pairs each action line with the source line after it.
            for action_line, source_line in zip(lines, lines):
                yield action_line, source_line.rstrip("\n")

    def expand(pair):
        return json.loads(pair[0]), pair[1]

    failed = 0
    for done, _item in helpers.parallel_bulk(dest.client, line_pairs(), thread_count=BULK_THREADS,
                                             chunk_size=BULK_CHUNK_SIZE, queue_size=BULK_THREADS * 2,
                                             expand_action_callback=expand, raise_on_error=False):
        failed += not done
    if failed:
        raise RuntimeError("%d bulk items failed" % failed)
    return {"helper": "helpers.parallel_bulk", "chunk_size": BULK_CHUNK_SIZE, "thread_count": BULK_THREADS}


def client_reindex(source, dest):
    """(e) elasticsearch.helpers.reindex between the two clusters, its defaults (scroll + bulk of 500).

    The 8.x helper first asks the target for GET _data_stream/<index> and only forgives a TransportError or a
    404; this 7.17 distribution has no data-stream module and answers 405, so the helper stops there. Then (e)
    runs the helper's own body: helpers.scan of the source into helpers.bulk on dest, chunk_size 500.
    """
    try:
        success, errors = helpers.reindex(source.client, INDEX, INDEX, target_client=dest.client)
        details = {"ran": "helpers.reindex"}
    except elasticsearch.ApiError as exc:
        if exc.meta.status != 405 or "_data_stream" not in str(exc):
            raise
        hits = ({**hit, "_index": INDEX} for hit in helpers.scan(source.client, index=INDEX, scroll="5m"))
        success, errors = helpers.bulk(dest.client, hits, chunk_size=500, stats_only=True)
        details = {"ran": "helpers.scan + helpers.bulk (the body of helpers.reindex): helpers.reindex's "
                          "GET _data_stream probe gets a 405 from this 7.17 distribution"}
    if errors:
        raise RuntimeError("helpers.reindex errors: %s" % errors)
    return dict(details, indexed=success)


def elasticdump_command(source, dest, redact):
    def url(cluster):
        if redact:
            scheme, rest = cluster.url.split("://", 1)
            return "%s://%s:********@%s/%s" % (scheme, cluster.username, rest, INDEX)
        return "%s/%s" % (cluster.url_with_credentials(), INDEX)

    return [str(ELASTICDUMP), "--input=" + url(source), "--output=" + url(dest), "--type=data", "--limit=5000"]


def elasticdump(source, dest):
    """(f) elasticdump from the source index to the dest index, documents only."""
    proc = subprocess.run(elasticdump_command(source, dest, redact=False), capture_output=True, text=True,
                          timeout=LONG_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError("elasticdump exited %d: %s" % (proc.returncode, (proc.stderr or proc.stdout)[-500:]))
    version = subprocess.run([str(ELASTICDUMP), "--version"], capture_output=True, text=True, check=False)
    return {"command": " ".join(elasticdump_command(source, dest, redact=True)),
            "version": version.stdout.strip()}


def elasticdump_missing_reason():
    if ELASTICDUMP.exists():
        return None
    if ELASTICDUMP_SKIPPED_REASON.exists():
        return "elasticdump did not install: " + ELASTICDUMP_SKIPPED_REASON.read_text().strip()[-300:]
    if not shutil.which("npm"):
        return "npm is not installed"
    return "elasticdump is not installed (npm install --prefix bench/.node elasticdump, done by make bench)"


# ---------------------------------------------------------------- measuring


def all_runs(source, dest, count, bulk_file, skip_module_code):
    runs = [measure("a", "guide: plain POST _reindex from remote", dest, count, lambda: guide_reindex(source, dest))]
    for key, name, options in MODULE_RUNS:
        run = measure(key, name + " (ansible-playbook)", dest, count,
                      lambda options=options: es_reindex_playbook(source, dest, options))
        runs.append(run)
        if run.status == "ok" and not skip_module_code:
            code_run = measure(key, name + " (module code only)", dest, count,
                               lambda options=options: es_reindex_module_code(source, dest, options))
            run.details["module_code_seconds"] = code_run.seconds if code_run.status == "ok" else code_run.reason
    runs.append(measure("h", "not the module: 4 _reindex tasks on price ranges, 2 at once, size 5000", dest, count,
                        lambda: hand_partitioned_reindex(source, dest, 4, 2, 5000)))
    runs.append(measure("d", "limit: parallel_bulk from a prepared file", dest, count,
                        lambda: bulk_from_file(dest, bulk_file)))
    runs.append(measure("e", "elasticsearch-py helpers.reindex", dest, count, lambda: client_reindex(source, dest)))
    missing = elasticdump_missing_reason()
    if missing:
        runs.append(report(Run("f", "elasticdump --limit=5000", status="skipped", reason=missing)))
    else:
        runs.append(measure("f", "elasticdump --limit=5000", dest, count, lambda: elasticdump(source, dest)))
    return runs


def warm_up(source, dest):
    """One untimed copy first, so that no timed run pays for both JVMs' warm-up (the first run would)."""
    create_index(dest.client)
    guide_reindex(source, dest)


def fastest_of_rounds(rounds):
    """One Run per configuration: the fastest round when every round succeeded, else the first failure."""
    merged = []
    for same in zip(*rounds):
        bad = [run for run in same if run.status != "ok"]
        if bad:
            merged.append(bad[0])
            continue
        best = min(same, key=lambda run: run.seconds)
        best.details["seconds_each_round"] = [run.seconds for run in same]
        codes = [run.details.get("module_code_seconds") for run in same]
        if all(isinstance(code, float) for code in codes):
            best.details["module_code_seconds"] = min(codes)
        merged.append(best)
    return merged


# ---------------------------------------------------------------- results


def by_key(runs, key):
    return next((run for run in runs if run.key == key), None)


def ratio(numerator, denominator):
    return round(numerator.seconds / denominator.seconds, 2) if ok(numerator) and ok(denominator) else None


def check_targets(runs):
    """Targets of the issue: the best es_reindex run >= 1.5x faster than (a) and <= 1.25x (d)'s wall time."""
    guide, limit = by_key(runs, "a"), by_key(runs, "d")
    candidates = [run for run in runs if run.key[0] in "bc" and ok(run)]
    if not candidates or not ok(guide) or not ok(limit):
        return dict(best=None, speedup_over_a=None, ratio_to_d=None, faster_than_a_met=False,
                    within_d_met=False, note="not enough successful runs to check")
    best = min(candidates, key=lambda run: run.seconds)
    speedup, to_limit = ratio(guide, best), ratio(best, limit)
    return dict(best="(%s) %s" % (best.key, best.name), speedup_over_a=speedup, ratio_to_d=to_limit,
                faster_than_a_met=speedup >= 1.5, within_d_met=to_limit <= 1.25)


def table_rows(runs, limit):
    rows = []
    for run in runs:
        if ok(run):
            rows.append(["(%s)" % run.key, run.name, "%.2f" % run.seconds, "%.0f" % (run.docs_copied / run.seconds),
                         "%.2f" % ratio(run, limit) if ok(limit) else "-", notes_of(run)])
        else:
            rows.append(["(%s)" % run.key, run.name, "-", "-", "-", "%s: %s" % (run.status, run.reason[:160])])
    return rows


def notes_of(run):
    parts = []
    if "module_code_seconds" in run.details:
        value = run.details["module_code_seconds"]
        parts.append("module code alone %s s" % value if isinstance(value, float) else "module code alone failed")
    if run.details.get("es_took_seconds"):
        parts.append("ES took %.2f s" % run.details["es_took_seconds"])
    if run.load_average:
        parts.append("load %.1f→%.1f" % tuple(run.load_average))
    return "; ".join(parts)


def markdown_table(rows):
    lines = ["| | run | wall s | docs/s | × (d) wall | notes |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def target_lines(targets):
    if targets["best"] is None:
        return ["targets: %s" % targets["note"]]
    return [
        "fastest es_reindex run: %s" % targets["best"],
        "target (b) or (c) >= 1.5x faster than (a): %.2fx -> %s"
        % (targets["speedup_over_a"], "met" if targets["faster_than_a_met"] else "NOT met"),
        "target (b) or (c) within 1.25x of (d)'s wall time: %.2fx -> %s"
        % (targets["ratio_to_d"], "met" if targets["within_d_met"] else "NOT met"),
    ]


def explanation(runs, targets):
    """The short 'why' under the table, from the figures that came out."""
    guide = by_key(runs, "a")
    lines = ["Why: (a) is one scroll on the source feeding one bulk stream into dest, all inside the dest's JVM."]
    lines += _why_defaults(guide, by_key(runs, "b"))
    lines += _why_partitions(guide, by_key(runs, "c"), by_key(runs, "h"))
    lines += _why_limit(guide, by_key(runs, "d"))
    lines += _why_spread(runs)
    return " ".join(lines)


def _why_defaults(guide, defaults):
    if not (ok(defaults) and ok(guide)):
        return []
    code = defaults.details.get("module_code_seconds")
    return [
        "(b) sends the same request (plus op_type=create, conflicts=proceed) as a task, so it cannot copy faster; "
        "its %.2f s are %s Ansible's start-up (ansible-playbook, the module's transfer and its imports). The "
        "module code itself adds the task start, a look at the running tasks (to follow a copy already running) "
        "and the final refresh; the server holds each look at the task until it ends, so no poll interval is "
        "lost after the end."
        % (defaults.seconds, "the module code's %.2f s plus" % code if isinstance(code, float) else "")]


def _why_partitions(guide, partitioned, hand):
    if partitioned is not None and partitioned.status == "not available":
        return ["(c) could not run: the es_reindex in this checkout has no `partitions` option yet."]
    if not (ok(partitioned) and ok(guide)):
        return []
    lines = [
        "Partitioning (c rows) did not pay here: (a)/(c) = %.2f. Reindex from remote cannot slice, so each "
        "partition is its own scroll with a range query on `%s`; the concurrent tasks only help when a core is "
        "idle, and on this 2-core machine the two clusters and the client already keep both busy (the load "
        "averages are in the notes column)." % (ratio(guide, partitioned), NUMERIC_FIELD)]
    if ok(hand):
        lines.append(
            "The same split done by hand (h, not the module, no Ansible) took %.2f s against (a)'s %.2f s, so "
            "the lack of gain is the machine's, not the module code's; the module adds its start-up, the "
            "field_caps and min/max look-ups, one more task for documents without the field, and polling."
            % (hand.seconds, guide.seconds))
    return lines


def _why_limit(guide, limit):
    if not (ok(limit) and ok(guide) and limit.seconds >= guide.seconds * 0.9):
        return []
    return [
        "(d) is no real limit here: indexing from Python (reading the file, building each bulk body, %d "
        "threads) on the same 2 cores is about as slow as the dest reindexing inside its JVM (%.2f s against "
        "(a)'s %.2f s), so 'within 1.25x of (d)' is easy to meet and says little; on separate machines with "
        "more cores (d) would be the floor." % (BULK_THREADS, limit.seconds, guide.seconds)]


def _why_spread(runs):
    spreads = [max(run.details["seconds_each_round"]) / min(run.details["seconds_each_round"])
               for run in runs if ok(run) and run.details.get("seconds_each_round")]
    if not spreads:
        return []
    return ["The same run varied by up to %.1fx between rounds, so differences under "
            "about 30%% are noise; the table keeps each run's fastest round." % max(spreads)]


def save_chart(runs, path):
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    labels = ["(%s) %s" % (run.key, run.name) for run in runs]
    rates = [run.docs_copied / run.seconds if ok(run) else 0 for run in runs]
    colours = {"h": "#bcbd22", "a": "#d62728", "b": "#1f77b4", "c": "#2ca02c", "d": "#7f7f7f", "e": "#ff7f0e", "f": "#9467bd"}
    figure, axes = plt.subplots(figsize=(11, 0.45 * len(runs) + 1.5))
    positions = range(len(runs))[::-1]
    axes.barh(list(positions), rates, color=[colours.get(run.key[0], "#333333") for run in runs])
    for position, run, rate in zip(positions, runs, rates):
        text = " %.1f s" % run.seconds if ok(run) else " %s" % run.status
        axes.text(rate, position, text, va="center", fontsize=8)
    axes.set_yticks(list(positions))
    axes.set_yticklabels(labels, fontsize=8)
    axes.set_xlabel("documents per second (higher is better); wall seconds after each bar")
    axes.set_title("Copying %d documents between two local ES clusters" % max(run.docs_copied or 0 for run in runs))
    axes.set_xlim(0, max(rates + [1]) * 1.2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def save_results(options, runs, load_seconds, bulk_file_bytes):
    limit, guide = by_key(runs, "d"), by_key(runs, "a")
    targets = check_targets(runs)
    results = dict(
        docs=options.docs,
        rounds=options.repeat,
        index=dict(settings=INDEX_SETTINGS, mappings=INDEX_MAPPINGS, partition_field=NUMERIC_FIELD),
        load_seconds=round(load_seconds, 1),
        bulk_file_bytes=bulk_file_bytes,
        machine=dict(cpus=os.cpu_count(), python=platform.python_version(), elasticsearch=eslocal.es_version(),
                     elasticsearch_py=elasticsearch.__versionstr__, heap_per_cluster=HEAP,
                     note="2 single-node clusters and the client on one machine (load average before/after each "
                          "run is recorded)"),
        runs=[dict(asdict(run), docs_per_second=round(run.docs_copied / run.seconds) if ok(run) else None,
                   ratio_to_d=ratio(run, limit)) for run in runs],
        ratios=dict(a_over_b=ratio(guide, by_key(runs, "b")), a_over_c=ratio(guide, by_key(runs, "c"))),
        targets=targets,
    )
    rows = table_rows(runs, limit)
    table = markdown_table(rows)
    targets_text = target_lines(targets)
    print()
    print(table)
    print("\n".join(targets_text))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reindex.json").write_text(json.dumps(results, indent=2) + "\n")
    header = ("%d documents, Elasticsearch %s, %s CPUs (load averages in the notes column), "
              "two single-node clusters with %s heap each, the client on the same machine. Every run copies into "
              "an empty dest index with the source's mappings and settings: 1 shard, 0 replicas; one untimed "
              "_reindex first warms both JVMs, then every run is done %d time(s) and the table keeps its fastest. "
              "(b) and (c) "
              "run through ansible-playbook; 'module code alone' is the module file run directly with python. "
              "(d) is helpers.parallel_bulk, chunk_size %d, thread_count %d, from a prepared bulk NDJSON file "
              "(%.1f MB, written before timing). Ratios: (a)/(b) = %s, (a)/(c) = %s."
              % (options.docs, eslocal.es_version(), os.cpu_count(), HEAP, options.repeat, BULK_CHUNK_SIZE, BULK_THREADS,
                 bulk_file_bytes / 1e6, results["ratios"]["a_over_b"], results["ratios"]["a_over_c"]))
    (RESULTS / "reindex.md").write_text("%s\n\n%s\n\n%s\n\n%s\n\n![chart](reindex.png)\n" % (
        header, table, "\n".join("- " + line for line in targets_text), explanation(runs, targets)))
    save_chart(runs, RESULTS / "reindex.png")
    return results


def render_saved_results(options):
    saved = json.loads((RESULTS / "reindex.json").read_text())
    options.docs, options.repeat = saved["docs"], saved.get("rounds", 1)
    fields = set(Run.__dataclass_fields__)
    runs = [Run(**{name: value for name, value in run.items() if name in fields}) for run in saved["runs"]]
    save_results(options, runs, saved["load_seconds"], saved["bulk_file_bytes"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200000)
    parser.add_argument("--quick", action="store_true", help="20 000 documents, a smoke run")
    parser.add_argument("--skip-module-code", action="store_true",
                        help="do not time es_reindex run directly (ansible-playbook runs only)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rounds of every run; the table keeps each run's fastest round (machine is shared)")
    parser.add_argument("--keep", action="store_true", help="leave the clusters running")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite reindex.md and reindex.png from the saved reindex.json, running nothing")
    options = parser.parse_args()
    if options.render_only:
        render_saved_results(options)
        return
    if options.quick:
        options.docs, options.repeat = 20000, 1

    print("starting %s and %s" % tuple(CLUSTERS), flush=True)
    source, dest = start_clusters()
    try:
        started = time.perf_counter()
        loaded = load_source(source.client, options.docs)
        load_seconds = time.perf_counter() - started
        assert loaded == options.docs, "loaded %d of %d documents" % (loaded, options.docs)
        create_index(dest.client)
        print("loaded %d documents into %s in %.1f s" % (loaded, SOURCE, load_seconds), flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-reindex-") as work:
            bulk_file = Path(work) / "products.ndjson"
            bulk_file_bytes = write_bulk_file(bulk_file, options.docs)
            warm_up(source, dest)
            rounds = []
            for number in range(options.repeat):
                print("round %d of %d" % (number + 1, options.repeat), flush=True)
                rounds.append(all_runs(source, dest, options.docs, bulk_file, options.skip_module_code))
            runs = fastest_of_rounds(rounds)
        save_results(options, runs, load_seconds, bulk_file_bytes)
    finally:
        if not options.keep:
            for name in CLUSTERS:
                eslocal.destroy(name)


if __name__ == "__main__":
    main()
