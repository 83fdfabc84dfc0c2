# The README's commands. Everything runs from the project's virtualenv (.venv), made by tools/setup.sh.
VENV := .venv
PY := $(VENV)/bin/python
ESLOCAL := $(PY) -m esops_testbed.eslocal

.PHONY: setup demo demo-stop test unit integration molecule sanity units-ansible-test lint changelog-lint docs bench clean

setup:
	@bash tools/setup.sh

# Start the local source and dest clusters, load the guide's data into source, migrate it.
demo: setup
	$(ESLOCAL) start source dest
	@mkdir -p .build/collections/ansible_collections/esops
	@ln -sfn $(CURDIR) .build/collections/ansible_collections/esops/migration
	@eval "$$($(ESLOCAL) env source dest)" && \
	  ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections ANSIBLE_NOCOLOR=1 \
	  $(VENV)/bin/ansible-playbook -i inventories/local playbooks/demo.yml

demo-stop:
	$(ESLOCAL) stop source dest

# The whole test suite: unit + integration tests on real clusters, ansible-test sanity and units, ansible-lint.
test: setup unit integration molecule sanity units-ansible-test lint changelog-lint

unit:
	$(PY) -m pytest -q tests/unit

integration:
	$(PY) -m pytest -q --durations=10 tests/integration

# The role on two real local clusters (mol-source/mol-dest, HTTP 33200/33210) through molecule,
# scenario extensions/molecule/default: create, converge, idempotence, verify, destroy.
molecule:
	@mkdir -p .build/collections/ansible_collections/esops
	@ln -sfn $(CURDIR) .build/collections/ansible_collections/esops/migration
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections \
	  $(VENV)/bin/molecule test --scenario-name default

# ansible-test sanity: every test on Python 3.11, compile and import also on each other supported
# Python (3.8-3.13) installed here.
sanity:
	bash tools/sanity.sh

# ansible-test units --venv --python 3.11 on tests/unit, in the same kind of copy as sanity.
units-ansible-test:
	bash tools/sanity.sh --units

lint:
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(VENV)/bin/ansible-lint --profile production --offline

changelog-lint:
	$(VENV)/bin/antsibull-changelog lint

# Regenerate docs/modules/*.md and docs/roles/*.md from the plugins' and the role's documentation
# (tests/unit/test_docs_up_to_date.py fails when they are out of date).
docs:
	$(PY) tools/gen_docs.py

# Benchmarks (not part of the tests): figures printed and saved in bench/results/.
bench: setup
	$(PY) bench/verify_content.py
	$(VENV)/bin/pip install -q -r bench/requirements.txt
	@rm -f bench/.node/install-failed.txt; mkdir -p bench/.node; \
	  npm install --prefix bench/.node elasticdump >bench/.node/npm.log 2>&1 || \
	  { echo "npm install elasticdump failed: $$(tail -n 3 bench/.node/npm.log 2>/dev/null)" >bench/.node/install-failed.txt; \
	    echo "bench: elasticdump did not install, row (f) is skipped: see bench/.node/npm.log"; }
	$(PY) bench/reindex.py

clean:
	rm -rf .build
