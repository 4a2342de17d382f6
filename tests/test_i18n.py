"""The zh/en catalogue: the same keys, the same placeholders, and every key the code uses."""
from __future__ import annotations

import re

from conftest import REPO_ROOT
from erpops import i18n
from erpops.diagnostics import INPUT_RULES
from erpops.rules import roster as roster_rules


def test_languages_have_the_same_keys_and_placeholders():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert set(zh) == set(en)
    for key in zh:
        assert i18n.placeholders(zh[key]) == i18n.placeholders(en[key]), key


def _used_keys():
    keys = set()
    package = REPO_ROOT / "tools" / "erpops"
    for path in list(package.rglob("*.py")) + list(package.rglob("*.j2")):
        text = path.read_text("utf-8")
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z][\w.-]+)["']""", text))
        keys |= set(re.findall(r"""\bkey\s*=\s*["']([a-z][\w-]*\.[\w.-]+)["']""", text))
        keys |= {"rule." + r for r in re.findall(r"""\b(?:at|make)\([^)]*?["']((?:roster|runbook)-[a-z-]+)["']""", text, re.S)}
    return keys


def test_every_key_used_by_the_code_exists():
    used = _used_keys() | {"rule." + r for r in INPUT_RULES}
    assert "rule.roster-unknown-person" in used
    missing = {k for k in used if not k.endswith(".")} - set(i18n.catalogue("zh"))
    assert not missing


def test_every_roster_rule_has_a_message():
    for rule in roster_rules.RULES:
        assert rule.__doc__, rule.__name__


def test_default_is_chinese_and_env_switches(monkeypatch):
    assert i18n.t("severity.error") == "错误"
    monkeypatch.setenv("ERPOPS_LANG", "en")
    assert i18n.t("severity.error") == "error"
    i18n.set_language("zh")
    assert i18n.t("severity.error") == "错误"


def test_unknown_placeholder_is_left_visible():
    assert "{field}" in i18n.t("schema.required")


def test_each_language_has_the_same_files():
    names = {lang: [p.name for p in i18n.catalogue_files(lang)] for lang in i18n.LANGUAGES}
    assert names["zh"] == names["en"]
