"""erpops init: a new ops repository that passes `erpops check` and a strict site build at once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

from conftest import DEMO, REPO_ROOT
from erpops import schemas
from erpops.commands import init as init_module

FILES = [
    ".erpops/schemas/defs.schema.json", ".erpops/schemas/improvement.schema.json",
    ".erpops/schemas/office.schema.json",
    ".erpops/schemas/people.schema.json", ".erpops/schemas/policy.schema.json",
    ".erpops/schemas/runbook.schema.json", ".erpops/schemas/subsystem.schema.json",
    ".erpops/schemas/ticket.schema.json", ".erpops/schemas/vendor.schema.json",
    ".github/CODEOWNERS", ".github/ISSUE_TEMPLATE/config.yml", ".github/ISSUE_TEMPLATE/ticket.yml",
    ".github/workflows/ci.yml", ".github/workflows/mail-intake.yml", ".github/workflows/monthly.yml",
    ".github/workflows/notify.yml",
    ".github/workflows/pages.yml", ".github/workflows/ticket-answer.yml", ".github/workflows/ticket-comment.yml",
    ".github/workflows/ticket-from-issue.yml",
    ".gitignore", ".pre-commit-config.yaml", ".vscode/extensions.json", ".vscode/settings.json",
    "README.md", "docs/rules/index.md", "mkdocs.yml", "policy.yaml", "requirements.txt",
    "roster/office.yaml", "roster/people.yaml", "roster/subsystems/example.yaml",
]


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    data["on"] = data.pop(True)
    return data


def test_init_writes_a_repository_that_checks_and_builds_strictly(tmp_path, cli):
    target = tmp_path / "ops"
    result = cli("init", str(target), "--org", "甲乙: 集团 #1")
    assert result.code == 0, result.both
    assert result.out.splitlines()[0] == f"已在 {target} 创建运维仓库“甲乙: 集团 #1”：名册、制度、站点配置、工作流、CODEOWNERS 和说明。"
    # The placeholder roster breaks no rule; it warns only that nobody on it has a phone or WeCom
    # entry (nothing is made up), and on the pinned 2026-11-25 that 2027 is not in the calendar yet.
    assert result.out.splitlines()[1] == "检查通过，另有 4 条警告（生成的名册是占位示例，可以先不管）："
    assert sorted(ln.split("] ")[0].split(" [")[1] for ln in result.out.splitlines()[2:6]) == [
        "calendar-next-year", "roster-no-contact", "roster-no-contact", "roster-no-contact"]
    assert _tree(target) == FILES
    assert [p.name for p in tmp_path.iterdir()] == ["ops"]  # no stage folder left behind

    check = cli("check", cwd=target)
    assert (check.code, check.out.splitlines()[-1]) == (0, "检查了 4 个文件：0 个错误，4 个警告。")
    assert cli("codeowners", "--check", cwd=target).code == 0

    build = _mkdocs_build(target)
    assert build.returncode == 0, build.stderr
    home = (target / "site" / "index.html").read_text("utf-8")
    assert "<title>甲乙: 集团 #1</title>" in home
    assert "示例子系统" in (target / "site" / "subsystems" / "index.html").read_text("utf-8")
    assert (target / "site" / "rules" / "index.html").is_file()


def test_init_in_english(tmp_path, cli):
    target = tmp_path / "acme"
    result = cli("--lang", "en", "init", str(target), "--org", "Acme: ERP")
    assert result.code == 0, result.both
    assert result.out.startswith(f'Created the ops repository "Acme: ERP" at {target}:')
    assert (target / "README.md").read_text("utf-8").startswith("# Acme: ERP\n\nERP operations as code")
    config = yaml.safe_load((target / "mkdocs.yml").read_text("utf-8").split("markdown_extensions:")[0])
    assert config["site_name"] == "Acme: ERP"
    assert config["theme"]["language"] == "en"
    assert config["plugins"] == [{"search": {"lang": "en"}}, {"erpops": {"lang": "en", "audience": "internal"}}]
    assert "# Default: files not named below belong to ERP Ops Office" in (target / ".github/CODEOWNERS").read_text("utf-8")
    assert cli("check", cwd=target).code == 0
    build = _mkdocs_build(target)
    assert build.returncode == 0, build.stderr


def test_chinese_readme_by_default(tmp_path, cli):
    assert cli("init", str(tmp_path / "ops")).code == 0
    readme = (tmp_path / "ops" / "README.md").read_text("utf-8")
    assert readme.startswith("# ERP 运维\n\nERP 运维即代码")
    assert "中国 2026 年" in readme  # the calendar's holidays are said to be China's 2026 set


def test_init_accepts_an_empty_folder(tmp_path, cli):
    (tmp_path / "ops").mkdir()
    assert cli("init", str(tmp_path / "ops")).code == 0
    assert _tree(tmp_path / "ops") == FILES


def test_init_fills_an_empty_folder_in_place(tmp_path, cli, monkeypatch):
    """`erpops init .` in the folder a shell is in: the folder stays that folder (not replaced by a
    new one, which left the shell in a deleted folder), and the shell's next command works there."""
    target = tmp_path / "ops"
    target.mkdir()
    before = target.stat().st_ino
    monkeypatch.chdir(target)
    assert cli("init", ".").code == 0
    assert target.stat().st_ino == before and os.getcwd() == str(target)
    assert _tree(target) == FILES and not [p for p in tmp_path.iterdir() if p.name != "ops"]
    assert cli("check").code == 0


def test_init_moves_back_what_it_moved_when_a_file_appears_meanwhile(tmp_path, cli, monkeypatch):
    target = tmp_path / "ops"
    target.mkdir()
    real = init_module._fill

    def racing(stage, into):
        (into / "README.md").write_text("mine", "utf-8")  # written by someone else during init
        real(stage, into)

    monkeypatch.setattr(init_module, "_fill", racing)
    result = cli("init", str(target))
    assert result.code == 2 and "README.md" in result.err
    assert _tree(target) == ["README.md"] and (target / "README.md").read_text("utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ops"]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, cli):
    target = tmp_path / "ops"
    target.mkdir()
    (target / "notes.txt").write_text("mine", "utf-8")
    result = cli("init", str(target))
    assert result.code == 2
    assert result.err == f"erpops: {target} 已存在且不是空文件夹：erpops init 只在新的或空的文件夹中创建仓库，未写入任何文件。\n"
    assert _tree(target) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ops"]


@pytest.mark.parametrize("org", ['<b>A</b>', 'x" onmouseover="y', "a\tb"])
def test_init_refuses_an_organisation_name_with_markup(tmp_path, cli, org):
    result = cli("init", str(tmp_path / "ops"), "--org", org)
    assert result.code == 2
    assert result.err.startswith(f"erpops: 组织名称“{org}”不可用：不能含有以下字符 < > & \" ' `")
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_a_file(tmp_path, cli):
    target = tmp_path / "ops"
    target.write_text("x", "utf-8")
    result = cli("--lang", "en", "init", str(target))
    assert (result.code, result.err) == (2, f"erpops: {target} exists and is not a folder. Nothing was written.\n")


def test_init_writes_nothing_when_it_fails_halfway(tmp_path, cli, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(init_module, "render", broken)  # after every other file was written
    result = cli("init", str(tmp_path / "ops"))
    assert result.code == 2
    assert result.err == f"erpops: 无法在 {tmp_path / 'ops'} 创建仓库：[Errno 28] No space left on device。未写入任何文件。\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_default_policy_is_the_demo_policy_but_the_ticket_prefixes(lang):
    """The two languages differ only in their comments; both are the demo organisation's policy
    (tests/fixtures/demo/policy.yaml, frozen) but for its ticket prefixes."""
    shipped = yaml.safe_load((REPO_ROOT / f"tools/erpops/templates/init/{lang}/policy.yaml").read_text("utf-8"))
    ours = yaml.safe_load((DEMO / "policy.yaml").read_text("utf-8"))
    assert shipped.pop("ticket_prefixes") == {"example": "EXM"}
    ours.pop("ticket_prefixes")
    assert shipped == ours
    assert {h["from"].year for h in shipped["calendar"]["holidays"]} == {2026}


# The only ways an adopted repository's workflows differ from this repository's own: erpops is
# installed from requirements.txt (not from this checkout; the data gate from the base commit's),
# and there is no package to test (no changed-paths and test jobs).
INSTALL = {"name": "Install erpops", "run": "python -m pip install -r requirements.txt"}
BASE_INSTALL = "Install the base revision's erpops into its own venv"
PACKAGE_JOBS = {"ci.yml": {"changes", "test", "test-status"}}


def _adopted(steps: list[dict]) -> list[dict]:
    adopted = []
    for s in steps:
        if s["name"] == BASE_INSTALL:
            assert s["run"].count(' "$src"\n') == 1
            s = {**s, "run": s["run"].replace(' "$src"\n', ' -r "$src/requirements.txt"\n')}
        elif s["name"].startswith("Install erpops"):
            s = INSTALL
        adopted.append(s)
    return adopted


@pytest.mark.parametrize("name", ["ci.yml", "monthly.yml", "pages.yml", "ticket-from-issue.yml", "notify.yml",
                                  "mail-intake.yml", "ticket-comment.yml", "ticket-answer.yml"])
def test_workflow_templates_keep_this_repository_steps(name):
    ours = _workflow(REPO_ROOT / ".github/workflows" / name)
    shipped = _workflow(REPO_ROOT / "tools/erpops/templates/init/common/dot-github/workflows" / name)
    assert {k: v for k, v in shipped.items() if k != "jobs"} == {k: v for k, v in ours.items() if k != "jobs"}
    ours_jobs = {k: v for k, v in ours["jobs"].items() if k not in PACKAGE_JOBS.get(name, set())}
    assert shipped["jobs"].keys() == ours_jobs.keys()
    for job_id, job in ours_jobs.items():
        theirs = shipped["jobs"][job_id]
        assert theirs["steps"] == _adopted(job["steps"])
        assert {k: v for k, v in theirs.items() if k not in ("steps", "name")} == \
            {k: v for k, v in job.items() if k not in ("steps", "name")}
    installs = [s for j in shipped["jobs"].values() for s in j["steps"] if s["name"].startswith("Install")]
    assert installs and all(s["name"] in ("Install erpops", BASE_INSTALL) for s in installs)
    assert not [s for j in shipped["jobs"].values() for s in j["steps"] if "pytest" in s.get("run", "")]


def test_adopted_ci_judges_a_pull_request_with_the_base_commits_requirements():
    gate = _workflow(REPO_ROOT / "tools/erpops/templates/init/common/dot-github/workflows/ci.yml")["jobs"]["gate"]
    (install,) = [s for s in gate["steps"] if s["name"] == BASE_INSTALL]
    assert '-r "$src/requirements.txt"' in install["run"]
    assert "requirements.txt" not in "".join(s.get("run", "") for s in gate["steps"] if s is not install)
    for lang in ("zh", "en"):  # the required check, by the job's exact name
        readme = (REPO_ROOT / f"tools/erpops/templates/init/{lang}/README.md.j2").read_text("utf-8")
        assert f"`{gate['name']}`" in readme and "Require review from Code Owners" in readme


@pytest.mark.parametrize("lang,option", [("zh", "示例子系统（example）"), ("en", "Example subsystem (example)")])
def test_init_writes_a_current_ticket_form_in_the_repository_language(tmp_path, cli, lang, option):
    root = tmp_path / "ops"
    assert cli("--lang", lang, "init", str(root)).code == 0
    assert cli("issue-form", "--check", cwd=root).code == 0
    form = yaml.safe_load((root / ".github/ISSUE_TEMPLATE/ticket.yml").read_text("utf-8"))
    subsystems = next(f for f in form["body"] if f.get("id") == "subsystem")["attributes"]["options"]
    assert subsystems == [option]
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-issue-forms",
                           str(root / ".github/ISSUE_TEMPLATE/ticket.yml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_workflows_pass_the_same_lint(tmp_path, cli):
    assert cli("init", str(tmp_path / "ops")).code == 0
    folder = tmp_path / "ops" / ".github" / "workflows"
    bin_ = Path(sys.executable).parent
    proc = subprocess.run([str(bin_ / "zizmor"), "--offline", "--no-progress", str(folder)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           *map(str, sorted(folder.glob("*.yml")))], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_config_uses_this_repository_hooks_at_the_same_source_as_ci(tmp_path, cli):
    assert cli("init", str(tmp_path / "ops")).code == 0
    root = tmp_path / "ops"
    config = load_config(str(root / ".pre-commit-config.yaml"))
    (entry,) = config["repos"]
    hook_ids = [h["id"] for h in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))]
    assert [h["id"] for h in entry["hooks"]] == hook_ids
    requirement = (root / "requirements.txt").read_text("utf-8").splitlines()[-1]
    assert requirement == f"erpops @ git+{entry['repo']}@{entry['rev']}"
    assert (entry["repo"], entry["rev"]) == ("https://github.com/YOUR-ORG/erpops", "v0.1.0")


def test_editor_settings_point_at_the_exported_schemas(tmp_path, cli):
    assert cli("init", str(tmp_path / "ops")).code == 0
    root = tmp_path / "ops"
    settings = json.loads((root / ".vscode/settings.json").read_text("utf-8"))
    mapped = settings["yaml.schemas"]
    assert {Path(p).name.removesuffix(".schema.json") for p in mapped} == set(schemas.names()) - {"defs", "runbook"}
    for schema_path, globs in mapped.items():
        assert (root / schema_path).read_text("utf-8") == schemas.text(Path(schema_path).name.removesuffix(".schema.json"))
        for pattern in globs:
            if "*" not in pattern:
                assert (root / pattern).is_file() or pattern == "roster/vendor.yaml", pattern


def _nav_pages(text: str) -> list[str]:
    nav = yaml.safe_load("nav:" + text.split("\nnav:", 1)[1].split("\nvalidation:", 1)[0])["nav"]

    def flat(items):
        for item in items:
            if isinstance(item, str):
                yield item
            else:
                for value in item.values():
                    yield from (flat(value) if isinstance(value, list) else [value])

    return list(flat(nav))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_generated_nav_lists_every_generated_index_page_this_repository_lists(lang):
    """A section added to the site (tickets, reports …) and to this repository's nav must be
    added to the nav that init writes too."""
    from erpops import load
    from erpops.site import pages

    generated = set(pages.build(load.load(DEMO), "zh", "internal"))
    ours = [p for p in _nav_pages((REPO_ROOT / "mkdocs.yml").read_text("utf-8")) if p in generated]
    theirs = _nav_pages((REPO_ROOT / f"tools/erpops/templates/init/{lang}/mkdocs.yml.j2").read_text("utf-8"))
    assert "cli.md" in ours and "subsystems/index.md" in ours
    assert [p for p in theirs if p in generated] == ours


def test_the_new_repository_takes_its_first_ticket(tmp_path, cli):
    assert cli("init", str(tmp_path / "ops")).code == 0
    root = tmp_path / "ops"
    made = cli("ticket", "new", "--subsystem", "example", "--type", "fault", "--priority", "P3",
               "--title", "示例", "--symptom", "现象", "--by", "key-user-1", cwd=root)
    assert made.code == 0, made.both
    (ticket,) = (root / "tickets" / "example" / "2026").glob("EXM-20261125-*.yaml")
    assert made.out == f"已创建工单 {ticket.stem}：tickets/example/2026/{ticket.name}\n"
    check = cli("check", cwd=root)
    assert (check.code, check.out.splitlines()[-1]) == (0, "检查了 5 个文件：0 个错误，4 个警告。")


def test_init_says_so_when_the_new_repository_has_warnings(tmp_path, cli, monkeypatch):
    real = init_module.files

    def with_spare_person(lang, org, *forge):
        out = real(lang, org, *forge)
        out["roster/people.yaml"] += "  - id: spare\n    name: 备用\n"
        return out

    monkeypatch.setattr(init_module, "files", with_spare_person)
    result = cli("init", str(tmp_path / "ops"))
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[1] == "检查通过，另有 5 条警告（生成的名册是占位示例，可以先不管）："
    assert "  roster/people.yaml:22: [roster-no-role] 备用 在名册中没有任何角色（不是管理员、关键用户或办公室成员）。" in lines[2:7]
