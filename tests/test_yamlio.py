"""Bad input is refused by the loader at the right line, with the rule and exit code 2."""
from __future__ import annotations

import json

import pytest

from erpops.yamlio import load_text


def findings(result):
    return [(d["path"], d["line"], d["rule"]) for d in json.loads(result.out)["diagnostics"]]


def check_json(cli, repo):
    return cli("check", "--format", "json", cwd=repo.root)


def test_clean_fixture_passes(cli, repo):
    r = check_json(cli, repo)
    assert r.code == 0
    assert findings(r) == []


def test_duplicate_key_is_refused_at_the_second_key(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha\n", "name_en: Alpha\nname: 又一个\n")
    r = check_json(cli, repo)
    assert findings(r) == [("roster/subsystems/alpha.yaml", 4, "yaml-duplicate-key")]
    assert r.code == 2
    assert "“name”" in cli("check", cwd=repo.root).out


@pytest.mark.parametrize(
    "written, read_as",
    [("NO", "boolean"), ("on", "boolean"), ("0531", "integer"), ("12:30", "integer"),
     ("2026-01-05", "date"), ("~", "null"), ("1e3", "string")],
)
def test_yaml11_surprise_where_a_string_is_wanted(cli, repo, written, read_as):
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha", f"name_en: {written}")
    r = check_json(cli, repo)
    if read_as == "string":  # 1e3 stays a string in YAML 1.1: no surprise, no finding
        assert r.code == 0
        return
    assert findings(r) == [("roster/subsystems/alpha.yaml", 3, "yaml-implicit-type")]
    assert r.code == 1
    message = json.loads(r.out)["diagnostics"][0]["message"]
    assert f'"{written}"' in message and "name_en" in message


def test_quoted_value_is_accepted(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha", 'name_en: "NO"')
    assert check_json(cli, repo).code == 0


def test_alias_is_refused(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "name: 甲系统", "name: &n 甲系统")
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha", "name_en: *n")
    r = check_json(cli, repo)
    assert findings(r) == [("roster/subsystems/alpha.yaml", 3, "yaml-alias")]
    assert r.code == 2


def test_billion_laughs_is_refused_quickly():
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    doc, problems = load_text(text, "bomb.yaml")
    assert doc is None
    assert problems[0].rule == "yaml-alias" and problems[0].line == 2


def test_gbk_file_is_refused_with_how_to_convert(cli, repo):
    repo.write("roster/subsystems/alpha.yaml",
               repo.read("roster/subsystems/alpha.yaml").encode("gbk"))
    r = check_json(cli, repo)
    assert findings(r) == [("roster/subsystems/alpha.yaml", 2, "encoding")]
    assert r.code == 2
    text = cli("check", cwd=repo.root).out
    assert "GBK" in text and "UTF-8" in text and "iconv" in text


def test_utf16_file_is_refused(cli, repo):
    repo.write("roster/vendor.yaml", repo.read("roster/vendor.yaml").encode("utf-16"))
    r = check_json(cli, repo)
    assert findings(r) == [("roster/vendor.yaml", 1, "encoding")]
    assert "UTF-16" in cli("check", cwd=repo.root).out


def test_bom_is_accepted(cli, repo):
    repo.write("roster/office.yaml", b"\xef\xbb\xbf" + repo.read("roster/office.yaml").encode())
    assert check_json(cli, repo).code == 0


def test_merge_conflict_markers_are_refused(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "erp_admin: qian-erp\n",
              "<<<<<<< HEAD\nerp_admin: qian-erp\n=======\nerp_admin: sun-lead\n>>>>>>> feature\n")
    r = check_json(cli, repo)
    assert findings(r) == [("roster/subsystems/alpha.yaml", 5, "merge-conflict")]
    assert r.code == 2


def test_file_over_the_size_limit_is_refused(cli, repo):
    repo.write("roster/vendor.yaml", repo.read("roster/vendor.yaml") + "#" * (1024 * 1024) + "\n")
    r = check_json(cli, repo)
    assert findings(r) == [("roster/vendor.yaml", 1, "file-too-large")]
    assert r.code == 2


def test_syntax_error_names_its_line(cli, repo):
    repo.edit("roster/office.yaml", "  - qian-erp", "  - qian-erp\n bad: [")
    r = check_json(cli, repo)
    assert [(p, rule) for p, _, rule in findings(r)] == [("roster/office.yaml", "yaml-syntax")]
    assert findings(r)[0][1] in (5, 6)
    assert r.code == 2


def test_unknown_tag_is_refused(cli, repo):
    repo.edit("roster/vendor.yaml", "name: 用友", "name: !!python/object:os.system 用友")
    r = check_json(cli, repo)
    assert findings(r) == [("roster/vendor.yaml", 1, "yaml-tag")]
    assert r.code == 2


def test_one_bad_file_does_not_hide_the_others(cli, repo):
    repo.write("roster/vendor.yaml", "name: [\n")
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha", "name_en: off")
    rules = {rule for _, _, rule in findings(check_json(cli, repo))}
    assert rules == {"yaml-syntax", "yaml-implicit-type"}
