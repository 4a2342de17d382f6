"""A faithful local HTML mock of a GitHub issue form (.github/ISSUE_TEMPLATE/*.yml), as a key user
sees it on "New issue": the title box, then each field's label, description and control, in the
template's order; dropdown options in the template's order. For the guide's screenshots only."""
from __future__ import annotations

from html import escape

STYLE = """
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       color: #1f2328; background: #fff; margin: 0; }
main { max-width: 880px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 20px; font-weight: 600; margin: 0 0 4px; }
.about { color: #59636e; margin: 0 0 16px; }
.field { margin: 0 0 20px; }
label { display: block; font-weight: 600; margin-bottom: 4px; }
.req { color: #d1242f; }
.hint { color: #59636e; font-size: 12px; margin: 0 0 6px; white-space: pre-line; }
input, select, textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 5px 12px;
       border: 1px solid #d1d9e0; border-radius: 6px; background: #f6f8fa; }
textarea { min-height: 96px; }
.note { border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 16px; margin-bottom: 20px; white-space: pre-line; }
button { background: #1f883d; color: #fff; border: 0; border-radius: 6px; padding: 6px 16px; font: inherit; font-weight: 600; }
"""


def render(form: dict, title_label: str = "标题", submit: str = "提交新议题") -> str:
    out = [f"<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{escape(form['name'])}</title>",
           f"<style>{STYLE}</style></head><body><main>",
           f"<h1>{escape(form['name'])}</h1><p class=\"about\">{escape(form.get('description', ''))}</p>",
           f"<div class=\"field\"><label for=\"title\">{escape(title_label)} <span class=\"req\">*</span></label>"
           f"<input id=\"title\" value=\"{escape(form.get('title', ''))}\"></div>"]
    for item in form["body"]:
        attrs = item.get("attributes", {})
        if item["type"] == "markdown":
            out.append(f"<div class=\"note\">{escape(attrs.get('value', '').strip())}</div>")
            continue
        fid = escape(item.get("id", ""))
        star = " <span class=\"req\">*</span>" if item.get("validations", {}).get("required") else ""
        out.append(f"<div class=\"field\" data-field=\"{fid}\"><label for=\"{fid}\">{escape(attrs['label'])}{star}</label>"
                   f"<p class=\"hint\">{escape(attrs.get('description', ''))}</p>")
        if item["type"] == "dropdown":
            options = "".join(f"<option>{escape(o)}</option>" for o in attrs.get("options", []))
            out.append(f"<select id=\"{fid}\"><option>选择一项</option>{options}</select>")
        elif item["type"] == "textarea":
            out.append(f"<textarea id=\"{fid}\"></textarea>")
        else:
            out.append(f"<input id=\"{fid}\">")
        out.append("</div>")
    out.append(f"<button>{escape(submit)}</button></main></body></html>")
    return "".join(out)
