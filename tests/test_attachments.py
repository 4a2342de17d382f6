"""Images and files pasted into the ticket form: out of the texts, kept as links in the ticket
(only addresses on the forge's own hosts), shown as escaped links on the internal ticket page."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from erpops import load
from erpops.attachments import Attachment, extract, place
from erpops.site import pages
from test_issue_form import CREATED, _ticket_files, body, ops  # noqa: F401
from tickets_fixture import CST

GH = place("github", "https://github.com/ops/erpops")
ASSET = "https://github.com/user-attachments/assets/0f3c2a9e-1b2c-4d5e-8f90-123456789abc"


@pytest.mark.parametrize("text,where,left,found", [
    (f"保存时报错\n\n![image]({ASSET})", GH, "保存时报错", [("image", ASSET)]),
    (f'看图 <img width="640" alt="报错截图" src="{ASSET}" />', GH, "看图", [("报错截图", ASSET)]),
    ("[库存.xlsx](https://github.com/user-attachments/files/123/%E5%BA%93%E5%AD%98.xlsx) 见表", GH, "见表",
     [("库存.xlsx", "https://github.com/user-attachments/files/123/%E5%BA%93%E5%AD%98.xlsx")]),
    ("![image](https://user-images.githubusercontent.com/1/2.png)", GH, "",
     [("image", "https://user-images.githubusercontent.com/1/2.png")]),
    ("![截图](/uploads/5e1f/截图.png) 如图", place("gitlab", "https://git.example.cn/erp/ops"), "如图",
     [("截图", "https://git.example.cn/erp/ops/uploads/5e1f/%E6%88%AA%E5%9B%BE.png")]),
    ("![](/attachments/7a1b-22)", place("gitea", "https://gitea.example.cn/erp/ops"), "",
     [("7a1b-22", "https://gitea.example.cn/attachments/7a1b-22")]),
    # Not the forge's: left in the text as typed.
    ("见 [说明](https://evil.example/x) ![i](http://evil.example/i.png)", GH,
     "见 [说明](https://evil.example/x) ![i](http://evil.example/i.png)", []),
    ("![x](javascript:alert(1)) [y](ftp://github.com/a) [z](//github.com/a)", GH,
     "![x](javascript:alert(1)) [y](ftp://github.com/a) [z](//github.com/a)", []),
    ('<img src="https://github.com.evil.example/a.png">', GH, '<img src="https://github.com.evil.example/a.png">', []),
    (f"![a]({ASSET}) ![b]({ASSET})", GH, "", [("a", ASSET)]),   # one address once
    (f"![a]({ASSET})", None, f"![a]({ASSET})", []),             # no place known: nothing taken
])
def test_extract_takes_only_the_forges_own_attachments(text, where, left, found):
    assert extract(text, where) == (left, tuple(Attachment(n, u) for n, u in found))


def test_place_of_each_forge():
    assert place("github", "https://github.com/o/r").hosts == {
        "github.com", "user-images.githubusercontent.com", "private-user-images.githubusercontent.com"}
    assert place("github", "https://ghe.example.cn/o/r").hosts == {"ghe.example.cn"}
    assert place("gitlab", "https://git.example.cn/g/p").base == "https://git.example.cn/g/p/"
    assert place("gitea", "https://gitea.example.cn/o/r").base == "https://gitea.example.cn/"
    assert place("github", "javascript:alert(1)") is None and place("github", None) is None


def _event(tmp_path, **changes):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "opened", "issue": {
        "number": 7, "title": "[工单] 采购订单无法保存", "body": body(**changes), "created_at": CREATED,
        "html_url": "https://github.com/ops/erpops/issues/7",
        "user": {"login": "li-gh"}, "labels": [{"name": "ticket"}]}}), "utf-8")
    return path


def test_a_form_with_a_screenshot_and_a_file_keeps_them_as_the_tickets_attachments(ops, cli, tmp_path):
    symptom = f"保存采购订单时报错\n\n![image]({ASSET})\n\n外链 ![x](https://evil.example/x.png)"
    impact = "[库存.xlsx](https://github.com/user-attachments/files/9/k.xlsx)\n影响发货"
    r = cli("ticket", "from-issue", "--event", str(_event(tmp_path, symptom=symptom, impact=impact)), cwd=ops.root)
    assert r.code == 0, r.err
    (rel,) = _ticket_files(ops.root)
    data = yaml.safe_load(ops.read(rel))
    assert data["symptom"] == "保存采购订单时报错\n\n外链 ![x](https://evil.example/x.png)"
    assert data["impact"] == "影响发货"
    assert data["attachments"] == [{"name": "image", "url": ASSET},
                                   {"name": "库存.xlsx", "url": "https://github.com/user-attachments/files/9/k.xlsx"}]
    assert cli("check", cwd=ops.root).code == 0


def test_a_symptom_that_is_only_a_screenshot_says_see_the_attachments(ops, cli, tmp_path):
    r = cli("ticket", "from-issue", "--event", str(_event(tmp_path, symptom=f"![image]({ASSET})")), cwd=ops.root)
    assert r.code == 0, r.err
    data = yaml.safe_load(ops.read(_ticket_files(ops.root)[0]))
    assert data["symptom"] == "（见附件）" and data["attachments"] == [{"name": "image", "url": ASSET}]


def test_check_refuses_an_attachment_that_is_not_a_web_address(ops, cli, tmp_path):
    assert cli("ticket", "from-issue", "--event", str(_event(tmp_path, symptom=f"x ![image]({ASSET})")),
               cwd=ops.root).code == 0
    (rel,) = _ticket_files(ops.root)
    ops.edit(rel, f"url: {ASSET}", "url: javascript:alert(1)")
    r = cli("check", cwd=ops.root)
    assert r.code == 1
    assert f"{rel}:20:5: 错误 [schema] 字段“url”的值“javascript:alert(1)”格式不对（地址 / url）。" in r.out.splitlines()  # after issue:


def test_the_ticket_page_links_each_attachment_with_its_name_escaped(ops, cli, tmp_path):
    symptom = f"报错 ![<b>图</b>](https://github.com/user-attachments/assets/a-b) [*表*.xlsx]({ASSET})"
    assert cli("ticket", "from-issue", "--event", str(_event(tmp_path, symptom=symptom)), cwd=ops.root).code == 0
    (rel,) = _ticket_files(ops.root)
    loaded = load.load(ops.root)
    built = pages.build(loaded, today=dt.date(2026, 11, 3), now=dt.datetime(2026, 11, 3, 12, 0, tzinfo=CST))
    page = built[rel.removesuffix(".yaml") + ".md"]
    lines = page.splitlines()
    (cell,) = [lines[i + 1] for i, ln in enumerate(lines) if ln == "<td>附件</td>"]
    assert cell == ('<td><a href="https://github.com/user-attachments/assets/a-b">&lt;b&gt;图&lt;/b&gt;</a>、'
                    f'<a href="{ASSET}">*表*.xlsx</a></td>')
    public = pages.build(loaded, audience="public", today=dt.date(2026, 11, 3),
                         now=dt.datetime(2026, 11, 3, 12, 0, tzinfo=CST))
    assert not [p for p, text in public.items() if "user-attachments" in text]


@pytest.mark.parametrize("forge,issue_url,pasted,url", [
    ("gitlab", "https://git.example.cn/erp/ops/-/issues/7", "![截图](/uploads/5e1f/a.png)",
     "https://git.example.cn/erp/ops/uploads/5e1f/a.png"),
    ("gitea", "https://gitea.example.cn/erp/ops/issues/7", "![a](/attachments/7a1b)", "https://gitea.example.cn/attachments/7a1b"),
    ("github", "https://github.com/ops/erpops/issues/7", f"![image]({ASSET})", ASSET),
])
def test_the_issues_own_address_says_where_its_attachments_live(forge, issue_url, pasted, url):
    from erpops.commands.ticket_issue import _attachments

    fields = {"symptom": f"报错 {pasted}", "cause": None, "impact": None}
    out, found = _attachments(fields, forge, issue_url)
    assert out["symptom"] == "报错" and [a.url for a in found] == [url]
    assert _attachments(fields, forge, None) == (fields, ())   # no address: nothing taken out
