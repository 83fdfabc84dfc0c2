#!/usr/bin/env bash
# ansible-test on a copy of the collection at .../ansible_collections/esops/migration
# (the path ansible-test requires), outside this git tree so ansible-test lists the copied files.
#
#   bash tools/sanity.sh [ARGS...]          ansible-test sanity, extra ARGS passed on
#   bash tools/sanity.sh --units [ARGS...]  ansible-test units --venv on tests/unit, controller Python
#
# ANSIBLE_TEST picks the ansible-core under test (default: .venv's, 2.19 on Python 3.11; make
# sanity-2.21 gives .venv-2.21's). The controller Python is the one of that ansible-test's venv.
# Sanity runs once: every test on the controller's Python, and the tests that depend on the
# Python version (compile, import) also on every other version ansible-core supports as a target
# (3.8 to 3.13 for 2.19) that is installed here. An interpreter counts when it runs and has venv and
# ensurepip; it is looked up on PATH and in pyenv's versions (pyenv shims of versions that are not
# selected exist on PATH but fail, so each candidate is tried). SANITY_PYTHONS="3.12 3.13" limits
# the extra versions ("" for the controller's only).
set -euo pipefail
cd "$(dirname "$0")/.."
ANSIBLE_TEST=${ANSIBLE_TEST:-$PWD/.venv/bin/ansible-test}
command=sanity
if [ "${1:-}" = "--units" ]; then
  command=units
  shift
fi
root=${TMPDIR:-/tmp}/esops-$command-$$
copy=$root/ansible_collections/esops/migration
trap 'rm -rf "$root"' EXIT
mkdir -p "$copy"
# For units, tests/conftest.py stays out of the copy: it makes the collection importable for plain
# pytest (tests/support.py), which ansible-test's collection loader does itself, and under that
# loader it is imported as ansible_collections.esops.migration.tests.conftest, where its
# `import support` cannot resolve.
skip='^$'
if [ "$command" = units ]; then
  skip='^tests/conftest\.py$'
fi
# (Files deleted in the work tree but still in the index are left out.)
git ls-files -z --cached --others --exclude-standard | grep -zv "$skip" |
  while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done |
  xargs -0 cp --parents -t "$copy"
git -C "$copy" init -q && git -C "$copy" add -A

# ansible-test bootstraps pip in each sanity venv with a script from ci-files.testing.ansible.com;
# give it the local stand-in instead (see tools/ansible_test_get_pip.py).
ansible_test_python=$(dirname "$ANSIBLE_TEST")/python
ansible_test_dir=$("$ansible_test_python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
controller=$("$ansible_test_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
controller_base=$("$ansible_test_python" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')
pip_version=$(grep -oP "pip='\K[0-9.]+" "$ansible_test_dir/_internal/python_requirements.py")
mkdir -p ~/.ansible/test/cache
cp tools/ansible_test_get_pip.py ~/.ansible/test/cache/get_pip_"${pip_version//./_}".py

# A working interpreter for Python $1 (X.Y), or nothing.
find_python() {
  local candidate
  shopt -s nullglob
  local pyenv_root=${PYENV_ROOT:-~/.pyenv}
  for candidate in $(type -ap "python$1") "$pyenv_root"/versions/"$1".*/bin/"python$1"; do
    if "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 0
}

# ansible-test looks the controller's and the target versions up by name on PATH (e.g. to create
# the import test's virtualenv): put the interpreters found first on PATH, ahead of any pyenv shim.
mkdir -p "$root/bin"
export PATH="$root/bin:$PATH"
ln -s "$controller_base" "$root/bin/python$controller"

cd "$copy"
if [ "$command" = units ]; then
  exec "$ANSIBLE_TEST" units --venv --python "$controller" --requirements --color no "$@"
fi

targets=(--target-python "$controller")
for version in ${SANITY_PYTHONS-3.8 3.9 3.10 3.11 3.12 3.13}; do
  [ "$version" != "$controller" ] || continue
  python=$(find_python "$version")
  if [ -n "$python" ]; then
    ln -s "$python" "$root/bin/python$version"
    targets+=(--target-python "$version@$python")
  else
    echo "tools/sanity.sh: no usable python$version here, sanity skips it"
  fi
done
echo "tools/sanity.sh: ansible-test $("$ANSIBLE_TEST" --version), all tests on Python $controller;" \
  "version-dependent tests on:" "${targets[@]}"
"$ANSIBLE_TEST" sanity --controller "origin:python=venv/$controller" "${targets[@]}" --color no "$@"
