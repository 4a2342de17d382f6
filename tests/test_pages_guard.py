"""The Pages guard and the mkdocs.yml settings it reads: an internal site never goes to public Pages."""
from __future__ import annotations

import pytest

from erpops import siteconfig
from erpops.errors import FatalError

MKDOCS = """\
site_name: x
theme:
  name: material
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
plugins:
  - search
  - erpops:
      lang: {lang}
      audience: {audience}
"""


def test_defaults_without_mkdocs_yml(tmp_path):
    assert siteconfig.read(tmp_path) == siteconfig.SiteConfig("mkdocs.yml", "zh", "internal")


def test_defaults_when_the_plugin_says_nothing(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - search\n  - erpops\n", "utf-8")
    assert siteconfig.read(tmp_path).audience == "internal"


def test_reads_list_form_despite_mkdocs_python_tags(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS.format(lang="en", audience="public"), "utf-8")
    assert siteconfig.read(tmp_path) == siteconfig.SiteConfig("mkdocs.yml", "en", "public")


def test_reads_mapping_form(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("plugins:\n  erpops:\n    audience: public\n", "utf-8")
    assert siteconfig.read(tmp_path).audience == "public"


@pytest.mark.parametrize("audience", ["Public", "everyone", "!ENV [ERPOPS_AUDIENCE, public]"])
def test_an_audience_it_cannot_be_sure_of_is_refused(tmp_path, audience):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS.format(lang="zh", audience=audience), "utf-8")
    with pytest.raises(FatalError) as err:
        siteconfig.read(tmp_path)
    assert "audience" in str(err.value) and "internal, public" in str(err.value)


def test_an_unreadable_mkdocs_yml_is_exit_2_with_its_name(repo, cli):
    repo.write("mkdocs.yml", "plugins: [erpops\n")
    r = cli("pages-guard", cwd=repo.root)
    assert r.code == 2
    assert r.err.startswith("erpops: 无法读取 mkdocs.yml：")


def test_guard_refuses_internal_without_the_variable(repo, cli, monkeypatch):
    monkeypatch.delenv("ERPOPS_PAGES_PRIVATE", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    repo.write("mkdocs.yml", MKDOCS.format(lang="zh", audience="internal"))
    r = cli("--lang", "en", "pages-guard", cwd=repo.root)
    assert r.code == 1
    assert r.out == ""  # no workflow command outside GitHub Actions
    assert r.err.startswith("Refusing to publish: the site audience in mkdocs.yml is internal")


def test_guard_takes_the_variable_from_the_environment_or_the_option(repo, cli, monkeypatch):
    repo.write("mkdocs.yml", MKDOCS.format(lang="zh", audience="internal"))
    monkeypatch.setenv("ERPOPS_PAGES_PRIVATE", "true")
    assert cli("pages-guard", cwd=repo.root).code == 0
    assert cli("pages-guard", "--pages-private", "false", cwd=repo.root).code == 1
    monkeypatch.delenv("ERPOPS_PAGES_PRIVATE")
    assert cli("pages-guard", "--pages-private", "True", cwd=repo.root).code == 0


def test_guard_without_mkdocs_yml_treats_the_site_as_internal(repo, cli, monkeypatch):
    monkeypatch.delenv("ERPOPS_PAGES_PRIVATE", raising=False)
    assert cli("pages-guard", cwd=repo.root).code == 1
