"""Toxiproxy between the destination and the source, for the network fault tests.

The server (Shopify's Toxiproxy, the Go module github.com/Shopify/toxiproxy/v2, built by tools/setup.sh with
`go install .../cmd/server@v2.12.0` into $ESLOCAL_HOME/toxiproxy-2.12.0) listens on loopback only; a proxy
stands where a PrivateLink endpoint or a load balancer stands in the guide: the destination's
`source.remote.host` and its reindex.remote.whitelist entry are the proxy's host:port, while the controller
reaches the source directly. It is driven through its HTTP API with requests (the PyPI client,
toxiproxy-python 0.1.1, has not been released since 2016).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import requests

from esops_testbed import eslocal

VERSION = "2.12.0"
MODULE = "github.com/Shopify/toxiproxy/v2/cmd/server@v%s" % VERSION


def install_dir():
    return eslocal.home() / ("toxiproxy-%s" % VERSION)


def server_binary():
    """Path of the Toxiproxy server; an AssertionError (a failure, not a skip) when it is not installed."""
    binary = Path(os.environ.get("ESOPS_TOXIPROXY_SERVER") or install_dir() / "toxiproxy-server")
    assert binary.is_file(), (
        "the Toxiproxy server is not at %s: run tools/setup.sh (it runs GOBIN=%s go install %s and renames the "
        "binary server to toxiproxy-server)" % (binary, install_dir(), MODULE))
    return binary


class Proxy:
    """One proxy of a running Toxiproxy server: listen address, upstream, toxics, on and off."""

    def __init__(self, api, name, listen):
        self.api = api
        self.name = name
        self.listen = listen

    @property
    def url(self):
        return "http://" + self.listen

    def _call(self, method, suffix="", body=None):
        response = requests.request(method, "%s/proxies/%s%s" % (self.api, self.name, suffix), json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def add_toxic(self, kind, stream="downstream", toxicity=1.0, **attributes):
        """Add a toxic (latency, bandwidth, reset_peer, timeout, ...); returns its name."""
        name = "%s_%s" % (kind, stream)
        self._call("POST", "/toxics", dict(name=name, type=kind, stream=stream, toxicity=toxicity,
                                           attributes=attributes))
        return name

    def remove_toxic(self, name):
        self._call("DELETE", "/toxics/" + name)

    def clear_toxics(self):
        for toxic in self._call("GET", "/toxics"):
            self.remove_toxic(toxic["name"])

    def set_enabled(self, enabled):
        """Switch the proxy on or off (off: it closes its connections and refuses new ones)."""
        self._call("PATCH", "", dict(enabled=enabled))


class Toxiproxy:
    """A Toxiproxy server on 127.0.0.1:`api_port`, its log in `workdir`; stop() ends it."""

    def __init__(self, workdir, api_port):
        self.dir = Path(workdir)
        self.api = "http://127.0.0.1:%d" % api_port
        self.api_port = api_port
        self.process = None

    def start(self, timeout=15):
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "toxiproxy.log", "ab") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop()
                [str(server_binary()), "-host", "127.0.0.1", "-port", str(self.api_port)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("Toxiproxy did not start on port %d; see %s"
                                     % (self.api_port, self.dir / "toxiproxy.log"))
            time.sleep(0.05)
        return self

    def _answers(self):
        try:
            return requests.get(self.api + "/version", timeout=1).ok
        except requests.RequestException:
            return False

    def proxy(self, name, listen_port, upstream):
        """Create (or replace) a proxy on 127.0.0.1:listen_port to upstream (host:port)."""
        requests.delete("%s/proxies/%s" % (self.api, name), timeout=10)
        listen = "127.0.0.1:%d" % listen_port
        response = requests.post(self.api + "/proxies", json=dict(name=name, listen=listen, upstream=upstream,
                                                                  enabled=True), timeout=10)
        response.raise_for_status()
        return Proxy(self.api, name, listen)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
