"""Benchmark: the role's read-only preflight as one es_preflight task against the same questions as uri tasks.

Starts two local clusters (bench-source, bench-dest), loads the guide's documents into the source, then in one
run, alternating, times each approach through ansible-playbook (wall seconds and the CPU seconds of
ansible-playbook and its children):
  - uri: the 13 requests the role's preflight made with one index before es_preflight (5 on the source, 8 on the
    destination, as data streams matter with mode sync), one ansible.builtin.uri task each (the plain approach);
  - es_preflight: the same questions in one module task.
Both must see the same thing: the source index with 6 documents, no destination index, and (es_preflight) no
problem. Prints a table and saves bench/results/preflight.{json,md}.

    .venv/bin/python bench/preflight.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from esops_testbed import eslocal, support
from esops_testbed.cluster_support import start_fresh
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info

REPO = Path(__file__).resolve().parents[1]
CLUSTERS = {"bench-source": 35200, "bench-dest": 35210}
DEST_INDEX = "bench_preflight_copy"


def connection(name):
    data = eslocal.info(name)
    return dict(hosts=[data["url"]], username=data["username"], password=data["password"])


def uri_task(cluster, path, method="GET", body=None):
    args = dict(url=cluster["hosts"][0] + path, method=method, url_username=cluster["username"],
                url_password=cluster["password"], force_basic_auth=True, status_code=[200, 400, 404])
    if body is not None:
        args.update(body_format="json", body=body)
    return ("ansible.builtin.uri", args)


def uri_tasks(source, dest):
    """The role's former preflight requests for one index, one uri task each."""
    privileges = dict(cluster=["monitor"],
                      index=[dict(names=[PRODUCT_INDEX], privileges=["read", "view_index_metadata"])])
    return [
        uri_task(source, "/"),
        uri_task(source, "/%s/_mapping" % PRODUCT_INDEX),
        uri_task(source, "/_security/user/_has_privileges", "POST", privileges),
        uri_task(source, "/%s/_stats/store" % PRODUCT_INDEX),
        uri_task(source, "/%s/_count" % PRODUCT_INDEX, "POST", {}),
        uri_task(dest, "/"),
        uri_task(dest, "/_nodes/stats/fs?filter_path=nodes.*.name,nodes.*.roles,nodes.*.fs.total"),
        uri_task(dest, "/_cluster/settings?include_defaults=true&filter_path=*.cluster.routing.allocation.disk"),
        uri_task(dest, "/_data_stream"),
        uri_task(dest, "/_index_template"),
        uri_task(dest, "/" + DEST_INDEX, "HEAD"),
        uri_task(dest, "/_alias/" + DEST_INDEX),
        uri_task(dest, "/_nodes/settings?flat_settings=true&filter_path=nodes.*.name,nodes.*.settings.reindex*"),
    ]


def preflight_task(source, dest):
    return ("es_preflight", dict(dest, source=source, indices=[dict(source=PRODUCT_INDEX, dest=DEST_INDEX)],
                                 mode="sync"))


def check_uri(results):
    assert all(not result.get("failed") for result in results), [r.get("msg") for r in results if r.get("failed")]
    assert results[4]["json"]["count"] == 6 and results[10]["status"] == 404, (results[4], results[10])


def check_preflight(results):
    (result,) = results
    assert not result.get("failed") and result["problems"] == [], result.get("msg") or result["problems"]
    answers = result["answers"]
    assert answers["source"]["counts"][0]["json"]["count"] == 6 and answers["dest"]["exists"][0]["status"] == 404


def timed_run(tasks, check):
    """(wall seconds, CPU seconds of ansible-playbook and its children) of one playbook of `tasks`."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    _run, results = support.run_tasks(tasks)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    check(results)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summary(name, requests, tasks, samples):
    walls, cpus = [wall for wall, _cpu in samples], [cpu for _wall, cpu in samples]
    return dict(name=name, requests=requests, tasks=tasks, runs=len(samples),
                wall_seconds_mean=round(sum(walls) / len(walls), 2), cpu_seconds_mean=round(sum(cpus) / len(cpus), 2),
                cpu_seconds=[round(cpu, 2) for cpu in cpus])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the clusters running")
    options = parser.parse_args()

    support.ensure_collection_tree()
    start_fresh(list(CLUSTERS), ports=CLUSTERS, heap="512m")
    source, dest = connection("bench-source"), connection("bench-dest")
    load_product_info(Elasticsearch(source["hosts"][0], basic_auth=(source["username"], source["password"])))
    approaches = [("uri tasks (plain)", uri_tasks(source, dest), check_uri),
                  ("es_preflight", [preflight_task(source, dest)], check_preflight)]
    samples = {name: [] for name, _tasks, _check in approaches}
    for _round in range(options.rounds):
        for name, tasks, check in approaches:
            samples[name].append(timed_run(tasks, check))

    runs = [summary(name, 13, len(tasks), samples[name]) for name, tasks, _check in approaches]
    results = dict(machine=dict(python=platform.python_version(), cpus=os.cpu_count(),
                                elasticsearch=eslocal.es_version()), runs=runs)
    lines = ["| approach | tasks | runs | wall s (mean) | CPU s (mean) |", "|---|---|---|---|---|"]
    lines += ["| %(name)s | %(tasks)d | %(runs)d | %(wall_seconds_mean).2f | %(cpu_seconds_mean).2f |" % run
              for run in runs]
    table = "\n".join(lines)
    print(table)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "preflight.json").write_text(json.dumps(results, indent=2) + "\n")
    heading = "The role's preflight questions for one index, Elasticsearch %s, %s CPUs, through ansible-playbook" % (
        eslocal.es_version(), os.cpu_count())
    (out / "preflight.md").write_text("%s\n\n%s\n" % (heading, table))
    if not options.keep:
        for name in CLUSTERS:
            eslocal.stop(name)


if __name__ == "__main__":
    main()
