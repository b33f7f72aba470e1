"""The Simplified Chinese catalogue is complete, not fuzzy, compiled, and used by the API."""

from __future__ import annotations

import gettext
import json
from pathlib import Path

import pytest

import dealbook

LOCALE = Path(dealbook.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(po_text: str) -> list[dict]:
    """msgctxt / msgid / msgstr / flags of each entry of a .po file. A plural entry's
    msgstr is its only form (Chinese has one: msgstr[0]), with `plural` set."""
    entries = []
    for block in po_text.split("\n\n"):
        entry: dict = {"flags": set(), "msgctxt": None, "plural": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
                field, _, value = line.partition(" ")
                if field == "msgid_plural":
                    entry["plural"] = True
                field = {"msgstr[0]": "msgstr"}.get(field, field)
                entry[field] = json.loads(value)
            elif line.startswith('"') and field:
                entry[field] += json.loads(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 300
    assert [e["msgid"] for e in entries if not e.get("msgstr")] == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_compiled_catalogue_matches_the_source():
    entries = _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    expected = {}
    for e in entries:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]
        expected[(key, 0) if e["plural"] else key] = e["msgstr"]
    assert {key: catalog.get(key) for key in expected} == expected


@pytest.mark.django_db
def test_api_errors_follow_the_request_language(world, api_as):
    response = api_as(world["li.rep"]).get("accounts/999999", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到客户。"
    english = api_as(world["li.rep"]).get("accounts/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Account not found."
