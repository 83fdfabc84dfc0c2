"""Benchmark: copying an index through a slow link (issue 17), the guide's plain _reindex against es_reindex settings.

Starts two local clusters (nb-source on 24200, nb-dest on 24210, 512m heap each) and a Toxiproxy server (API on
24474) with one proxy (127.0.0.1:24475 -> the source). The dest reaches the source only through the proxy: its
reindex.remote.whitelist entry and every request's remote.host are the proxy's host:port, as a PrivateLink endpoint
stands between two VPCs in the guide. The controller (this script, the module) reaches both clusters directly.

Conditions: one-way latency L in --latencies (each direction delayed by L with a 10 % jitter, so a round trip
pays about 2L), each without and with a per-connection bandwidth cap of 10 MB/s on the source -> dest direction.
In every condition, each row copies all N documents into an empty dest index (the source's mappings), and the
dest's documents are counted afterwards: a copy with fewer than N is a failure, not a time. Rows are interleaved
(the order rotates each round) so that the load of the shared machine hits them alike.

    .venv/bin/python bench/network.py [--docs 200000] [--latencies 0,5,25,50] [--repeat 1] [--render-only] [--keep]

Writes bench/results/network.{json,md,png}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from dataclasses import asdict

import elasticsearch
from copybench import (HEAP, INDEX_MAPPINGS, INDEX_SETTINGS, NUMERIC_FIELD, RESULTS, create_index,
                       es_reindex_module_code, es_reindex_playbook, guide_reindex, load_source, measure, ok,
                       start_pair)

from esops_testbed import eslocal
from esops_testbed.toxiproxy import VERSION as TOXIPROXY_VERSION
from esops_testbed.toxiproxy import Toxiproxy

SOURCE, DEST = "nb-source", "nb-dest"
SOURCE_PORT, DEST_PORT = 24200, 24210  # transport: +100
TOXIPROXY_API_PORT, PROXY_PORT = 24474, 24475
CAP_KB_PER_SECOND = 10240  # 10 MB/s, per connection (Toxiproxy's bandwidth toxic counts KB/s)
JITTER = 0.10

PARTITIONED = {"partition_field": NUMERIC_FIELD}
# (key, label, how, es_reindex options). how: plain (the guide's request), code (module code alone), playbook.
ROWS = [
    ("a", "guide: plain POST _reindex", "plain", None),
    ("b", "es_reindex defaults", "code", {}),
    ("s5k", "es_reindex size 5000", "code", {"size": 5000}),
    ("auto", "es_reindex size auto", "code", {"size": "auto"}),
    ("p2", "es_reindex partitions 2", "code", dict(PARTITIONED, partitions=2)),
    ("p4", "es_reindex partitions 4, max_concurrent 4", "code", dict(PARTITIONED, partitions=4, max_concurrent=4)),
    ("p8", "es_reindex partitions 8, max_concurrent 8", "code", dict(PARTITIONED, partitions=8, max_concurrent=8)),
    ("p4auto", "es_reindex partitions 4, max_concurrent 4, size auto", "code",
     dict(PARTITIONED, partitions=4, max_concurrent=4, size="auto")),
    ("pb-b", "es_reindex defaults (ansible-playbook)", "playbook", {}),
    ("pb-best", "es_reindex, the fastest partition row (ansible-playbook; which: in brackets)", "playbook", None),
]
PARTITION_ROWS = ("p2", "p4", "p8", "p4auto")
FIXED_SIZE_ROWS = ("b", "s5k")  # size 1000 (the server's default) and 5000
ROW_LABELS = {key: label for key, label, _how, _options in ROWS}


def condition_name(latency, capped):
    return "%d ms%s" % (latency, ", 10 MB/s cap" if capped else "")


def set_condition(proxy, latency, capped):
    """The toxics of one condition: latency both ways (a round trip pays 2L) and the cap on source -> dest."""
    proxy.clear_toxics()
    if latency:
        for stream in ("upstream", "downstream"):
            proxy.add_toxic("latency", stream=stream, latency=latency, jitter=int(round(latency * JITTER)))
    if capped:
        proxy.add_toxic("bandwidth", stream="downstream", rate=CAP_KB_PER_SECOND)


# ---------------------------------------------------------------- running


def best_partition_options(records, condition):
    """Options of the fastest partitioned module-code row so far in this condition (partitions 4 when none)."""
    timed = [record for record in records if record["condition"] == condition and record["row"] in PARTITION_ROWS
             and record["status"] == "ok"]
    if not timed:
        return "p4", dict(ROWS[5][3])
    best = min(timed, key=lambda record: record["seconds"])
    return best["row"], dict(best["options"])


def copy_function(how, source, dest, options):
    if how == "plain":
        return lambda: guide_reindex(source, dest)
    if how == "code":
        return lambda: es_reindex_module_code(source, dest, options)
    return lambda: es_reindex_playbook(source, dest, options)


def run_row(row, source, dest, count, records, condition):
    key, label, how, options = row
    if key == "pb-best":
        chosen, options = best_partition_options(records, condition)
        label = "%s, as %s (ansible-playbook)" % (ROW_LABELS[chosen], chosen)
    run = measure(key, label, dest, count, copy_function(how, source, dest, options))
    return dict(asdict(run), row=key, how=how, options=options, condition=condition,
                docs_per_second=round(run.docs_copied / run.seconds) if ok(run) else None)


def rotated(rows, shift):
    """Module-code and plain rows in an order rotated by `shift`; the ansible-playbook rows after them."""
    quick = [row for row in rows if row[2] != "playbook"]
    shift %= len(quick)
    return quick[shift:] + quick[:shift] + [row for row in rows if row[2] == "playbook"]


def run_conditions(options, latencies, source, dest, proxy, earlier):
    """Every row in every condition of `latencies`, `options.repeat` rounds; saved after each condition with the
    `earlier` runs (of a previous invocation, for --more-rounds), whose rounds the new ones follow."""
    records, first_round = [], max([record["round"] for record in earlier] or [0]) + 1
    for latency in latencies:
        for capped in (False, True):
            condition = {"latency_ms": latency, "capped": capped}
            set_condition(proxy, latency, capped)
            print("condition %s" % condition_name(latency, capped), flush=True)
            for number in range(first_round, first_round + options.repeat):
                shift = number + len(records) // len(ROWS)
                for row in rotated(ROWS, shift):
                    # One by one: (pb-best) picks from the rows of this condition already in `records`.
                    records.append(dict(run_row(row, source, dest, options.docs, records, condition), round=number))
            save_json(options, earlier + records, {})
    return earlier + records


def rounds_text(records):
    """How many rounds each condition had, e.g. '2 rounds at 0 and 25 ms, 1 at 5 and 50 ms'."""
    rounds = {}
    for record in records:
        rounds.setdefault(record["condition"]["latency_ms"], set()).add(record["round"])
    by_count = {}
    for latency, seen in sorted(rounds.items()):
        by_count.setdefault(len(seen), []).append(str(latency))
    return ", ".join("%d round(s) at %s ms" % (count, " and ".join(latencies))
                     for count, latencies in sorted(by_count.items(), reverse=True))


# ---------------------------------------------------------------- figures


def best_records(records):
    """{(latency, capped, row): the fastest ok record, or the first failed one when none succeeded}."""
    best = {}
    for record in records:
        place = (record["condition"]["latency_ms"], record["condition"]["capped"], record["row"])
        known = best.get(place)
        if known is None or _faster(record, known):
            best[place] = record
    return best


def _faster(record, known):
    if record["status"] != "ok":
        return False
    return known["status"] != "ok" or record["seconds"] < known["seconds"]


def seconds_of(best, latency, capped, row):
    record = best.get((latency, capped, row))
    return record["seconds"] if record and record["status"] == "ok" else None


def speedup(best, latency, capped, row):
    """(a)'s seconds over the row's: above 1 the row is faster than the guide's plain request."""
    guide, mine = seconds_of(best, latency, capped, "a"), seconds_of(best, latency, capped, row)
    return round(guide / mine, 2) if guide and mine else None


def fastest_module_row(best, latency, capped):
    rows = [(seconds_of(best, latency, capped, key), key) for key, _label, how, _o in ROWS if how != "plain"]
    rows = [row for row in rows if row[0]]
    return min(rows)[1] if rows else None


def target_fast_link(best, latencies):
    latency = 25 if 25 in latencies else max(latencies)
    key = fastest_module_row(best, latency, True)
    figure = speedup(best, latency, True, key) if key else None
    return dict(name="at %d ms with the cap, the best es_reindex setting >= 2x faster than (a)" % latency,
                met=bool(figure and figure >= 2), figure="%s: %sx" % (key, figure))


def target_overhead(best):
    figures = {}
    for capped in (False, True):
        guide, mine = seconds_of(best, 0, capped, "a"), seconds_of(best, 0, capped, "b")
        figures[condition_name(0, capped)] = round(mine / guide, 2) if guide and mine else None
    met = all(value is not None and value <= 1.15 for value in figures.values())
    return dict(name="at 0 ms, es_reindex module code (defaults) <= 1.15x (a)'s time", met=met,
                figure=", ".join("%s: %sx" % item for item in figures.items()))


def target_auto(best, latencies):
    figures, met = [], True
    for latency in latencies:
        for capped in (False, True):
            fixed = [seconds_of(best, latency, capped, row) for row in FIXED_SIZE_ROWS]
            auto = seconds_of(best, latency, capped, "auto")
            value = round(auto / min(fixed), 2) if auto and all(fixed) else None
            met = met and value is not None and value <= 1.10
            figures.append("%s: %sx" % (condition_name(latency, capped), value))
    return dict(name="size auto within 10 % of the best fixed size (1000, 5000) at every latency", met=met,
                figure="; ".join(figures))


def targets(best, latencies):
    return [target_fast_link(best, latencies), target_overhead(best), target_auto(best, latencies)]


# ---------------------------------------------------------------- the report


def cell(best, latency, capped, row):
    record = best.get((latency, capped, row))
    if record is None:
        return "-"
    if record["status"] != "ok":
        return record["status"]
    ran = " (%s)" % record["name"].split(", as ")[-1].split(" ")[0] if row == "pb-best" else ""
    return "%.1f s, %d/s, %.2f×%s" % (record["seconds"], record["docs_per_second"],
                                      speedup(best, latency, capped, row) or 0, ran)


def markdown_table(best, latencies, capped):
    head = "| row | " + " | ".join("%d ms" % latency for latency in latencies) + " |"
    lines = [head, "|---|" + "---|" * len(latencies)]
    for key, label, _how, _options in ROWS:
        cells = [cell(best, latency, capped, key) for latency in latencies]
        lines.append("| (%s) %s | %s |" % (key, label, " | ".join(cells)))
    return "\n".join(lines)


def chosen_rows(best, latencies):
    """Which partition row the ansible-playbook 'best' row ran, per condition."""
    chosen = []
    for latency in latencies:
        for capped in (False, True):
            record = best.get((latency, capped, "pb-best"))
            if record:
                ran = record["name"].split(", as ")[-1].split(" ")[0]
                fastest = min(PARTITION_ROWS, key=lambda key: seconds_of(best, latency, capped, key) or float("inf"))
                chosen.append("%s: %s%s" % (condition_name(latency, capped), ran,
                                            "" if ran == fastest else " (fastest module-code partition row: %s)" % fastest))
    return "; ".join(chosen)


def why(best, records, latencies):
    """The 'why' paragraph, from the figures that came out."""
    lines = [_why_noise(best, records, latencies), _why_cap(best, latencies), _why_latency(best, latencies),
             _why_cpu(best, records), _why_fixed_costs(best, records, latencies)]
    return "\n\n".join(line for line in lines if line)


def latency_inversions(best, latencies):
    """(row, cap, lower latency, higher latency, seconds, seconds) where the higher latency was >10 % faster."""
    found = []
    for key, _label, _how, _options in ROWS:
        for capped in (False, True):
            for low, high in zip(latencies, latencies[1:]):
                slow, fast = seconds_of(best, low, capped, key), seconds_of(best, high, capped, key)
                if slow and fast and fast < slow * 0.9:
                    found.append((key, capped, low, high, slow, fast))
    return found


def _why_noise(best, records, latencies):
    inversions = latency_inversions(best, latencies)
    low, high = load_range(records)
    examples = ", ".join("(%s)%s %.1f s at %d ms but %.1f s at %d ms"
                         % (key, " capped" if capped else "", slow, lower, fast, higher)
                         for key, capped, lower, higher, slow, fast in inversions[:4])
    return ("**Noise first.** The 2 cores ran other test suites at the same time (load average %.1f to %.1f), so "
            "single runs vary a lot: %d time(s) a row was more than 10 %% faster at a higher latency than at the "
            "next lower one, which only the machine's load explains%s. Differences under about 30 %% between two "
            "cells are within that noise; the trends across several cells are what the figures show."
            % (low, high, len(inversions), " (" + examples + ")" if examples else ""))


PARTITION_STEPS = (("b", 1), ("p2", 2), ("p4", 4), ("p8", 8))


def partition_steps(best, latency, capped):
    """[(from, to, % change of the time)] along 1, 2, 4, 8 partitions, and the count after which a step gains < 10 %."""
    steps, stop = [], None
    for (key, count), (next_key, next_count) in zip(PARTITION_STEPS, PARTITION_STEPS[1:]):
        before, after = seconds_of(best, latency, capped, key), seconds_of(best, latency, capped, next_key)
        if not (before and after):
            continue
        change = round((after / before - 1) * 100)
        steps.append("%d→%d %+d%%" % (count, next_count, change))
        if stop is None and change > -10:
            stop = count
    return ", ".join(steps), stop


def _steps_text(best, latencies, capped):
    parts = []
    for latency in latencies:
        steps, stop = partition_steps(best, latency, capped)
        paid = "no step below -10 %% after %d" % stop if stop else "every step paid"
        parts.append("%d ms: %s (%s)" % (latency, steps, paid))
    return "; ".join(parts)


def _why_cap(best, latencies):
    return ("**The cap.** Reindex from remote reads one scroll over one connection, and the cap holds each "
            "connection to 10 MB/s, so (a), (b), (s5k) and (auto) are bandwidth bound; partitions are separate "
            "tasks, each with its own connection, so they multiply the bandwidth until something else (the dest's "
            "indexing, the 2 cores) is the limit. Time change per doubling of the partitions (1 = (b)) with the "
            "cap: %s." % _steps_text(best, latencies, True))


def _why_latency(best, latencies):
    worst = max(latencies)
    lines = ["**Latency.** Every batch pays a round trip (2L) while nothing else is in flight on that scroll."]
    for key in ("a", "b", "auto"):
        record_0, record_l = best.get((0, False, key)), best.get((worst, False, key))
        if record_0 and record_l and record_0["status"] == record_l["status"] == "ok":
            # (a)'s answer has no batch count: the server's default size, 1000.
            batches = (record_l.get("details") or {}).get("batches") or -(-record_l["docs_copied"] // 1000)
            extra = record_l["seconds"] - record_0["seconds"]
            lines.append("(%s): %+.1f s at %d ms against 0 ms without the cap, %+.0f ms per batch of its %d "
                         "(2L = %d ms)." % (key, extra, worst, extra * 1000 / batches, batches, 2 * worst))
    lines.append("Fewer, bigger batches (size 5000, size auto) pay fewer round trips, and partitions keep several "
                 "batches in flight. Time change per doubling of the partitions without the cap: %s."
                 % _steps_text(best, latencies, False))
    return " ".join(lines)


def _why_cpu(best, records):
    at_zero = {"latency_ms": 0, "capped": False}
    zero = [record["load_average"][0] for record in records
            if record["condition"] == at_zero and record.get("load_average")]
    return ("**0 ms, no cap.** Nothing waits on the link: the source's scroll, the dest's indexing, the module and "
            "the other test runs share 2 cores (load average %.1f to %.1f at the start of these runs), so more "
            "tasks only share the same CPU; partitions stop paying where the link stops being the bottleneck. "
            "Speed-ups over (a) at 0 ms: %s." % (min(zero or [0]), max(zero or [0]), _partition_speedups(best, 0, False)))


def _partition_speedups(best, latency, capped):
    pairs = [(key, speedup(best, latency, capped, key)) for key in ("b", "s5k", "auto") + PARTITION_ROWS]
    return ", ".join("%s %sx" % pair for pair in pairs)


def ansible_start_ups(best, latencies):
    """(pb-b) minus (b) in every condition where both ran."""
    pairs = [(seconds_of(best, latency, capped, "pb-b"), seconds_of(best, latency, capped, "b"))
             for latency in latencies for capped in (False, True)]
    return [playbook - code for playbook, code in pairs if playbook and code]


def _why_fixed_costs(best, records, latencies):
    """What es_reindex adds to the copy: the module code's wall time beyond ES's took, and Ansible's start-up."""
    code = [record["seconds"] - record["details"]["es_took_seconds"] for record in records
            if record["row"] == "b" and record["status"] == "ok" and record["details"].get("es_took_seconds")]
    ansible = ansible_start_ups(best, latencies) or [0]
    if not code:
        return ""
    return ("**Fixed costs.** The module code's wall time exceeds ES's own `took` by %.1f s on average (%.1f to "
            "%.1f): Python's start-up and imports, the preflight look-ups on both clusters, the task start and "
            "the final refresh. (pb-b) minus (b), Ansible's start-up, came out at %.1f s on average, from %.1f to "
            "%.1f s: the machine's noise is larger than Ansible's few seconds here. Both are constants, so they "
            "weigh most where the copy itself is fast."
            % (sum(code) / len(code), min(code), max(code), sum(ansible) / len(ansible), min(ansible), max(ansible)))


def load_range(records):
    loads = [value for record in records for value in record.get("load_average") or []]
    return (min(loads), max(loads)) if loads else (0, 0)


def markdown(options, records, best, found):
    low, high = load_range(records)
    header = ("%d documents, Elasticsearch %s, two single-node clusters (%s heap each), Toxiproxy %s between the "
              "dest and the source, %s CPUs shared with other test runs (load average %.1f to %.1f during the runs; "
              "every run's is in network.json), %s per row (both caps), each cell the fastest round. A cell: wall "
              "seconds, docs/s, speed-up over (a) (its seconds over the row's). One-way latency L delays each "
              "direction by L (10 %% jitter): a round trip pays 2L. The cap: 10 MB/s per connection, source -> dest. "
              "Partitions split on `%s`; (pb-best) runs the fastest partition row of its condition: %s."
              % (options.docs, eslocal.es_version(), HEAP, TOXIPROXY_VERSION, os.cpu_count(), low, high,
                 rounds_text(records), NUMERIC_FIELD, chosen_rows(best, options.latencies)))
    target_text = "\n".join("- %s: %s -> %s" % (target["name"], target["figure"], "met" if target["met"] else "NOT met")
                            for target in found)
    return "%s\n\n## No cap\n\n%s\n\n## 10 MB/s cap per connection\n\n%s\n\n## Targets\n\n%s\n\n## Why\n\n%s\n\n" \
           "![chart](network.png)\n" % (header, markdown_table(best, options.latencies, False),
                                        markdown_table(best, options.latencies, True), target_text,
                                        why(best, records, options.latencies))


def save_chart(best, latencies, path):
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    figure, panels = plt.subplots(1, 2, figsize=(13, 6.5), sharey=True)
    for axes, capped in zip(panels, (False, True)):
        for key, label, _how, _options in ROWS:
            rates = [(best.get((latency, capped, key)) or {}).get("docs_per_second") for latency in latencies]
            axes.plot(latencies, [rate or float("nan") for rate in rates], marker="o",
                      linewidth=2.5 if key == "a" else 1.2, label="(%s) %s" % (key, label))
        axes.set_title("10 MB/s cap per connection" if capped else "no bandwidth cap")
        axes.set_xlabel("one-way latency, ms")
        axes.set_xticks(latencies)
        axes.grid(alpha=0.3)
    panels[0].set_ylabel("documents per second")
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    figure.tight_layout(rect=(0, 0.17, 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)


def save_json(options, records, extra):
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = dict(
        docs=options.docs, latencies_ms=options.latencies, rounds=max([record["round"] for record in records] or [0]), jitter=JITTER,
        cap_kb_per_second=CAP_KB_PER_SECOND,
        index=dict(settings=INDEX_SETTINGS, mappings=INDEX_MAPPINGS, partition_field=NUMERIC_FIELD),
        machine=dict(cpus=os.cpu_count(), python=platform.python_version(), elasticsearch=eslocal.es_version(),
                     elasticsearch_py=elasticsearch.__versionstr__, heap_per_cluster=HEAP,
                     toxiproxy=TOXIPROXY_VERSION),
        rows=[dict(key=key, label=label, how=how, options=options) for key, label, how, options in ROWS],
        runs=records, **extra)
    (RESULTS / "network.json").write_text(json.dumps(results, indent=2) + "\n")


def save_results(options, records, load_seconds):
    best = best_records(records)
    found = targets(best, options.latencies)
    save_json(options, records, dict(load_seconds=load_seconds, targets=found))
    text = markdown(options, records, best, found)
    (RESULTS / "network.md").write_text(text)
    save_chart(best, options.latencies, RESULTS / "network.png")
    print(text)


def render_saved_results(options):
    saved = json.loads((RESULTS / "network.json").read_text())
    options.docs, options.repeat, options.latencies = saved["docs"], saved["rounds"], saved["latencies_ms"]
    save_results(options, saved["runs"], saved.get("load_seconds"))


# ---------------------------------------------------------------- main


def start_bed(toxiproxy):
    """The proxy to the source, then the clusters: the dest whitelists the proxy's host:port and reaches it there."""
    proxy = toxiproxy.start().proxy("nb-source", PROXY_PORT, "127.0.0.1:%d" % SOURCE_PORT)
    source, dest = start_pair(SOURCE, SOURCE_PORT, DEST, DEST_PORT, proxy.listen)
    source.url_from_dest = proxy.url
    return proxy, source, dest


def bench(options, source, dest, proxy):
    started = time.perf_counter()
    loaded = load_source(source.client, options.docs)
    load_seconds = round(time.perf_counter() - started, 1)
    assert loaded == options.docs, "loaded %d of %d documents" % (loaded, options.docs)
    print("loaded %d documents into %s in %.1f s" % (loaded, SOURCE, load_seconds), flush=True)
    create_index(dest.client)
    guide_reindex(source, dest)  # untimed: warms both JVMs and the path through the proxy
    latencies, earlier = options.latencies, []
    if options.more_rounds:
        saved = json.loads((RESULTS / "network.json").read_text())
        earlier, options.latencies = saved["runs"], saved["latencies_ms"]
    records = run_conditions(options, latencies, source, dest, proxy, earlier)
    save_results(options, records, load_seconds)


def parse_options():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200000)
    parser.add_argument("--latencies", default="0,5,25,50", help="one-way latencies in ms, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every row per condition (fastest kept)")
    parser.add_argument("--more-rounds", action="store_true",
                        help="run the conditions of --latencies again and add their runs to the saved network.json")
    parser.add_argument("--keep", action="store_true", help="leave the clusters and Toxiproxy running")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite network.md and network.png from the saved network.json, running nothing")
    options = parser.parse_args()
    options.latencies = [int(value) for value in options.latencies.split(",")]
    return options


def main():
    options = parse_options()
    if options.render_only:
        render_saved_results(options)
        return
    toxiproxy = Toxiproxy(tempfile.mkdtemp(prefix="nb-toxiproxy-"), TOXIPROXY_API_PORT)
    try:
        proxy, source, dest = start_bed(toxiproxy)
        bench(options, source, dest, proxy)
    finally:
        if not options.keep:
            toxiproxy.stop()
            for name in (SOURCE, DEST):
                eslocal.destroy(name)


if __name__ == "__main__":
    main()
