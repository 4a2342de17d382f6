"""Compiled templates kept in the user's Jinja2 folder (erpops.site.jinjacache)."""
from __future__ import annotations

import os
import tempfile

import pytest
from jinja2 import DictLoader, Environment, select_autoescape

from erpops.site import jinjacache
from erpops.site.context import environment

TEMPLATE = "{% if x %}\n  <b>{{ x }}</b>\n{% endif %}\n"


@pytest.fixture
def user_tmp(tmp_path, monkeypatch):
    """The system's temporary folder, as Jinja2 finds it, moved into the test's folder; caches on."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ERPOPS_CACHE", raising=False)
    return tmp_path / f"_jinja2-cache-{os.getuid()}"


def _env(**options) -> Environment:
    return Environment(loader=DictLoader({"t.html": TEMPLATE}), **{"autoescape": True, **options})


def _no_compiling(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("compiled although its code was kept")
    monkeypatch.setattr(Environment, "compile", refuse)


def test_a_second_environment_takes_the_kept_code_and_renders_the_same(user_tmp, monkeypatch):
    first = _env()
    assert jinjacache.attach(first, "v1") is True
    assert first.get_template("t.html").render(x="<x>") == "\n  <b>&lt;x&gt;</b>\n"
    assert len(list(user_tmp.iterdir())) == 1 and oct(user_tmp.stat().st_mode & 0o777) == "0o700"
    second = _env()
    jinjacache.attach(second, "v1")
    _no_compiling(monkeypatch)
    assert second.get_template("t.html").render(x="<x>") == "\n  <b>&lt;x&gt;</b>\n"


@pytest.mark.parametrize("other", [dict(trim_blocks=True), dict(finalize=str.upper), dict(lstrip_blocks=True)])
def test_other_settings_compile_their_own_code(user_tmp, other):
    plain = _env()
    jinjacache.attach(plain, "v1")
    plain.get_template("t.html").render(x="a")
    changed = _env(**other)
    jinjacache.attach(changed, "v1")
    expected = _env(**other).get_template("t.html").render(x="a")  # no cache
    assert changed.get_template("t.html").render(x="a") == expected
    assert len(list(user_tmp.iterdir())) == 2


def test_another_choice_of_escaped_extensions_compiles_its_own_code(user_tmp):
    html = _env(autoescape=select_autoescape(["html"]))
    jinjacache.attach(html, "v1")
    assert html.get_template("t.html").render(x="<x>") == "\n  <b>&lt;x&gt;</b>\n"
    xml = _env(autoescape=select_autoescape(["xml"]))
    jinjacache.attach(xml, "v1")
    assert xml.get_template("t.html").render(x="<x>") == "\n  <b><x></b>\n"
    assert len(list(user_tmp.iterdir())) == 2


def test_another_code_version_does_not_take_the_kept_code(user_tmp):
    jinjacache.attach(first := _env(), "v1")
    first.get_template("t.html")
    jinjacache.attach(second := _env(), "v2")
    second.get_template("t.html")
    assert len(list(user_tmp.iterdir())) == 2


def test_a_damaged_file_is_compiled_again(user_tmp, monkeypatch):
    jinjacache.attach(first := _env(), "v1")
    first.get_template("t.html")
    (kept,) = user_tmp.iterdir()
    for damage in (kept.read_bytes()[:12], kept.read_bytes()[:-40], b"\x00" * 10):
        kept.write_bytes(damage)
        jinjacache.attach(again := _env(), "v1")
        assert again.get_template("t.html").render(x="y") == "\n  <b>y</b>\n"


def test_no_cache_in_ci_nor_when_turned_off(user_tmp, monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert jinjacache.attach(env := _env(), "v1") is False and env.bytecode_cache is None
    monkeypatch.delenv("CI")
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    assert jinjacache.attach(env := _env(), "v1") is False and env.bytecode_cache is None
    env.get_template("t.html")
    assert not user_tmp.exists()


def test_a_folder_that_is_a_link_is_refused(user_tmp, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    user_tmp.symlink_to(elsewhere)
    env = _env()
    assert jinjacache.attach(env, "v1") is False
    assert env.get_template("t.html").render(x="z") == "\n  <b>z</b>\n"
    assert list(elsewhere.iterdir()) == []


def test_a_full_disk_leaves_the_render_as_without_a_cache(user_tmp, monkeypatch):
    jinjacache.attach(env := _env(), "v1")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    assert env.get_template("t.html").render(x="z") == "\n  <b>z</b>\n"


def test_the_sites_two_environments_differ_in_their_key(user_tmp):
    markdown, html = environment("zh"), environment("zh", html=True)
    assert jinjacache.settings_key(markdown, "v") != jinjacache.settings_key(html, "v")
    assert jinjacache.settings_key(markdown, "v") == jinjacache.settings_key(environment("zh"), "v")
