#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection at .../ansible_collections/esops/migration
# (the path ansible-test requires), outside this git tree so ansible-test lists the copied files.
set -euo pipefail
cd "$(dirname "$0")/.."
ANSIBLE_TEST=${ANSIBLE_TEST:-$PWD/.venv/bin/ansible-test}
root=${TMPDIR:-/tmp}/esops-sanity-$$
copy=$root/ansible_collections/esops/migration
trap 'rm -rf "$root"' EXIT
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy"
git -C "$copy" init -q && git -C "$copy" add -A

# ansible-test bootstraps pip in each sanity venv with a script from ci-files.testing.ansible.com;
# give it the local stand-in instead (see tools/ansible_test_get_pip.py).
ansible_test_dir=$("$(dirname "$ANSIBLE_TEST")/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_version=$(grep -oP "pip='\K[0-9.]+" "$ansible_test_dir/_internal/python_requirements.py")
mkdir -p ~/.ansible/test/cache
cp tools/ansible_test_get_pip.py ~/.ansible/test/cache/get_pip_"${pip_version//./_}".py

cd "$copy"
"$ANSIBLE_TEST" sanity --venv --python 3.11 --color no "$@"
