# The README's commands. Everything runs from the project's virtualenv (.venv), made by tools/setup.sh.
VENV := .venv
PY := $(VENV)/bin/python
ESLOCAL := $(PY) -m esops_testbed.eslocal
# The other end of the controller matrix: ansible-core 2.21 on Python 3.13 (tools/setup.sh builds it).
VENV_221 := .venv-2.21
COLLECTION_LINK := .build/collections/ansible_collections/esops/migration
ARTEFACT := .build/dist/esops-migration-$(shell sed -n 's/^version: *//p' galaxy.yml).tar.gz

.PHONY: setup setup-matrix demo demo-stop test cluster-stages check-stages unit integration complexity molecule sanity units-ansible-test lint changelog-lint docs bench clean \
	controller-2.21 unit-2.21 sanity-2.21 demo-2.21 artefact galaxy-import ee-introspect docs-lint collection-link

setup:
	@bash tools/setup.sh

# make test also needs the second controller (.venv-2.21), which the demo does not.
setup-matrix:
	@ESOPS_CONTROLLER_MATRIX=1 bash tools/setup.sh

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

# The whole test suite: unit + integration tests on real clusters, ansible-test sanity and units, ansible-lint
# (controller: ansible-core 2.19 on Python 3.11), the same on ansible-core 2.21 (Python 3.13) minus what does
# not depend on the controller, and the checks Galaxy and ansible-builder make on the built artefact.
# Two jobs side by side, each one's output printed whole as it ends: the stages that start clusters (the
# integration tests, then molecule and the 2.21 demo side by side) and, at the lowest CPU priority, those that start
# none (unit tests, sanity, lint, Galaxy's and the docs' checks), which then take only the CPU the clusters leave
# idle. molecule and the 2.21 demo each keep about half of the two cores busy (measured alone: 94 s and 85 s of wall
# time for 105 and 95 CPU-s); they take the job slot the other chain gives back when it ends, which it does before
# the integration tests end (make's jobserver), and run one after the other when it has not.
CLUSTER_STAGES := molecule demo-2.21
CHECK_STAGES := unit sanity units-ansible-test lint changelog-lint unit-2.21 sanity-2.21 galaxy-import ee-introspect \
	docs-lint
test: setup-matrix
	@$(MAKE) --no-print-directory collection-link
	@$(MAKE) --no-print-directory -j2 --output-sync=recurse cluster-stages check-stages

cluster-stages:
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory $(CLUSTER_STAGES)

check-stages:
	@for stage in $(CHECK_STAGES); do nice -n 19 $(MAKE) --no-print-directory $$stage || exit 1; done

unit:
	$(PY) -m pytest -q tests/unit

# Nodes started by the tests run with C1 only (-XX:TieredStopAtLevel=1, see esops_testbed/eslocal.py): their
# data are small and they live for minutes, so C2's compile time is not paid back; a 7.17 node then starts with
# half the CPU (measured: 10.7 s -> 5.5 s of CPU, 22 s -> 11 s to green on the loaded 2-core machine).
# The demo and the benchmarks keep the JVM's defaults.
TEST_JVM_OPTIONS ?= -XX:TieredStopAtLevel=1
integration molecule demo-2.21: export ESLOCAL_JVM_OPTIONS = $(TEST_JVM_OPTIONS)

# Two pytest-xdist workers, whole files each (a file's clusters stay on one worker); each worker has its own
# cluster names and ports (esops_testbed/cluster_support.py). IT_WORKERS=0 runs them in this process.
IT_WORKERS ?= 2
# The modules run on .venv-target's Python (requirements-target.txt: the runtime requirements alone, as on a managed
# node), which also starts them faster than .venv's, where antsibull-docs brings aiohttp that elasticsearch-py then
# imports (measured: importing the two clients takes 0.29 s of CPU there, 0.45 s in .venv, at each module run).
integration: export ESOPS_TARGET_PYTHON = $(CURDIR)/.venv-target/bin/python
integration:
	$(PY) -m pytest -q --durations=10 -n $(IT_WORKERS) --dist loadfile tests/integration

# The role on two real local clusters (mol-source/mol-dest, HTTP 32200/32210) through molecule,
# scenario extensions/molecule/default: create, converge, idempotence, verify, destroy.
molecule: collection-link
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections \
	  $(VENV)/bin/molecule test --scenario-name default

# ansible-test sanity: every test on Python 3.11, compile and import also on each other supported
# Python (3.8-3.13) installed here.
sanity:
	bash tools/sanity.sh

# ansible-test units --venv --python 3.11 on tests/unit, in the same kind of copy as sanity.
units-ansible-test:
	bash tools/sanity.sh --units

# ansible-core 2.21 on Python 3.13: unit tests, ansible-test sanity of 2.21 (on the controller's Python only:
# the other versions' compile and import run in `make sanity`), and the demo with 2.21's ansible-playbook
# (tests/integration/test_role_migration.py runs playbooks/demo.yml as `make demo` does, then again, which
# must report changed=0) plus the role's switches given as strings on the command line.
controller-2.21: unit-2.21 sanity-2.21 demo-2.21

unit-2.21:
	$(VENV_221)/bin/python -m pytest -q tests/unit

# ansible-test keeps each sanity test's virtualenv in ~/.ansible/test/venv, reused while its requirements stay the
# same, and pip its wheels in ~/.cache/pip: keep both between CI runs (on the 2-core CI machine the first run of
# sanity-2.21 took 14 min, the next ones 75 s).
sanity-2.21:
	ANSIBLE_TEST=$(CURDIR)/$(VENV_221)/bin/ansible-test SANITY_PYTHONS= bash tools/sanity.sh

demo-2.21:
	$(VENV_221)/bin/python -m pytest -q --durations=5 tests/integration/test_role_migration.py \
	  -k "demo_migrates or booleans_given_as_strings"

# Left as it is when it already points here: stages running side by side would otherwise replace it under each other.
collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@[ "$$(readlink $(COLLECTION_LINK))" = "$(CURDIR)" ] || ln -sfn $(CURDIR) $(COLLECTION_LINK)

# The artefact as Galaxy receives it.
artefact:
	@rm -rf .build/dist
	$(VENV)/bin/ansible-galaxy collection build --force --output-path .build/dist .

# galaxy-importer's checks on the artefact that need no container runtime (tools/galaxy-importer.cfg):
# metadata, ansible-doc of every plugin, role README and argument specs, ansible-lint, changelog. It writes
# .build/importer_result.json.
galaxy-import: artefact
	cd .build && PATH=$(CURDIR)/$(VENV)/bin:$$PATH GALAXY_IMPORTER_CONFIG=$(CURDIR)/tools/galaxy-importer.cfg \
	  $(CURDIR)/$(PY) -m galaxy_importer.main $(CURDIR)/$(ARTEFACT)

# What ansible-builder puts in an execution environment for this collection, read from the installed artefact's
# meta/execution-environment.yml (requirements.txt, bindep.txt); fails when the collection's requirements are
# not found there.
ee-introspect: artefact
	@rm -rf .build/ee && mkdir -p .build/ee
	@tar tzf $(ARTEFACT) | grep -qx 'meta/execution-environment.yml' || \
	  { echo "ee-introspect: meta/execution-environment.yml is not in $(ARTEFACT) (galaxy.yml build_ignore?)"; exit 1; }
	$(VENV)/bin/ansible-galaxy collection install --offline -p .build/ee/collections $(ARTEFACT) >/dev/null
	$(VENV)/bin/ansible-builder introspect --sanitize .build/ee/collections \
	  --write-pip .build/ee/requirements.txt --write-bindep .build/ee/bindep.txt
	@grep -q '^elasticsearch.*# from collection esops.migration' .build/ee/requirements.txt || \
	  { echo "ee-introspect: ansible-builder found no Python requirement of esops.migration in the artefact"; exit 1; }

# antsibull-docs' checks of the collection's docs: changelog, extra docs, and every plugin's and role's
# documentation (--plugin-docs, through ansible-doc).
docs-lint: collection-link
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections \
	  $(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs $(COLLECTION_LINK)

# No function above cyclomatic complexity 11 (radon).
complexity:
	$(PY) tools/complexity.py

lint: collection-link complexity
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(VENV)/bin/ansible-lint --profile production --offline

changelog-lint:
	$(VENV)/bin/antsibull-changelog lint

# Regenerate docs/modules/*.md and docs/roles/*.md from the plugins' and the role's documentation
# (tests/unit/docs/test_docs_up_to_date.py fails when they are out of date).
docs:
	$(PY) tools/gen_docs.py

# Benchmarks (not part of the tests): figures printed and saved in bench/results/.
bench: setup
	$(PY) bench/verify_content.py
	$(PY) bench/preflight.py
	$(VENV)/bin/pip install -q -r bench/requirements.txt
	@rm -f bench/.node/install-failed.txt; mkdir -p bench/.node; \
	  npm install --prefix bench/.node elasticdump >bench/.node/npm.log 2>&1 || \
	  { echo "npm install elasticdump failed: $$(tail -n 3 bench/.node/npm.log 2>/dev/null)" >bench/.node/install-failed.txt; \
	    echo "bench: elasticdump did not install, row (f) is skipped: see bench/.node/npm.log"; }
	$(PY) bench/reindex.py
	$(PY) bench/network.py

clean:
	rm -rf .build
