"""A ticket page's HTML is written in Python (erpops.site.sections.tickets.ticket_html): byte for
byte what templates/tickets/ticket.html.j2 renders from the same values, over generated tickets
(resolutions, feedback, publications, runbooks, SLA clocks) and the XSS ticket and names, in both languages."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops import load
from erpops.site import pages
from erpops.site.context import environment
from erpops.site.sections import tickets
from generated_fixture import generated
from site_repo import XSS_IMG, XSS_TICKET_ID, real_data_copy

NOW = dt.datetime.fromisoformat("2026-11-20T16:00:00+08:00")


def _compare(monkeypatch, repo, lang: str) -> list[tuple]:
    """Every ticket page's body by both writers, the page built as the site builds it."""
    env = environment(lang, html=True)
    template = env.get_template("tickets/ticket.html.j2")
    real = tickets.ticket_html
    bodies = []

    def both(t, **values):
        ours = real(t, **values)
        bodies.append((values["tk"].id, ours, template.render(internal=True, **values)))
        return ours

    monkeypatch.setattr(tickets, "ticket_html", both)
    pages.build(repo, lang, today=NOW.date(), now=NOW)
    return bodies


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_generated_ticket_pages_are_the_templates(tmp_path, monkeypatch, lang):
    root = generated(tmp_path, monkeypatch, 300, seed=11, cache=False)
    repo = load.load(root)
    bodies = _compare(monkeypatch, repo, lang)
    assert len(bodies) == len(repo.tickets) == 300
    assert [tid for tid, ours, theirs in bodies if ours != theirs] == []
    # every optional part of the page is among them
    assert all(any(getattr(tk, part) for tk in repo.tickets)
               for part in ("resolution", "feedback", "runbooks", "publication"))


def test_the_xss_ticket_page_is_the_templates_and_escaped(tmp_path, monkeypatch):
    repo = load.load(real_data_copy(tmp_path / "ops"))
    bodies = _compare(monkeypatch, repo, "zh")
    assert [tid for tid, ours, theirs in bodies if ours != theirs] == []
    xss = next(ours for tid, ours, _ in bodies if tid == XSS_TICKET_ID)
    assert "<script>" not in xss and "&lt;script&gt;" in xss
    assert XSS_IMG not in "".join(ours for _, ours, _ in bodies)


@pytest.mark.parametrize("label", ["时间线", 'A <b>&"\'', "x\u3000 y", 7, "Ünïcode"])
@pytest.mark.parametrize("level", [1, 2, 6])
def test_a_heading_is_what_markups_format_wrote(level, label):
    from markupsafe import Markup

    from erpops.site import html

    ident = html.heading_id(label)
    wanted = Markup('<h{0} id="{1}">{2}<a class="headerlink" href="#{1}" title="Permanent link">&para;</a></h{0}>'
                    ).format(level, ident, label)
    assert html.heading(level, label) == wanted and html.heading(level, label) == wanted  # memoised too
    marked = Markup("<i>x</i> &amp; ") + str(label)
    assert html.heading(level, marked) == Markup(
        '<h{0} id="{1}">{2}<a class="headerlink" href="#{1}" title="Permanent link">&para;</a></h{0}>'
    ).format(level, html.heading_id(marked), marked)
