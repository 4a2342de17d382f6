"""The MkDocs plugin: thin wiring from MkDocs events to the loader and the page builder."""
from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from erpops import load, output
from erpops.checks import diagnostics
from erpops.diagnostics import exit_code
from erpops.site import pages

log = get_plugin_logger(__name__)


class ErpopsConfig(Config):
    repo = c.Optional(c.Dir(exists=True))
    lang = c.Choice(("zh", "en"), default="zh")
    audience = c.Choice(("internal", "public"), default="internal")


class ErpopsPlugin(BasePlugin[ErpopsConfig]):
    def on_config(self, config, **kwargs):
        root = Path(self.config.repo or Path(config.config_file_path).parent)
        repo = load.load(root)
        found = diagnostics(repo)
        if exit_code(found):
            raise PluginError("\n" + output.text(found, repo.files, self.config.lang))
        for d in found:
            log.info("%s:%s: [%s] %s", d.path, d.line, d.rule, d.message(self.config.lang))
        self.repo = repo
        for folder in ("roster",):
            if (root / folder).is_dir():
                config.watch.append(str(root / folder))
        return config

    def on_files(self, files: Files, /, *, config) -> Files:
        for uri, content in pages.build(self.repo, self.config.lang, self.config.audience).items():
            files.append(File.generated(config, uri, content=content))
        return files
