"""The one record for every problem a person is told about, and how it is ordered."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

ERROR = "error"
WARNING = "warning"

# Rules raised when a file cannot be read or parsed at all: the input is unusable (exit 2),
# as opposed to a readable file that breaks a rule (exit 1).
INPUT_RULES = frozenset(
    {
        "encoding",
        "file-too-large",
        "file-missing",
        "file-symlink",
        "merge-conflict",
        "yaml-syntax",
        "yaml-duplicate-key",
        "yaml-alias",
        "yaml-tag",
        "yaml-key-type",
        "yaml-time-range",
        "yaml-depth",
        "front-matter",
    }
)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding at file:line:column, named by its rule; the text comes from the catalogue.

    `key` is the catalogue entry (defaults to ``rule.<rule>``); `args` fill its placeholders.
    """

    path: str
    line: int
    column: int
    rule: str
    severity: str = ERROR
    args: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    key: str = field(default="", compare=False)

    @classmethod
    def make(
        cls,
        path: str,
        line: int,
        rule: str,
        severity: str = ERROR,
        *,
        column: int = 1,
        key: str = "",
        **args: Any,
    ) -> "Diagnostic":
        return cls(path, line, column, rule, severity, tuple(sorted(args.items())), key)

    @property
    def params(self) -> Mapping[str, Any]:
        return dict(self.args)

    @property
    def message_key(self) -> str:
        return self.key or f"rule.{self.rule}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def is_input(self) -> bool:
        return self.rule in INPUT_RULES

    def message(self, lang: str | None = None) -> str:
        """The catalogue text in `lang`; tuple arguments become lists joined the language's way."""
        from erpops.i18n import t

        from erpops.i18n import catalogue, language

        sep = t("list.sep", lang)
        params = {k: sep.join(map(str, v)) if isinstance(v, tuple) else v for k, v in self.args}
        labels = catalogue(language(lang))
        for k in TIER_PARAMS:  # a tier is shown by its name in the language, not its code
            if isinstance(params.get(k), str) and f"tier.{params[k]}" in labels:
                params[k] = labels[f"tier.{params[k]}"]
        return t(self.message_key, lang, **params)


# Message parameters that hold a tier code (rule.ticket-open-tier, -escalation-one-tier, -reserved-type …).
TIER_PARAMS = ("tier", "was", "min_tier")


def exit_code(diagnostics: Iterable[Diagnostic]) -> int:
    """0 clean (warnings allowed), 1 rule violations, 2 unusable input."""
    code = 0
    for d in diagnostics:
        if d.is_error and d.is_input:
            return 2
        if d.is_error:
            code = 1
    return code
