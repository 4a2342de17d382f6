"""The forges behind one interface (base.Forge), and which one a run is on.

Only the commands import this package; the core (rules, gitdiff, load, model, reports, site) never does.
Which forge: `--forge NAME`, else the CI environment (Gitea/Forgejo runners also set GITHUB_ACTIONS,
so they are asked first), else `forge:` in policy.yaml.
"""
from __future__ import annotations

import os
from typing import Callable

from erpops.forges.base import Env, Forge, ForgeError, Posted, PullRequest
from erpops.i18n import t

NAMES = ("github", "gitlab", "gitea")

__all__ = ["NAMES", "Forge", "ForgeError", "Posted", "PullRequest", "choose", "detect", "make"]


def _true(env: Env, name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("true", "1", "yes")


def detect(env: Env | None = None) -> str | None:
    """The forge whose CI this process runs in, from its variables; None outside CI."""
    env = os.environ if env is None else env
    if _true(env, "GITEA_ACTIONS") or _true(env, "FORGEJO_ACTIONS"):
        return "gitea"
    if _true(env, "GITLAB_CI"):
        return "gitlab"
    if _true(env, "GITHUB_ACTIONS"):
        return "github"
    return None


def choose(given: str | None, env: Env | None = None, policy_forge: str | None = None) -> str:
    """`given` (a name, or "auto"), else the CI environment, else the policy's `forge:`."""
    if given and given != "auto":
        if given not in NAMES:
            raise ForgeError(t("forge.unknown", name=given, names=", ".join(NAMES)))
        return given
    found = detect(env) or (policy_forge if policy_forge in NAMES else None)
    if found is None:
        raise ForgeError(t("forge.undetected"))
    return found


def _registry() -> dict[str, Callable[[Env], Forge]]:
    from erpops.forges.gitea import Gitea
    from erpops.forges.github import GitHub
    from erpops.forges.gitlab import GitLab

    return {"github": GitHub, "gitlab": GitLab, "gitea": Gitea}


def make(name: str, env: Env | None = None) -> Forge:
    return _registry()[name](os.environ if env is None else env)
