"""Benchmark: es_verify level=content against the lower bound of reading both indices once.

Starts two local clusters (bench-source, bench-dest), loads the same N documents into both, then in
one run times:
  - plain sequential read: scan source then dest with point in time + search_after, no comparison
    (the plain approach, and the time to read both indices once);
  - plain concurrent read: both scans at the same time, no comparison (the lower bound es_verify can reach);
  - es_verify content: the module's own streaming comparison (read both at once, hash, compare);
  - es_verify content through ansible-playbook (adds Ansible's start-up).
Prints a table and saves bench/results/verify_content.{json,md}.

    .venv/bin/python bench/verify_content.py [--docs 200000]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
from esops_testbed import eslocal, support  # noqa: E402
from esops_testbed.cluster_support import start_fresh  # noqa: E402

support.ensure_collection_tree()

from elasticsearch import Elasticsearch, helpers  # noqa: E402

from ansible_collections.esops.migration.plugins.modules.es_verify import PAGE_FIELDS, compare_streams, scan  # noqa: E402

INDEX = "bench_products"
CLUSTERS = {"bench-source": 35200, "bench-dest": 35210}
BATCH = 5000


def start_clusters():
    start_fresh(list(CLUSTERS), ports=CLUSTERS, heap="512m")
    clients = {}
    for name in CLUSTERS:
        data = eslocal.info(name)
        clients[name] = (data, Elasticsearch(data["url"], basic_auth=(data["username"], data["password"]),
                                             request_timeout=120))
    return clients


def documents(count):
    rng = random.Random(42)
    words = ["fixed", "wealth", "management", "stable", "returns", "minimum", "investment", "days", "product"]
    for number in range(count):
        yield {
            "_id": "product-%d" % number,
            "productName": "Product %d" % number,
            "annual_rate": "%.4f%%" % (rng.random() * 5),
            "describe": " ".join(rng.choice(words) for _word in range(20)),
            "price": round(rng.random() * 1000, 2),
        }


def load(client, count):
    client.indices.create(index=INDEX, settings={"number_of_shards": 2, "number_of_replicas": 0,
                                                 "refresh_interval": "-1"})
    helpers.bulk(client.options(request_timeout=120), documents(count), index=INDEX, chunk_size=5000)
    client.indices.put_settings(index=INDEX, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=INDEX)
    client.indices.forcemerge(index=INDEX, max_num_segments=1)


def drain(stream):
    return sum(len(batch) for batch in stream)


def plain_scan(client):
    """Read every document with PIT + search_after and do nothing with it (the plain approach)."""
    pit = client.open_point_in_time(index=INDEX, keep_alive="5m")["id"]
    read, search_after = 0, None
    try:
        while True:
            hits = client.search(pit={"id": pit, "keep_alive": "5m"}, sort=["_shard_doc"], size=BATCH,
                                 track_total_hits=False, search_after=search_after,
                                 filter_path=PAGE_FIELDS).get("hits", {}).get("hits", [])
            if not hits:
                return read
            read += len(hits)
            search_after = hits[-1]["sort"]
    finally:
        client.close_point_in_time(id=pit)


def timed(function):
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200000)
    parser.add_argument("--keep", action="store_true", help="leave the clusters running")
    options = parser.parse_args()

    clients = start_clusters()
    (source_info, source), (dest_info, dest) = clients["bench-source"], clients["bench-dest"]
    load_seconds = timed(lambda: (load(source, options.docs), load(dest, options.docs)))[0]

    rows = []
    seconds, read = timed(lambda: plain_scan(source) + plain_scan(dest))
    rows.append(("plain read, source then dest", seconds, read))
    with ThreadPoolExecutor(2) as pool:
        seconds, read = timed(lambda: sum(pool.map(plain_scan, [source, dest])))
    rows.append(("plain read, both at once (lower bound)", seconds, read))
    seconds, (outcome, read) = timed(lambda: compare_streams(
        scan(source, INDEX, None, True, BATCH), scan(dest, INDEX, None, True, BATCH), True, 10))
    assert outcome["spilled"] == 0, outcome
    assert outcome["compared"] == options.docs and outcome["mismatched"] == 0, outcome
    rows.append(("es_verify level=content (module code)", seconds, read))
    args = dict(hosts=[dest_info["url"]], username=dest_info["username"], password=dest_info["password"],
                source=dict(hosts=[source_info["url"]], username=source_info["username"],
                            password=source_info["password"], index=INDEX),
                dest_index=INDEX, level="content", request_timeout=120)
    seconds, run = timed(lambda: support.run_module("es_verify", args))
    assert run.result.get("match") is True, run.result.get("msg")
    rows.append(("es_verify level=content (ansible-playbook)", seconds, 2 * options.docs))

    lower_bound = rows[1][1]
    results = dict(
        docs_per_index=options.docs, load_seconds=round(load_seconds, 1), peak_pending=outcome["peak_pending"],
        machine=dict(python=platform.python_version(), cpus=__import__("os").cpu_count(),
                     elasticsearch=eslocal.es_version()),
        runs=[dict(name=name, seconds=round(seconds, 2), docs_read=read,
                   docs_per_second=round(read / seconds), ratio_to_lower_bound=round(seconds / lower_bound, 2))
              for name, seconds, read in rows],
    )
    lines = ["| run | seconds | docs read | docs/s | × lower bound |", "|---|---|---|---|---|"]
    lines += ["| %(name)s | %(seconds).2f | %(docs_read)d | %(docs_per_second)d | %(ratio_to_lower_bound).2f |" % run
              for run in results["runs"]]
    table = "\n".join(lines)
    print(table)
    print("peak documents held while comparing: %d" % outcome["peak_pending"])
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "verify_content.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "verify_content.md").write_text(
        "%d documents per index, Elasticsearch %s, %s CPUs\n\n%s\n\npeak documents held while comparing: %d\n"
        % (options.docs, eslocal.es_version(), results["machine"]["cpus"], table, outcome["peak_pending"]))
    if not options.keep:
        for name in CLUSTERS:
            eslocal.stop(name)


if __name__ == "__main__":
    main()
