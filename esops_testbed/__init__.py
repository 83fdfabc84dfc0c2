"""What the tests, the benchmarks and molecule share, outside the collection (galaxy.yml build_ignore):
the launcher of local clusters (eslocal), the test clusters (cluster_support), the guide's data
(guide_data), the nginx TLS proxy (tls_proxy) and the ansible-playbook helpers (support).

tools/setup.sh installs it into .venv in editable mode (pyproject.toml at the repository root).
"""
