"""erpops notify: tell people what the repository says needs them — assignments, SLA warnings and
breaches, resolutions waiting for confirmation, forms due, runbook reviews, a missing calendar
year — once per change of state, over the robots and e-mail the policy names.

Exactly once: each notice has a key derived from the data (see erpops.notify.notices); a key
delivered on a channel is written to the state file right after the delivery succeeds, and a
key not delivered (failed, held for working hours, over the rate limit) is simply sent by a later
run. No time window is involved, so a skipped, late or repeated run neither loses nor repeats.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from erpops import clock, load, siteconfig
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.notify import config as notify_config
from erpops.notify import state as notify_state
from erpops.notify.notices import notices
from erpops.notify.plan import EMAIL, Message, plan

DEFAULT_STATE = Path(".erpops-notify/sent.json")


def _standing(repo, today):
    from erpops.reports.handin import standing

    try:
        return standing(repo, today)
    except FatalError:
        return None  # not a git checkout: hand-ins cannot be known, forms are not chased


def _forge_issues(env) -> str | None:
    """On GitHub Actions, where the ticket form's issues are: the issue link of `ticket from-issue` tickets."""
    server, name = env.get("GITHUB_SERVER_URL", "").rstrip("/"), env.get("GITHUB_REPOSITORY", "")
    return f"{server}/{name}/issues/{{number}}" if server.startswith("https://") and name.count("/") == 1 else None


def _header(m: Message, repo, lang: str | None) -> str:
    people = repo.roster.people
    names = t("list.sep", lang).join(
        people[p].display(lang or "zh") + (f" {n}" if (n := notify_config.mobile(people[p])) and m.kind != EMAIL else "")
        for p in m.to if p in people) or t("notify.nobody", lang)
    if m.kind == EMAIL:
        return t("notify.dry-mail", lang, to=names, address=m.address, subject=m.subject)
    return t("notify.dry-robot", lang, channel=m.channel.split(":", 1)[1], kind=t(f"notify.kind.{m.kind}", lang),
             to=names)


def notify(root: Path, *, dry_run: bool = False, state_path: Path | None = None, tries: int = 3,
           pause: float = 1.0, lang: str | None = None) -> int:
    repo = load.load(root)
    if repo.policy is None:
        sys.stderr.write(t("notify.no-policy", lang, path=root / load.POLICY) + "\n")
        return 2
    cal = repo.policy.calendar
    now = clock.now(cal.tz)
    today = now.date()
    cfg = notify_config.build(repo.policy, siteconfig.read(root).site_url, _forge_issues(os.environ))
    path = state_path if state_path is not None else root / DEFAULT_STATE
    st = notify_state.load(path)
    found = notices(repo, now, today, _standing(repo, today))
    p = plan(repo, cfg, found, st, now, lang)
    if not cfg.robots and cfg.email_secret is None:
        sys.stderr.write(t("notify.no-channels", lang) + "\n")
    if dry_run:
        for m in p.messages:
            print(_header(m, repo, lang))
            print("\n".join("  " + line if line else "" for line in m.body.splitlines()))
        print(t("notify.dry-summary", lang, count=len(p.messages), waiting=p.waiting))
        return 0
    from erpops.channels import deliver
    from erpops.channels.apprise_channel import AppriseChannel

    channel = AppriseChannel()
    sent = failed = 0
    for m in p.messages:
        result = deliver(channel, m, os.environ, tries=tries, pause=pause)
        if result.ok:
            st.mark(list(m.keys), now.isoformat(timespec="seconds"))
            sent += 1
            print(t("notify.sent", lang, channel=m.channel, count=len(m.keys)))
        else:
            failed += 1
            sys.stderr.write(t("notify.failed", lang, channel=m.channel, reason=result.reason, tries=result.tries) + "\n")
    print(t("notify.summary", lang, sent=sent, failed=failed, waiting=p.waiting))
    return 1 if failed else 0
