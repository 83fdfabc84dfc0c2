# The README's commands. Everything runs from the project's virtualenv (.venv), made by tools/setup.sh.
VENV := .venv
PY := $(VENV)/bin/python
ESLOCAL := $(PY) tools/eslocal.py

.PHONY: setup demo demo-stop test unit integration molecule sanity lint changelog-lint bench clean

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

# The whole test suite: unit + integration tests on real clusters, ansible-test sanity, ansible-lint.
test: setup unit integration molecule sanity lint changelog-lint

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

sanity:
	bash tools/sanity.sh

lint:
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(VENV)/bin/ansible-lint --profile production --offline

changelog-lint:
	$(VENV)/bin/antsibull-changelog lint

# Benchmarks (not part of the tests): figures printed and saved in bench/results/.
bench: setup
	$(PY) bench/verify_content.py

clean:
	rm -rf .build
