"""A tiny ops repository with a closed ticket whose feedback is raised as one improvement item."""
from __future__ import annotations

from conftest import Repo
from tickets_fixture import PATH, TICKET, setup

ITEM_PATH = "improvements/2026/IMP-20261103-K7QF.yaml"
ITEM_ID = "IMP-20261103-K7QF"
# Proposed and accepted by the office (sun-lead), owned by zhao-admin, due 2026-11-20.
PROPOSED = """\
# 调拨单须当日记账
id: IMP-20261103-K7QF
title: 调拨单须当日记账
target: process
status: proposed
tickets:
  - ticket: ALP-20261102-K7QF
    feedback: 1
history:
  - event: propose
    at: 2026-11-03T09:00:00+08:00
    by: sun-lead
"""
ITEM = """\
# 调拨单须当日记账
id: IMP-20261103-K7QF
title: 调拨单须当日记账
target: process
status: accepted
owner: zhao-admin
due: 2026-11-20
tickets:
  - ticket: ALP-20261102-K7QF
    feedback: 1
history:
  - event: propose
    at: 2026-11-03T09:00:00+08:00
    by: sun-lead
  - event: accept
    at: 2026-11-03T10:00:00+08:00
    by: sun-lead
    owner: zhao-admin
    due: 2026-11-20
"""


def item_event(kind: str, at: str, by: str, **extra: str) -> str:
    text = f"  - event: {kind}\n    at: {at}\n    by: {by}\n"
    return text + "".join(f"    {k}: {v}\n" for k, v in extra.items())


def setup_items(repo: Repo, item: str | None = ITEM) -> Repo:
    setup(repo)
    repo.write(PATH, TICKET)
    if item is not None:
        repo.write(ITEM_PATH, item)
    return repo
