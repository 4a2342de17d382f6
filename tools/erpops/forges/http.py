"""JSON over HTTP with the standard library, for the forges whose API needs no client library."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Mapping

from erpops.forges.base import ForgeError
from erpops.i18n import t

TIMEOUT = 30


class Api:
    """One forge's REST API at `base` (e.g. https://api.github.com or https://git.example/api/v1)."""

    def __init__(self, forge: str, base: str, headers: Mapping[str, str]) -> None:
        if not base.startswith(("http://", "https://")):
            raise ForgeError(t("forge.bad-url", forge=forge, url=base))
        self.forge, self.base, self.headers = forge, base.rstrip("/"), dict(headers)

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": "erpops", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise ForgeError(t("forge.http-error", forge=self.forge, method=method, path=path,
                               status=err.code, reason=err.reason)) from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise ForgeError(t("forge.unreachable", forge=self.forge, url=self.base,
                               reason=getattr(err, "reason", err))) from None
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            raise ForgeError(t("forge.bad-answer", forge=self.forge, method=method, path=path)) from None
