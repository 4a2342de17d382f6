"""Page building, independent of MkDocs: repository in, {page path: Markdown} out."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from erpops.i18n import t
from erpops.load import Repository


def environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("erpops", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = lambda key, **kw: t(key, lang, **kw)
    env.globals["lang"] = lang
    return env


def build(repo: Repository, lang: str = "zh", audience: str = "internal") -> dict[str, str]:
    env = environment(lang)
    roster = repo.roster
    people = roster.people

    def name(pid: str | None) -> str:
        p = people.get(pid or "")
        return p.display(lang) if p else (pid or "")

    office = roster.office
    subsystems = [
        {
            "name": s.display(lang),
            "business_admin": name(s.business_admin),
            "erp_admin": name(s.erp_admin),
            "key_users": s.key_user_group.population
            or t("list.sep", lang).join(name(m) for m in s.key_user_group.members),
        }
        for s in roster.subsystem_list
    ]
    return {
        "organisation.md": env.get_template("organisation.md.j2").render(
            office=office,
            office_lead=name(office.lead) if office else "",
            office_members=[name(m) for m in office.members] if office else [],
            subsystems=subsystems,
        ),
    }
