"""One test per roster rule: break the tiny repository on purpose, expect that rule at that line."""
from __future__ import annotations

import json


def run(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    return r.code, [(d["path"], d["line"], d["rule"], d["severity"]) for d in json.loads(r.out)["diagnostics"]]


ALPHA = "roster/subsystems/alpha.yaml"


def test_unique_person_ids(cli, repo):
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", "  - id: zhou-user\n    name: 周二\n  - id: zhou-user\n")
    code, found = run(cli, repo)
    assert found == [("roster/people.yaml", 17, "roster-unique-id", "error")]
    assert code == 1


def test_unique_subsystem_codes(cli, repo):
    repo.write("roster/subsystems/beta.yaml", repo.read(ALPHA))
    code, found = run(cli, repo)
    assert ("roster/subsystems/beta.yaml", 1, "roster-unique-id", "error") in found
    assert ("roster/subsystems/beta.yaml", 1, "roster-file-name", "error") in found
    assert code == 1


def test_subsystem_file_named_after_its_code(cli, repo):
    repo.edit(ALPHA, "code: alpha", "code: gamma")
    code, found = run(cli, repo)
    assert found == [(ALPHA, 1, "roster-file-name", "error")]
    assert code == 1


def test_exactly_one_business_admin(cli, repo):
    repo.edit(ALPHA, "business_admin: zhao-admin", "business_admin: [zhao-admin, li-user]")
    code, found = run(cli, repo)
    # li-user, now on the escalation path, has no phone or WeCom entry
    assert found == [("roster/people.yaml", 13, "roster-no-contact", "warning"),
                     (ALPHA, 4, "roster-one-business-admin", "error")]
    assert code == 1
    text = cli("check", cwd=repo.root).out
    assert "恰好有一名业务系统管理员，这里有 2 名" in text


def test_exactly_one_erp_admin(cli, repo):
    repo.edit(ALPHA, "erp_admin: qian-erp", "erp_admin: []")
    code, found = run(cli, repo)
    assert found == [(ALPHA, 5, "roster-one-erp-admin", "error")]
    assert code == 1


def test_missing_erp_admin_is_reported_once(cli, repo):
    repo.edit(ALPHA, "erp_admin: qian-erp\n", "")
    code, found = run(cli, repo)
    assert found == [(ALPHA, 1, "roster-one-erp-admin", "error")]
    assert "这里有 0 名" in cli("check", cwd=repo.root).out


def test_key_user_group_led_by_business_admin(cli, repo):
    repo.edit(ALPHA, "  leader: zhao-admin", "  leader: li-user")
    code, found = run(cli, repo)
    assert found == [(ALPHA, 7, "roster-key-user-leader", "error")]
    assert "赵管理" in cli("check", cwd=repo.root).out


def test_every_reference_resolves(cli, repo):
    repo.edit(ALPHA, "    - zhou-user", "    - zhou-usr")
    code, found = run(cli, repo)
    assert (ALPHA, 10, "roster-unknown-person", "error") in found
    assert code == 1


def test_erp_admin_belongs_to_the_office(cli, repo):
    repo.edit(ALPHA, "erp_admin: qian-erp", "erp_admin: li-user")
    code, found = run(cli, repo)
    assert (ALPHA, 5, "roster-erp-admin-in-office", "error") in found
    assert code == 1


def test_erp_admin_of_the_department_but_not_the_office_is_fine(cli, repo):
    repo.edit("roster/people.yaml", "    name: 李用户\n", "    name: 李用户\n    department: 信息管理部\n")
    repo.edit(ALPHA, "erp_admin: qian-erp", "erp_admin: li-user")
    code, found = run(cli, repo)
    assert [f for f in found if f[2] == "roster-erp-admin-in-office"] == []


def test_person_with_no_role_is_a_warning(cli, repo):
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", "  - id: wu-idle\n    name: 吴闲\n  - id: zhou-user\n")
    code, found = run(cli, repo)
    assert found == [("roster/people.yaml", 15, "roster-no-role", "warning")]
    assert code == 0


def test_both_admin_roles_of_one_subsystem_is_a_warning(cli, repo):
    repo.edit(ALPHA, "business_admin: zhao-admin", "business_admin: qian-erp")
    repo.edit(ALPHA, "  leader: zhao-admin", "  leader: qian-erp")
    code, found = run(cli, repo)
    assert (ALPHA, 5, "roster-segregation-of-duties", "warning") in found
    assert code == 0


def test_concentration_of_posts_is_a_warning(cli, repo):
    for code_ in ("b1", "b2", "b3", "b4"):
        repo.write(f"roster/subsystems/{code_}.yaml", repo.read(ALPHA).replace("code: alpha", f"code: {code_}"))
    repo.edit("roster/office.yaml", "department", "max_admin_posts: 4\ndepartment")
    code, found = run(cli, repo)
    assert found == [
        ("roster/people.yaml", 2, "roster-post-concentration", "warning"),
        ("roster/people.yaml", 5, "roster-post-concentration", "warning"),
    ]
    assert code == 0
    assert "5 个管理员岗位" in cli("check", cwd=repo.root).out


def test_population_and_members_are_exclusive(cli, repo):
    repo.edit(ALPHA, "  members:", "  population: 全体员工\n  members:")
    code, found = run(cli, repo)
    assert found == [(ALPHA, 6, "schema", "error")]
    assert code == 1
