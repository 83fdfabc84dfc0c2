"""What the copy benchmarks share (bench/reindex.py, bench/network.py): two local clusters, the product documents,
the copies they time (the guide's plain _reindex, es_reindex through ansible-playbook or its module code alone)
and the timing itself, which counts the destination's documents so that an incomplete copy is a failure.

The scripts run as `.venv/bin/python bench/<name>.py`: Python puts bench/ first on sys.path, so they import this
module by its name.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from esops_testbed import eslocal, support
from esops_testbed.cluster_support import set_whitelist_line
from esops_testbed.guide_data import PRODUCT_DOCS, PRODUCT_MAPPINGS

support.ensure_collection_tree()

from elasticsearch import Elasticsearch, helpers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
HEAP = "512m"
INDEX = "bench_products"
# Same on both sides and for every run: single-node clusters, so one shard and no replica.
INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}
INDEX_MAPPINGS = {"properties": dict(PRODUCT_MAPPINGS["properties"],
                                     price={"type": "double"}, launch_date={"type": "date"})}
NUMERIC_FIELD = "price"
LONG_TIMEOUT = 3600


@dataclass
class Run:
    key: str
    name: str
    status: str = "ok"  # ok | failed | not available | skipped
    seconds: float | None = None
    docs_copied: int | None = None
    reason: str = ""
    details: dict = field(default_factory=dict)
    load_average: list = field(default_factory=list)


def ok(run):
    return run is not None and run.status == "ok"


# ---------------------------------------------------------------- clusters and data


@dataclass
class Cluster:
    name: str
    url: str
    username: str
    password: str
    client: Elasticsearch
    # How the destination reaches this cluster when it is the source (a proxy's URL); the url when empty.
    url_from_dest: str = ""

    @classmethod
    def from_eslocal(cls, name):
        data = eslocal.info(name)
        client = Elasticsearch(data["url"], basic_auth=(data["username"], data["password"]),
                               request_timeout=LONG_TIMEOUT)
        return cls(name, data["url"], data["username"], data["password"], client)

    @property
    def remote_host(self):
        return self.url_from_dest or self.url

    def url_with_credentials(self):
        scheme, rest = self.url.split("://", 1)
        return "%s://%s:%s@%s" % (scheme, quote(self.username, safe=""), quote(self.password, safe=""), rest)


def start_pair(source_name, source_port, dest_name, dest_port, whitelist_entry):
    """Fresh single-node source and dest; the dest's elasticsearch.yml whitelists `whitelist_entry` before it starts."""
    for name in (source_name, dest_name):
        eslocal.destroy(name)
    metas = [eslocal.create_cluster(name, http_port=port, heap=HEAP)
             for name, port in ((source_name, source_port), (dest_name, dest_port))]
    set_whitelist_line(eslocal.cluster_nodes(metas[1])[0].config_file, whitelist_entry)
    eslocal.start_clusters(metas)
    return Cluster.from_eslocal(source_name), Cluster.from_eslocal(dest_name)


def product_documents(count):
    """The guide's product documents, varied: productName, annual_rate, describe, plus price and launch_date."""
    rng = random.Random(42)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    for number in range(count):
        template = PRODUCT_DOCS[number % len(PRODUCT_DOCS)]
        days = rng.choice([3, 30, 90, 180, 270, 365])
        yield {
            "_id": "product-%d" % number,
            "productName": "Wealth Management Product %d" % number,
            "annual_rate": "%.4f%%" % (1.5 + rng.random() * 3),
            "describe": "%d-day %s" % (days, template["describe"].split(" ", 1)[1]),
            "price": round(rng.random() * 100000, 2),
            "launch_date": (start + timedelta(seconds=rng.randrange(10 * 365 * 86400))).isoformat(),
        }


def create_index(client):
    client.options(ignore_status=404).indices.delete(index=INDEX)
    client.indices.create(index=INDEX, settings=INDEX_SETTINGS, mappings=INDEX_MAPPINGS)
    client.cluster.health(index=INDEX, wait_for_status="green", timeout="60s")


def load_source(client, count):
    create_index(client)
    client.indices.put_settings(index=INDEX, settings={"refresh_interval": "-1"})
    helpers.bulk(client, product_documents(count), index=INDEX, chunk_size=5000)
    client.indices.put_settings(index=INDEX, settings={"refresh_interval": None})
    client.indices.refresh(index=INDEX)
    client.indices.forcemerge(index=INDEX, max_num_segments=1)
    return client.count(index=INDEX)["count"]


# ---------------------------------------------------------------- the copies


def guide_reindex(source, dest):
    """(a) Exactly the guide's request: source.remote {host, username, password}, source.index, dest.index."""
    response = dest.client.reindex(
        source={"remote": {"host": source.remote_host, "username": source.username, "password": source.password},
                "index": INDEX},
        dest={"index": INDEX},
        wait_for_completion=True,
    )
    if response.get("failures"):
        raise RuntimeError("_reindex failures: %s" % response["failures"][:2])
    return {"es_took_seconds": round(response["took"] / 1000, 2)}


def module_args(source, dest, options):
    """es_reindex's arguments: the dest reaches the source at source.remote_host, the module at source.url."""
    args = dict(hosts=[dest.url], username=dest.username, password=dest.password,
                remote=dict(host=source.remote_host, username=source.username, password=source.password),
                source_index=INDEX, dest_index=INDEX, request_timeout=120)
    if source.remote_host != source.url:
        args["source"] = dict(hosts=[source.url])
    args.update(options)
    return args


class NotAvailable(Exception):
    """The module in this checkout does not take an option yet."""


def check_module_result(result):
    if result.get("failed"):
        message = str(result.get("msg", ""))
        if "Unsupported parameters" in message:
            raise NotAvailable(message)
        raise RuntimeError(message[:500])


def module_details(result):
    """What a result says about the copy: ES's took, batches, tasks and the batch sizes they used."""
    copies = result.get("copies") or []
    return {"es_took_seconds": round((result.get("took") or 0) / 1000, 2), "batches": result.get("batches"),
            "tasks": len(copies), "sizes": sorted({copy.get("size") for copy in copies if copy.get("size")})}


def es_reindex_playbook(source, dest, options):
    """es_reindex through ansible-playbook, what users run (adds Ansible's start-up and AnsiballZ)."""
    run = support.run_module("es_reindex", module_args(source, dest, options))
    check_module_result(run.result)
    return module_details(run.result)


def es_reindex_module_code(source, dest, options):
    """The same module file run directly with python: the module's own code without Ansible's controller."""
    with tempfile.TemporaryDirectory(prefix="bench-reindex-") as work:
        args_file = Path(work) / "args.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": module_args(source, dest, options)}))
        os.chmod(args_file, 0o600)
        proc = subprocess.run(
            [sys.executable, str(REPO / "plugins" / "modules" / "es_reindex.py"), str(args_file)],
            env=dict(os.environ, PYTHONPATH=str(support.COLLECTIONS_PATH)),
            capture_output=True, text=True, timeout=LONG_TIMEOUT, check=False,
        )
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError("the module printed no result (rc=%s): %s" % (proc.returncode, proc.stderr[-500:]))
    check_module_result(result)
    return module_details(result)


# ---------------------------------------------------------------- measuring


def measure(key, name, dest, expected, copy):
    """Empty dest index, time copy(), then check dest holds every document."""
    create_index(dest.client)
    time.sleep(1)
    run = Run(key, name)
    before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        run.details = copy() or {}
        seconds = time.perf_counter() - started
    except NotAvailable as exc:
        run.status, run.reason = "not available", "module option missing in this checkout: %s" % str(exc)[:300]
        return report(run)
    except Exception as exc:  # pylint: disable=broad-except  # a failed run is a row of the table
        run.status, run.reason = "failed", "%s: %s" % (type(exc).__name__, str(exc)[:500])
        return report(run)
    run.load_average = [round(before, 2), round(os.getloadavg()[0], 2)]
    dest.client.indices.refresh(index=INDEX)
    run.docs_copied = dest.client.count(index=INDEX)["count"]
    if run.docs_copied != expected:
        run.status, run.reason = "failed", "copied %d of %d documents" % (run.docs_copied, expected)
    else:
        run.seconds = round(seconds, 2)
    return report(run)


def report(run):
    if run.status == "ok":
        print("  (%s) %-48s %7.2f s  %8.0f docs/s" % (run.key, run.name, run.seconds, run.docs_copied / run.seconds),
              flush=True)
    else:
        print("  (%s) %-48s %s: %s" % (run.key, run.name, run.status, run.reason[:200]), flush=True)
    return run
