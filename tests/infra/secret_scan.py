"""Finds secrets and account keys in deployment files (templates, parameter files, azure.yaml).

Looks for: the Azurite development key, storage connection strings with keys, SAS signatures,
ARM functions that read keys (`listKeys`, `listConnectionStrings`...), private keys, long
base64 runs the size of a key, a literal assigned to a name that says secret/password/clientState,
and any of the known secret values (the local example secrets) given by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

AZURITE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
"""The well-known Azurite key (public, but a key in a template means a key-based design)."""

PATTERNS: dict[str, re.Pattern[str]] = {
    "account key": re.compile(r"AccountKey\s*=", re.IGNORECASE),
    "SAS signature": re.compile(r"(SharedAccessSignature\s*=|[?&]sig=)", re.IGNORECASE),
    "key-reading function": re.compile(
        r"\b(listKeys|listAccountSas|listServiceSas|listConnectionStrings|listSecrets|"
        r"listCredentials)\s*\(",
        re.IGNORECASE,
    ),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "literal secret": re.compile(
        r"""["']?\b\w*(?:secret|password|passwd|pwd|client_?state)["']?\s*[:=]\s*"""
        r"""(["'])(?!@Microsoft\.KeyVault\()(?!\$\{)([^"'\n]{6,})\1""",
        re.IGNORECASE,
    ),
    "secret parameter default": re.compile(
        r"\bparam\s+\w*(?:secret|password|passwd|pwd|clientstate)\w*\s+\w+\s*=\s*'[^']+'",
        re.IGNORECASE,
    ),
}


BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")
"""A run as long as a key; resource type paths are letters and slashes only, so a run counts
only when it mixes digits with upper- and lower-case letters, as random key material does."""


def _looks_random(run: str) -> bool:
    return (
        any(c.isdigit() for c in run)
        and any(c.isupper() for c in run)
        and any(c.islower() for c in run)
    )


def secret_findings(text: str, known_secrets: Iterable[str] = ()) -> list[str]:
    """What looks like a secret in `text`, as `line N: kind`; empty when clean."""
    findings: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if AZURITE_ACCOUNT_KEY in line:
            findings.append(f"line {number}: Azurite account key")
        for kind, pattern in PATTERNS.items():
            if pattern.search(line):
                findings.append(f"line {number}: {kind}")
        if any(_looks_random(m.group()) for m in BASE64_RUN.finditer(line)):
            findings.append(f"line {number}: key-sized base64")
        findings.extend(
            f"line {number}: known secret value"
            for secret in known_secrets
            if secret and secret in line
        )
    return findings
