"""The package as others get it: an sdist and a wheel with every data file, and a wheel that,
installed alone into a fresh virtual environment, creates, checks and builds an ops repository."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.package

PACKAGE = REPO_ROOT / "tools" / "erpops"
# Every data file the package needs at run time, as a path inside the package.
DATA = sorted(
    p.relative_to(PACKAGE.parent).as_posix()
    for pattern in ("schemas/*.json", "locale/*/*.yaml", "templates/**/*", "site/vendor/*/*", "site/overrides/*")
    for p in PACKAGE.glob(pattern) if p.is_file()
)


def _clean_env(**extra: str) -> dict[str, str]:
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ERPOPS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def _run(args, cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(**extra),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build`: the sdist, then the wheel built from that sdist (so the wheel proves the
    sdist is complete too)."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, REPO_ROOT], cwd=out)
    return out


def test_data_files_exist_to_be_shipped():
    assert "erpops/site/vendor/mermaid/mermaid.min.js" in DATA
    assert "erpops/templates/init/common/dot-github/workflows/ci.yml" in DATA
    assert "erpops/templates/init/en/policy.yaml" in DATA
    assert "erpops/locale/en/init.yaml" in DATA and "erpops/schemas/ticket.schema.json" in DATA


def test_sdist_and_wheel_hold_every_data_file(dist):
    (sdist,) = dist.glob("erpops-*.tar.gz")
    (wheel,) = dist.glob("erpops-*.whl")
    with tarfile.open(sdist) as tar:
        in_sdist = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    with zipfile.ZipFile(wheel) as z:
        in_wheel = set(z.namelist())
    assert [f for f in DATA if f"tools/{f}" not in in_sdist] == []
    assert [f for f in DATA if f not in in_wheel] == []


def test_wheel_alone_creates_checks_and_builds_a_repository(dist, tmp_path):
    (wheel,) = dist.glob("erpops-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    bin_ = env_dir / ("Scripts" if os.name == "nt" else "bin")
    work = tmp_path / "work"
    work.mkdir()
    _run([bin_ / "python", "-m", "pip", "install", "--quiet", wheel], cwd=work)

    where = _run([bin_ / "python", "-c", "import erpops, sys; print(erpops.__file__); print(sys.prefix)"], cwd=work)
    module, prefix = where.stdout.splitlines()
    assert Path(module).is_relative_to(env_dir) and Path(prefix) == env_dir

    init = _run([bin_ / "erpops", "init", "ops", "--org", "新公司"], cwd=work)
    assert init.stdout.startswith(f"已在 {work / 'ops'} 创建运维仓库“新公司”")
    ops = work / "ops"
    check = _run([bin_ / "erpops", "check"], cwd=ops)
    # warnings only: the placeholder people have no phone or WeCom, and 2027 is not entered yet
    assert check.stdout.splitlines()[-1] == "检查了 4 个文件：0 个错误，4 个警告。"
    _run([bin_ / "erpops", "codeowners", "--check"], cwd=ops)
    _run([bin_ / "mkdocs", "build", "--strict"], cwd=ops)
    assert "<title>新公司</title>" in (ops / "site" / "index.html").read_text("utf-8")
    assert (ops / "site" / "assets" / "erpops" / "mermaid.min.js").stat().st_size > 1_000_000


def test_generated_pre_commit_config_runs_this_repository_hooks(tmp_path):
    """The generated .pre-commit-config.yaml, with its placeholder URL and rev replaced by this
    repository and its HEAD (what an adopter does), installs and passes both hooks."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a Git checkout (an unpacked sdist)")
    bin_ = Path(sys.executable).parent
    _run([bin_ / "erpops", "init", "ops"], cwd=tmp_path)
    ops = tmp_path / "ops"
    config = ops / ".pre-commit-config.yaml"
    text = config.read_text("utf-8")
    assert "repo: https://github.com/YOUR-ORG/erpops\n    rev: v0.1.0\n" in text
    config.write_text(text.replace("https://github.com/YOUR-ORG/erpops", str(REPO_ROOT))
                      .replace("rev: v0.1.0", f"rev: {head.stdout.strip()}"), "utf-8")
    _run(["git", "init", "-q"], cwd=ops)
    _run(["git", "add", "-A"], cwd=ops)
    proc = _run([bin_ / "pre-commit", "run", "--all-files"], cwd=ops, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    assert re.findall(r"^(erpops \w+)\.+Passed$", proc.stdout, re.M) == ["erpops check", "erpops codeowners"]
