# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start real Elasticsearch clusters on loopback for the demo and the test suite.

The distribution is Elastic's own server zip published on Maven Central
(org.elasticsearch.distribution.integ-test-zip:elasticsearch), run with the machine's JDK.
That zip holds only the transport and x-pack modules, so the reindex module is added from
Maven Central too: org.elasticsearch.plugin:reindex-client (the module's jar) with the jars it
depends on, plus a plugin descriptor and security policy written here.

Commands (see --help): fetch, start, stop, restart, destroy, status, info, env.
State lives under $ESLOCAL_HOME (default /var/tmp/esops-eslocal): dist/<version> holds the
assembled distribution, clusters/<name>/<node>/{config,data,logs} one directory per node.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

# 7.17 is the newest line whose reindex module Elastic publishes on Maven Central
# (reindex-client stops at 7.17.x; the 8.x/9.x integ-test zips ship without reindex and rest-root).
DEFAULT_VERSION = "7.17.29"
DEFAULT_HOME = "/var/tmp/esops-eslocal"
DEFAULT_PORTS = {"source": 19200, "dest": 19210}
NODE_USER = "esnode"
ADMIN_USER = "esops_admin"
START_TIMEOUT = 180

REINDEX_DESCRIPTOR = """\
description=Reindex module assembled by esops.migration tools/eslocal.py from Maven Central jars
version={version}
name=reindex
classname=org.elasticsearch.reindex.ReindexPlugin
java.version=1.8
elasticsearch.version={version}
extended.plugins=
has.native.controller=false
type=isolated
"""

# Same grants as the module Elasticsearch ships: the remote client opens sockets and reads proxy settings.
REINDEX_POLICY = """\
grant {
  permission java.net.SocketPermission "*", "connect";
};
grant codeBase "${codebase.elasticsearch-rest-client}" {
  permission java.net.NetPermission "getProxySelector";
};
grant codeBase "${codebase.httpasyncclient}" {
  permission java.net.NetPermission "getProxySelector";
};
"""

REINDEX_POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.esops</groupId>
  <artifactId>eslocal-reindex-module</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.elasticsearch.plugin</groupId>
      <artifactId>reindex-client</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

JVM_OPTIONS = """\
# written by tools/eslocal.py
-Xms{heap}
-Xmx{heap}
-XX:+UseG1GC
-Djava.io.tmpdir=${{ES_TMPDIR}}
-XX:+ExitOnOutOfMemoryError
-XX:ErrorFile={logs}/hs_err_pid%p.log
-Xlog:disable
"""


class LauncherError(RuntimeError):
    """A failure the CLI reports as one message."""


def log(msg):
    print("[eslocal] %s" % msg, file=sys.stderr, flush=True)


def es_version():
    return os.environ.get("ES_VERSION", DEFAULT_VERSION)


def home():
    return Path(os.environ.get("ESLOCAL_HOME", DEFAULT_HOME))


def java_home():
    if os.environ.get("ES_JAVA_HOME"):
        return os.environ["ES_JAVA_HOME"]
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if not java:
        raise LauncherError("no java on PATH: install a JDK 17 (Debian: openjdk-17-jdk-headless) or set ES_JAVA_HOME")
    return str(Path(java).resolve().parent.parent)


# ---------------------------------------------------------------- distribution


def _mvn(args, cwd):
    if not shutil.which("mvn"):
        raise LauncherError("mvn not found: install Maven (Debian: maven) to fetch Elasticsearch from Maven Central")
    cmd = ["mvn", "-B", "-q", "-C"] + args
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LauncherError("%s failed:\n%s%s" % (" ".join(cmd), proc.stdout[-3000:], proc.stderr[-2000:]))


def fetch_distribution(version=None):
    """Download (through Maven's cache) and assemble the distribution; return its home directory."""
    version = version or es_version()
    dist_root = home() / "dist"
    es_home = dist_root / ("elasticsearch-%s" % version)
    stamp = es_home / ".eslocal-assembled"
    if stamp.exists():
        return es_home
    dist_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dist_root) as work:
        work = Path(work)
        log("fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:%s from Maven Central" % version)
        _mvn(
            [
                "dependency:copy",
                "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:%s:zip" % version,
                "-DoutputDirectory=%s" % work,
            ],
            cwd=work,
        )
        with zipfile.ZipFile(work / ("elasticsearch-%s.zip" % version)) as archive:
            archive.extractall(work / "unpacked")
        unpacked = work / "unpacked" / ("elasticsearch-%s" % version)
        for script in (unpacked / "bin").iterdir():
            script.chmod(0o755)
        log("fetching org.elasticsearch.plugin:reindex-client:%s and its dependencies" % version)
        (work / "pom.xml").write_text(REINDEX_POM.format(version=version))
        module_dir = unpacked / "modules" / "reindex"
        _mvn(["dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=%s" % module_dir], cwd=work)
        if not any(module_dir.glob("reindex-client-*.jar")):
            raise LauncherError(
                "org.elasticsearch.plugin:reindex-client:%s is not on Maven Central; use a 7.x ES_VERSION" % version
            )
        # Jars the server already has in lib/ must not be loaded twice (jar hell).
        server_jars = {jar.name for jar in (unpacked / "lib").glob("*.jar")}
        for jar in module_dir.glob("*.jar"):
            if jar.name in server_jars:
                jar.unlink()
        (module_dir / "plugin-descriptor.properties").write_text(REINDEX_DESCRIPTOR.format(version=version))
        (module_dir / "plugin-security.policy").write_text(REINDEX_POLICY)
        (unpacked / ".eslocal-assembled").write_text(version + "\n")
        if es_home.exists():
            shutil.rmtree(es_home)
        unpacked.rename(es_home)
    _make_readable(dist_root)
    return es_home


def _make_readable(path):
    """The nodes run as an unprivileged user: let it read the distribution and traverse to it."""
    for root, dirs, files in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            full = os.path.join(root, name)
            os.chmod(full, os.stat(full).st_mode | 0o444)
    os.chmod(path, 0o755)


# ---------------------------------------------------------------- clusters


@dataclass
class Node:
    cluster: str
    index: int
    http_port: int
    transport_port: int

    @property
    def name(self):
        return "%s-%d" % (self.cluster, self.index)

    @property
    def dir(self):
        return home() / "clusters" / self.cluster / self.name

    @property
    def config_dir(self):
        return self.dir / "config"

    @property
    def config_file(self):
        return self.config_dir / "elasticsearch.yml"

    @property
    def log_file(self):
        return self.dir / "logs" / ("%s.log" % self.cluster)

    @property
    def console_log(self):
        return self.dir / "logs" / "console.log"

    @property
    def pid_file(self):
        return self.dir / "pid"

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.http_port


def cluster_dir(name):
    return home() / "clusters" / name


def load_cluster(name):
    meta_file = cluster_dir(name) / "cluster.json"
    if not meta_file.exists():
        raise LauncherError("no cluster named %s under %s: start it first" % (name, home()))
    return json.loads(meta_file.read_text())


def cluster_nodes(meta):
    return [
        Node(meta["name"], i, meta["http_port"] + i, meta["transport_port"] + i) for i in range(meta["nodes"])
    ]


def _node_uid_gid():
    if os.getuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(NODE_USER)
    except KeyError:
        # Elasticsearch refuses to run as root: create an unprivileged system user for the nodes.
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER], check=True
        )
        entry = pwd.getpwnam(NODE_USER)
    return entry.pw_uid, entry.pw_gid


def _chown_tree(path, ids):
    if ids is None:
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, *ids)
        for name in files:
            os.chown(os.path.join(root, name), *ids)


def node_config(meta, node, all_nodes):
    lines = [
        "# ======================== Elasticsearch Configuration =========================",
        "# Written once by tools/eslocal.py when the cluster was created; edit freely,",
        "# restarts keep this file as it is.",
        "#",
        "# ---------------------------------- Cluster -----------------------------------",
        "cluster.name: %s" % meta["name"],
        "node.name: %s" % node.name,
        "#",
        "# ----------------------------------- Paths ------------------------------------",
        "path.data: %s" % (node.dir / "data"),
        "path.logs: %s" % (node.dir / "logs"),
        "#",
        "# ---------------------------------- Network -----------------------------------",
        "network.host: 127.0.0.1",
        "http.port: %d" % node.http_port,
        "transport.port: %d" % node.transport_port,
        "#",
        "# --------------------------------- Discovery ----------------------------------",
    ]
    if len(all_nodes) == 1:
        lines.append("discovery.type: single-node")
    else:
        lines.append("discovery.seed_hosts: [%s]" % ", ".join("127.0.0.1:%d" % n.transport_port for n in all_nodes))
        lines.append("cluster.initial_master_nodes: [%s]" % ", ".join(n.name for n in all_nodes))
    lines += [
        "#",
        "# ---------------------------------- Various -----------------------------------",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "xpack.security.enabled: %s" % ("true" if meta["security"] else "false"),
        "",
    ]
    return "\n".join(lines)


def create_cluster(name, nodes=1, http_port=None, security=True, heap="512m"):
    """Write config and data directories for a new cluster (nothing is started)."""
    es_home = fetch_distribution()
    directory = cluster_dir(name)
    if (directory / "cluster.json").exists():
        return load_cluster(name)
    http_port = http_port or DEFAULT_PORTS.get(name) or 19300 + 10 * (len(list((home() / "clusters").glob("*"))))
    meta = dict(
        name=name,
        version=es_version(),
        es_home=str(es_home),
        nodes=nodes,
        http_port=http_port,
        transport_port=http_port + 100,
        security=security,
        heap=heap,
        username=ADMIN_USER if security else None,
        password=_random_password() if security else None,
    )
    ids = _node_uid_gid()
    all_nodes = cluster_nodes(meta)
    for node in all_nodes:
        for sub in ("config", "data", "logs"):
            (node.dir / sub).mkdir(parents=True, exist_ok=True)
        for name_ in ("log4j2.properties",):
            shutil.copy(es_home / "config" / name_, node.config_dir / name_)
        for name_ in ("roles.yml", "role_mapping.yml", "users", "users_roles"):
            source = es_home / "config" / name_
            if source.exists():
                shutil.copy(source, node.config_dir / name_)
        node.config_file.write_text(node_config(meta, node, all_nodes))
        (node.config_dir / "jvm.options").write_text(JVM_OPTIONS.format(heap=heap, logs=node.dir / "logs"))
    _make_readable(home())
    for node in all_nodes:
        _chown_tree(node.dir, ids)
        if security:
            _add_file_realm_user(meta, node, ids)
    meta_file = directory / "cluster.json"
    meta_file.write_text(json.dumps(meta, indent=2))
    os.chmod(meta_file, 0o600)
    return meta


def _random_password():
    return "Es-" + secrets.token_urlsafe(15)


def _add_file_realm_user(meta, node, ids):
    env = _node_env(meta, node)
    cmd = [
        str(Path(meta["es_home"]) / "bin" / "elasticsearch-users"),
        "useradd",
        meta["username"],
        "-p",
        meta["password"],
        "-r",
        "superuser",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, **_as_node_user(ids))
    if proc.returncode != 0:
        raise LauncherError("creating the admin user of %s failed: %s%s" % (node.name, proc.stdout, proc.stderr))


def _as_node_user(ids):
    if ids is None:
        return {}
    return dict(user=ids[0], group=ids[1], extra_groups=[])


def _node_env(meta, node):
    env = dict(os.environ)
    env.update(ES_JAVA_HOME=java_home(), ES_PATH_CONF=str(node.config_dir), ES_JAVA_OPTS="")
    env.pop("JAVA_HOME", None)
    return env


def _pid_alive(pid):
    # A node started by this process stays a zombie until reaped; reap it so it counts as gone.
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def node_pid(node):
    try:
        pid = int(node.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _request(meta, url, timeout=5):
    request = urllib.request.Request(url)
    if meta.get("security"):
        token = base64.b64encode(("%s:%s" % (meta["username"], meta["password"])).encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode())


def start_node(meta, node):
    if node_pid(node):
        return
    ids = _node_uid_gid()
    _chown_tree(node.dir, ids)
    cmd = [str(Path(meta["es_home"]) / "bin" / "elasticsearch")]
    with open(node.console_log, "ab") as console:
        proc = subprocess.Popen(
            cmd,
            env=_node_env(meta, node),
            cwd=str(node.dir),
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_as_node_user(ids)
        )
    node.pid_file.write_text("%d\n" % proc.pid)


def _tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log yet)"


def wait_for_node(meta, node, deadline):
    while time.time() < deadline:
        pid = node_pid(node)
        if pid is None:
            raise LauncherError(
                "node %s exited while starting. Logs: %s and %s\n--- last lines ---\n%s\n%s"
                % (node.name, node.log_file, node.console_log, _tail(node.console_log, 15), _tail(node.log_file))
            )
        try:
            health = _request(
                meta, node.url + "/_cluster/health?wait_for_status=yellow&timeout=2s&local=true", timeout=5
            )
            if health.get("status") in ("green", "yellow") and health.get("number_of_nodes") == meta["nodes"]:
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(1)
    raise LauncherError(
        "node %s did not become healthy within %ds. Logs: %s\n--- last lines ---\n%s"
        % (node.name, START_TIMEOUT, node.log_file, _tail(node.log_file))
    )


def start(name, nodes=1, http_port=None, security=True, heap="512m"):
    meta = create_cluster(name, nodes=nodes, http_port=http_port, security=security, heap=heap)
    all_nodes = cluster_nodes(meta)
    for node in all_nodes:
        start_node(meta, node)
    deadline = time.time() + START_TIMEOUT
    for node in all_nodes:
        wait_for_node(meta, node, deadline)
    log("cluster %s is up: %s" % (name, ", ".join(n.url for n in all_nodes)))
    return meta


def stop_node(node, timeout=60):
    pid = node_pid(node)
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline and _pid_alive(pid):
        time.sleep(0.3)
    if _pid_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    node.pid_file.unlink(missing_ok=True)


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: init reaps it
        pass


def stop(name):
    meta = load_cluster(name)
    for node in cluster_nodes(meta):
        stop_node(node)


def restart(name, node_index=None):
    """Restart one node (or every node, one after the other) keeping its elasticsearch.yml as it is."""
    meta = load_cluster(name)
    for node in cluster_nodes(meta):
        if node_index is not None and node.index != node_index:
            continue
        stop_node(node)
        start_node(meta, node)
        wait_for_node(meta, node, time.time() + START_TIMEOUT)
    return meta


def destroy(name):
    if (cluster_dir(name) / "cluster.json").exists():
        stop(name)
    shutil.rmtree(cluster_dir(name), ignore_errors=True)


def info(name):
    meta = load_cluster(name)
    nodes = cluster_nodes(meta)
    return dict(
        name=name,
        version=meta["version"],
        url=nodes[0].url,
        urls=[n.url for n in nodes],
        username=meta["username"],
        password=meta["password"],
        nodes=[
            dict(
                name=n.name,
                url=n.url,
                pid=node_pid(n),
                config_file=str(n.config_file),
                log_file=str(n.log_file),
                transport_port=n.transport_port,
            )
            for n in nodes
        ],
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download and assemble the distribution")
    p_start = sub.add_parser("start", help="create (first time) and start clusters")
    p_start.add_argument("names", nargs="+")
    p_start.add_argument("--nodes", type=int, default=1)
    p_start.add_argument("--http-port", type=int, help="HTTP port of the first node (one cluster only)")
    p_start.add_argument("--no-security", action="store_true", help="run without authentication")
    p_start.add_argument("--heap", default=os.environ.get("ESLOCAL_HEAP", "512m"))
    for verb in ("stop", "destroy", "status", "info"):
        sub.add_parser(verb).add_argument("names", nargs="+")
    p_restart = sub.add_parser("restart", help="restart a cluster's nodes one by one")
    p_restart.add_argument("names", nargs="+")
    p_restart.add_argument("--node", type=int, help="only this node index")
    p_env = sub.add_parser("env", help="print shell exports for the demo (source/dest URLs and credentials)")
    p_env.add_argument("names", nargs="*", default=["source", "dest"])
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch_distribution())
        elif args.command == "start":
            if args.http_port and len(args.names) > 1:
                parser.error("--http-port goes with one cluster name")
            for name in args.names:
                start(name, args.nodes, args.http_port, not args.no_security, args.heap)
        elif args.command == "stop":
            for name in args.names:
                stop(name)
        elif args.command == "restart":
            for name in args.names:
                restart(name, args.node)
        elif args.command == "destroy":
            for name in args.names:
                destroy(name)
        elif args.command in ("status", "info"):
            print(json.dumps([info(name) for name in args.names], indent=2))
        elif args.command == "env":
            for name in args.names:
                data = info(name)
                prefix = "ESLOCAL_%s_" % name.upper().replace("-", "_")
                print("export %sURL=%s" % (prefix, data["url"]))
                print("export %sUSERNAME=%s" % (prefix, data["username"] or ""))
                print("export %sPASSWORD=%s" % (prefix, data["password"] or ""))
                print("export %sCONFIG=%s" % (prefix, data["nodes"][0]["config_file"]))
    except LauncherError as exc:
        print("eslocal: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
