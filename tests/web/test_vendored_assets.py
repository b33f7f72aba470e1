"""The vendored front-end libraries: each pinned file is there with its licence, listed in
VENDORED.md as vendor.py writes it, and every static file the shell loads exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dealbook.web
from dealbook.web import vendor

STATIC = Path(dealbook.web.__file__).parent / "static"
TEMPLATES = Path(dealbook.web.__file__).parent / "templates"


@pytest.mark.parametrize("library", vendor.LIBRARIES, ids=lambda library: library.package)
def test_each_library_is_vendored_with_its_licence(library):
    directory = vendor.VENDOR_DIR / library.directory
    names = {*library.files.values(), *library.extra_files}
    assert "LICENSE" in names
    for name in names:
        assert (directory / name).stat().st_size > 0, name
    assert {path.name for path in directory.iterdir()} == names


def test_vendored_md_is_what_the_script_writes():
    assert (vendor.VENDOR_DIR / "VENDORED.md").read_text(encoding="utf-8") == vendor.vendored_md()


def test_the_pins():
    assert {library.package: library.version for library in vendor.LIBRARIES} == {
        "htmx.org": "4.0.1",
        "bootstrap": "5.3.8",
        "@alpinejs/csp": "3.17.4",
        "echarts": "6.1.0",
        "sortablejs": "1.15.7",
    }


def test_every_static_file_a_template_loads_exists():
    referenced = set()
    for template in TEMPLATES.rglob("*.html"):
        referenced |= set(re.findall(r"{% static '([^']+)' %}", template.read_text()))
    assert referenced  # the shell loads Bootstrap, htmx and its own script and style sheet
    for name in referenced:
        assert (STATIC / name).is_file(), name


def test_the_script_refuses_to_download_from_elsewhere():
    with pytest.raises(vendor.VendorError):
        vendor._get("https://example.com/htmx.tgz")


def test_a_tarball_whose_hash_differs_is_refused(monkeypatch):
    library = vendor.LIBRARIES[0]
    monkeypatch.setattr(
        vendor,
        "registry_dist",
        lambda library: {"integrity": "sha512-AAAA", "tarball": f"{vendor.REGISTRY}/x.tgz"},
    )
    monkeypatch.setattr(vendor, "_get", lambda url: b"not the tarball")
    with pytest.raises(vendor.VendorError, match="SHA-512 mismatch"):
        vendor.verified_tarball(library)
