"""The command line: formats, languages, exit codes and `who`, on the frozen demo repository and tiny ones."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import DEMO


def test_check_on_the_demo_repository_is_clean(cli):
    r = cli("check", cwd=DEMO)
    assert r.code == 0, r.out
    assert "0 个错误" in r.out


def test_github_format_annotates_file_and_line(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "    - zhou-user", "    - zhou-usr")
    r = cli("check", "--format", "github", cwd=repo.root)
    assert r.code == 1
    first = [line for line in r.out.splitlines() if line.startswith("::error")][0]
    assert first.startswith(
        "::error file=roster/subsystems/alpha.yaml,line=10,col=7,title=roster-unknown-person::"
    )
    assert "zhou-usr" in first


def test_github_format_escapes_newlines_and_percent():
    from erpops.diagnostics import Diagnostic
    from erpops.output import github

    d = Diagnostic.make("a,b:c.yaml", 2, "yaml-syntax", problem="100%\nnext")
    line = github([d], 1).splitlines()[0]
    assert line.startswith("::error file=a%2Cb%3Ac.yaml,line=2,col=1,title=yaml-syntax::")
    assert "100%25%0Anext" in line


def test_json_format_counts(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    data = json.loads(cli("check", "--format", "json", cwd=repo.root).out)
    assert data["summary"] == {"files": 4, "errors": 1, "warnings": 0}
    assert data["exit_code"] == 1


def test_english_by_option_and_by_environment(cli, repo, monkeypatch):
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    assert "must be led by" in cli("check", "--lang", "en", cwd=repo.root).out
    monkeypatch.setenv("ERPOPS_LANG", "en")
    assert "must be led by" in cli("check", cwd=repo.root).out
    assert "关键用户组应由" in cli("--lang", "zh", "check", cwd=repo.root).out


def test_paths_limit_what_is_reported(cli, repo):
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    assert cli("check", "roster/office.yaml", cwd=repo.root).code == 0
    assert cli("check", "roster/subsystems", cwd=repo.root).code == 1


def test_outside_a_repository_is_exit_2(cli, tmp_path):
    r = cli("check", cwd=tmp_path)
    assert r.code == 2
    assert "roster/" in r.err


def test_usage_error_is_exit_2(cli, repo):
    r = cli("check", "--format", "xml", cwd=repo.root)
    assert r.code == 2


def test_who_production_names_its_owners_and_key_users(cli):
    r = cli("who", "production", cwd=DEMO)
    assert r.code == 0
    lines = r.out.splitlines()
    business = lines.index("业务系统管理员（第二层）")
    assert lines[business + 1].startswith("  蒋立章（jiang-lizhang）")
    erp = lines.index("ERP 子系统管理员（第三层）")
    assert lines[erp + 1].startswith("  晏玉堂（yan-yutang）")
    group = next(i for i, line in enumerate(lines) if line.startswith("关键用户组"))
    assert "共 11 人" in lines[group]
    assert lines[group + 1].strip().split("、") == [
        "孙林继", "谷峻峰", "柏崇坤", "迟圣峰", "李永宁", "王吉洪", "黄彩奖", "樊晓东", "阮小兵", "蒋坤", "尤思",
    ]


def test_who_by_chinese_name_of_subsystem_and_alias(cli):
    assert "（production）" in cli("who", "生产系统", cwd=DEMO).out
    assert "（production）" in cli("who", "生产管理", cwd=DEMO).out


def test_who_person_lists_roles(cli):
    r = cli("who", "施展", cwd=DEMO)
    assert r.code == 0
    assert "“物资系统”业务系统管理员" in r.out
    assert "“决策支持系统”关键用户" in r.out


def test_who_tells_namesakes_apart(cli):
    assert "（liu-tao）" in cli("who", "刘涛", cwd=DEMO).out
    assert "（liu-tao-2）" in cli("who", "刘滔", cwd=DEMO).out
    assert "liu-tao-2" not in cli("who", "刘涛", cwd=DEMO).out


def test_who_unknown_is_exit_1(cli):
    r = cli("who", "不存在", cwd=DEMO)
    assert r.code == 1
    assert "没有找到“不存在”" in r.err


def test_schema_lists_prints_and_exports(cli, tmp_path):
    r = cli("schema")
    assert r.code == 0 and "subsystem" in r.out
    r = cli("schema", "people")
    assert json.loads(r.out)["title"].startswith("人员名册")
    assert cli("schema", "nope").code == 2
    out = tmp_path / "exported"
    assert cli("schema", "--out", str(out)).code == 0
    from erpops import schemas

    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.schema.json" for n in schemas.names())
    assert (out / "people.schema.json").read_text("utf-8") == schemas.text("people")


def test_unexpected_error_says_bug_and_writes_a_log(cli, repo, monkeypatch, tmp_path):
    import erpops.commands.check as check_module

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(check_module, "check", boom)
    monkeypatch.setenv("ERPOPS_LOG_DIR", str(tmp_path / "logs"))
    r = cli("check", cwd=repo.root)
    assert r.code == 3
    assert "erpops 的缺陷" in r.err and "kaboom" in r.err
    assert "RuntimeError: kaboom" in (tmp_path / "logs" / "erpops.log").read_text("utf-8")


def test_console_script_runs_as_a_process(repo):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "erpops", "check"], cwd=repo.root,
                          capture_output=True, text=True, env=env, encoding="utf-8")
    assert proc.returncode == 0
    assert "没有发现问题" in proc.stdout


def test_help_is_chinese_by_default_and_english_on_request(cli):
    zh = cli("--help")
    assert zh.code == 0
    assert "校验仓库：schema 和全部规则" in zh.out
    en = cli("--lang", "en", "--help")
    assert "Validate the repository: schemas and rules." in en.out
    assert "运维仓库（默认：向上最近的含 roster/ 的目录）。" in cli("check", "--help").out
    assert "The ops repository (default:" in cli("check", "--help", "--lang", "en").out


def test_every_command_and_option_has_its_help_in_both_languages():
    import click

    from erpops import i18n
    from erpops.cli import cli as root, localise

    for lang in i18n.LANGUAGES:
        localise(lang)
        texts = set(i18n.catalogue(lang).values())

        def walk(command, path):
            assert command.help in texts, (lang, path)
            for p in command.params:
                if isinstance(p, click.Option) and p.help:
                    assert p.help in texts, (lang, path, p.name)
            for name, sub in getattr(command, "commands", {}).items():
                walk(sub, path + [name])

        walk(root, [])
    localise(None)
