"""Text normalisation shared by duplicate checks and search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"[\s\-_.,·•()\[\]（）【】「」'\"/&+]+")
_COMPANY_SUFFIXES = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "集团",
    "公司",
    " co ltd",
    " co., ltd.",
    " ltd",
    " inc",
    " llc",
    " gmbh",
    " corp",
    " corporation",
    " limited",
    " company",
)


def fold(value: str) -> str:
    """NFKC (full-width → half-width), case-folded, runs of spaces collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip().casefold()


def normalize_name(value: str) -> str:
    """A company or person name reduced to what identifies it: no legal suffix, no punctuation."""
    folded = fold(value)
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if folded.endswith(suffix) and len(folded) > len(suffix):
                folded = folded[: -len(suffix)].rstrip()
                changed = True
    return _PUNCT.sub("", folded)


def normalize_phone(value: str) -> str:
    """Digits only; a leading +86/0086 country code is dropped so local and intl forms match."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def normalize_email(value: str) -> str:
    return fold(value).replace(" ", "")
