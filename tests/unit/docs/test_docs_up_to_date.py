"""docs/modules/*.md and docs/roles/*.md are what tools/gen_docs.py makes of the current source."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def load_gen_docs():
    # Loaded from its file: tools/ is on the path of plain pytest (pytest.ini), not of ansible-test units.
    spec = importlib.util.spec_from_file_location("esops_gen_docs", REPO_ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN_DOCS = load_gen_docs()
PAGES = GEN_DOCS.pages(REPO_ROOT)


def test_every_module_and_role_has_a_page():
    modules = sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py"))
    assert sorted(path for path in PAGES if path.startswith("docs/modules/")) == ["docs/modules/%s.md" % m for m in modules]
    assert "docs/roles/remote_reindex.md" in PAGES


def test_no_stray_generated_page():
    on_disk = sorted(path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / "docs").glob("*/*.md")
                     if path.parent.name in ("modules", "roles"))
    assert on_disk == sorted(PAGES), "pages without a source (delete them): %s" % sorted(set(on_disk) - set(PAGES))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_is_up_to_date(page):
    path = REPO_ROOT / page
    assert path.exists(), "%s is missing: run make docs" % page
    assert path.read_text(encoding="utf-8") == PAGES[page], "%s is out of date with its source: run make docs" % page


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_shows_options_examples_and_return_values(page):
    text = PAGES[page]
    assert "| Option | Type | Required | Default | Choices | Description |" in text
    if page.startswith("docs/modules/"):
        module = Path(page).stem
        assert "## Examples" in text and "esops.migration.%s:" % module in text
        assert "## Return values" in text
    else:
        assert "`remote_reindex_source_url` | str | yes" in text and "`remote_reindex_indices`" in text


def test_markup_is_converted():
    assert GEN_DOCS.markup("O(mode=create) and C(host:port), V(1m), RV(changed)") == "`mode=create` and `host:port`, `1m`, `changed`"
    assert GEN_DOCS.markup("see M(esops.migration.es_index)") == "see [`esops.migration.es_index`](es_index.md)"
    assert GEN_DOCS.markup("U(https://example.com) L(text,https://example.com)") == "<https://example.com> [text](https://example.com)"
    assert GEN_DOCS.cell("a | b\nc") == "a \\| b c"
