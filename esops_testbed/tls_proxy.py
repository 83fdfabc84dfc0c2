"""A TLS-terminating, password-checking nginx in front of a cluster, for the https reindex tests.

nginx (Debian's package, installed by tools/setup.sh) serves https with a certificate from a throwaway CA made
here, accepts only its own credentials (a basic-auth user or an API key) and sends the cluster's real credentials
upstream, so a remote reindex through it proves the destination verified the certificate and sent the right
Authorization header. A second port serves a certificate from a CA nobody trusts.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PROXY_USER = "proxyuser"
PROXY_PASSWORD = "proxy-secret"
# An Elasticsearch API key is sent as "ApiKey base64(id:key)".
PROXY_API_KEY = base64.b64encode(b"proxy-key-id:proxy-key-secret").decode()

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    # Workers may run as nobody and cannot reach a root-only tmp dir: keep bodies in memory, never in temp files.
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;
    map_hash_bucket_size 256;  # the map's keys are whole Authorization headers

    map $http_authorization $proxy_auth_ok {{
        default 0;
        "{basic}" 1;
        "ApiKey {api_key}" 1;
    }}
{servers}
}}
"""

SERVER = """\
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            if ($proxy_auth_ok = 0) {{
                add_header WWW-Authenticate 'Basic realm="tls-proxy"' always;
                return 401;
            }}
            proxy_set_header Authorization "{upstream_auth}";
            proxy_http_version 1.1;
            proxy_pass {upstream};
        }}
    }}
"""


def basic_auth(username, password):
    return "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode()).decode()


def nginx_binary():
    """Path of nginx; an AssertionError (a failure, not a skip) when it is not installed."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert found, "nginx is not installed: run `make setup` as root (it installs Debian's nginx) or apt-get install nginx"
    return found


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, signing_key, extensions):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def make_ca(common_name):
    """A throwaway CA: (private key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    extensions = [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                       key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                       decipher_only=False), True),
    ]
    return key, _certificate(_name(common_name), _name(common_name), key.public_key(), key, extensions)


def make_server_certificate(ca, hostname="localhost", address="127.0.0.1"):
    """A server certificate for `hostname` and `address` signed by `ca`: (private key, certificate)."""
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    names = x509.SubjectAlternativeName([x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address(address))])
    extensions = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (names, False),
        (x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]
    return key, _certificate(_name(hostname), ca_cert.subject, key.public_key(), ca_key, extensions)


def write_pem(path, certificate=None, key=None):
    """Write a certificate (readable by all) or a private key (owner only) as PEM; returns the path."""
    path = Path(path)
    if key is not None:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
    else:
        path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        path.chmod(0o644)
    return path


def closed_port():
    """A loopback port nothing listens on (the kernel's pick, released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TlsProxy:
    """nginx on 127.0.0.1:`port` (certificate from `ca_file`) and `untrusted_port` (certificate from another CA),
    both proxying to `upstream` with its real credentials once the client showed the proxy's own."""

    def __init__(self, workdir, upstream, upstream_username, upstream_password, port, untrusted_port):
        self.dir = Path(workdir)
        self.upstream = upstream
        self.upstream_auth = basic_auth(upstream_username, upstream_password)
        self.port = port
        self.untrusted_port = untrusted_port
        self.ca_file = self.dir / "ca.pem"
        self.process = None

    def _write_config(self):
        ca = make_ca("esops test CA")
        write_pem(self.ca_file, certificate=ca[1])
        servers = []
        for port, issuer in ((self.port, ca), (self.untrusted_port, make_ca("esops untrusted CA"))):
            key, cert = make_server_certificate(issuer)
            servers.append(SERVER.format(
                port=port, cert=write_pem(self.dir / ("server-%d.pem" % port), certificate=cert),
                key=write_pem(self.dir / ("server-%d.key" % port), key=key),
                upstream=self.upstream, upstream_auth=self.upstream_auth,
            ))
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(
            dir=self.dir, basic=basic_auth(PROXY_USER, PROXY_PASSWORD), api_key=PROXY_API_KEY, servers="".join(servers),
        ))
        return conf

    def start(self, timeout=15):
        binary = nginx_binary()
        conf = self._write_config()
        error_log = self.dir / "error.log"
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop()
            [binary, "-p", str(self.dir), "-c", str(conf), "-e", str(error_log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + timeout
        while not all(self._listening(port) for port in (self.port, self.untrusted_port)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = error_log.read_text() if error_log.exists() else ""
                raise AssertionError("nginx did not start on ports %d and %d: %s%s"
                                     % (self.port, self.untrusted_port, self.process.stderr.read(), log))
            time.sleep(0.05)
        return self

    @staticmethod
    def _listening(port):
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
