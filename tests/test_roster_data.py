"""The demo roster (tests/fixtures/demo/, frozen) holds every subsystem and person the organisation's document names."""
from __future__ import annotations

import re

import pytest

from conftest import DEMO, SHARED
from erpops import load

SEED = SHARED / "seed" / "README.md"


@pytest.fixture(scope="module")
def roster():
    return load.load(DEMO).roster


def _seed_tables():
    if not SEED.is_file():
        pytest.skip("../shared/seed/README.md is not beside this repository")
    text = SEED.read_text("utf-8")
    admins, key_users = {}, {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].endswith("系统") and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", cells[2]):
            admins[cells[0]] = (cells[2], cells[3])
        if len(cells) == 2 and cells[0].endswith("系统") and cells[0] in admins:
            key_users[cells[0]] = cells[1]
    return admins, key_users


def test_eleven_subsystems_with_the_documents_admins(roster):
    admins, _ = _seed_tables()
    assert len(admins) == 11
    people = roster.people
    found = {s.name: (people[s.business_admin].name, people[s.erp_admin].name) for s in roster.subsystem_list}
    assert found == admins


def test_every_key_user_in_the_document_is_in_the_group(roster):
    _, key_users = _seed_tables()
    people = roster.people
    by_name = {s.name: s for s in roster.subsystem_list}
    for subsystem, cell in key_users.items():
        group = by_name[subsystem].key_user_group
        if cell.startswith("not named"):
            assert group.population == "集团公司OA使用人员"
            continue
        assert [people[m].name for m in group.members] == [n.strip() for n in cell.split(",")]


def test_office_as_in_the_document(roster):
    people = roster.people
    office = roster.office
    assert people[office.lead].name == "杨起运"
    assert [people[m].name for m in office.members] == ["潘银军", "晏玉堂", "谢丽萍"]
    assert office.department == "信息管理部"


def test_namesakes_have_different_ids(roster):
    ids = {p.name: p.id for p in roster.people_list}
    assert ids["刘涛"] != ids["刘滔"]


def test_vendor_is_yonyou_with_on_site_support(roster):
    assert roster.vendor.name == "用友"
    assert roster.vendor.period == "上线初期"
    assert all(roster.people[c].placeholder for c in roster.vendor.consultants)
