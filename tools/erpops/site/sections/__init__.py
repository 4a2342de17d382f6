"""Page sections of the site. Each module is one section with the same three names:

- `AUDIENCES`: the audiences that see it (`internal`, `public`);
- `pages(ctx) -> {path: Markdown}`: its pages, paths relative to the site's docs;
- `panel(ctx) -> Panel | None`: its figures on the home dashboard.

A new section (tickets, reports) is one module here plus its template(s), listed in `SECTIONS`
in `erpops.site.pages`.
"""
