"""The answer on the issue when an intake from it fails: the reason in the words the CLI printed
and what to do, for a key user who cannot read the CI log; and `erpops forge answer-issue`, which
posts it through the forge's API (token from the environment).

`ticket from-issue --answer-file FILE` writes the answer when it refuses; a later step of the
workflow posts FILE, or, when an intake step failed without leaving one (a push, the pull
request), a general answer with a link to the run.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Iterator

from erpops import forges
from erpops.atomic import write_text
from erpops.commands.forge_gate import policy_forge
from erpops.errors import FatalError
from erpops.forges.markdown import inert
from erpops.i18n import t
from erpops.load import find_root

MARK = "<!-- erpops:intake-answer -->"  # a bot's answer, never a command to act on
STAGES = ("event", "author", "form", "rules")


def render(reason: str, stage: str, lang: str | None = None) -> str:
    """The answer's Markdown: what failed, the reason (inert), what to do at this `stage`."""
    return "\n\n".join([MARK, "**" + t("intake.answer.title", lang) + "**",
                        t("intake.answer.reason", lang) + "\n\n" + _quoted(reason),
                        "**" + t("intake.answer.what-to-do", lang) + "** " + t(f"intake.answer.hint.{stage}", lang)]) + "\n"


def _quoted(reason: str) -> str:
    lines = [inert(line) for line in reason.strip().splitlines() if line.strip()]
    return "\n".join("> " + line + "  " for line in lines).rstrip()


def write(path: Path, reason: str, stage: str, lang: str | None = None) -> None:
    try:
        write_text(Path(path), render(reason, stage, lang))
    except OSError as err:
        # The refusal stands and is printed; only its copy for the issue is missing.
        sys.stderr.write(t("intake.answer.not-written", path=path, reason=err) + "\n")


@contextmanager
def copied_stderr() -> Iterator[StringIO]:
    """What is written to stderr meanwhile, still written there and kept (the rules' refusals)."""
    kept, real = StringIO(), sys.stderr

    class Tee:
        def write(self, text: str) -> int:
            kept.write(text)
            return real.write(text)

        def flush(self) -> None:
            real.flush()

        def __getattr__(self, name: str):
            return getattr(real, name)

    sys.stderr = Tee()  # type: ignore[assignment]
    try:
        yield kept
    finally:
        sys.stderr = real


def run_url(env=os.environ) -> str:
    """The CI run's web page, from the runner's variables (GitHub, Gitea; GitLab's job)."""
    if env.get("CI_JOB_URL"):
        return env["CI_JOB_URL"]
    server, repository, run = (env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run}" if server and repository and run else ""


def general(lang: str | None = None) -> str:
    """The answer when a step failed without leaving one."""
    url = run_url()
    text = t("intake.answer.general", lang) + (" " + t("intake.answer.run", lang, url=url) if url else "")
    return "\n\n".join([MARK, "**" + t("intake.answer.title", lang) + "**", text]) + "\n"


def answer_issue(repo: Path | None, number: int, from_path: Path | None, forge: str | None) -> int:
    """Post the answer in `from_path` (else the general one) on issue `number` of the forge."""
    body = ""
    if from_path is not None:
        try:
            body = Path(from_path).read_text("utf-8").strip()
        except FileNotFoundError:
            body = ""
        except (OSError, UnicodeDecodeError) as err:
            raise FatalError(t("intake.answer.unreadable", path=from_path, reason=err)) from None
    if not body.startswith(MARK):   # only what erpops wrote is posted as it is
        body = general().strip()
    root = find_root(repo or Path.cwd())
    site = forges.make(forges.choose(forge or "auto", os.environ, policy_forge(root) if root else None))
    posted = site.comment_issue(number, body + "\n")
    sys.stdout.write(t("intake.answer.posted", forge=site.name, number=number, url=posted.url or "") + "\n")
    return 0
