"""Vendor the web workspace's front-end libraries from the npm registry, reproducibly.

    python -m dealbook.web.vendor            # download, verify, write static/vendor/
    python -m dealbook.web.vendor --check    # verify the files on disk match the pinned tarballs

Each library is pinned to one version. Its tarball is downloaded from the npm registry and
its SHA-512 is checked against the `dist.integrity` the registry publishes for that version
before any file is taken from it. Only the minified files the pages load and the licence
files are kept, under `static/vendor/<dir>/`; `static/vendor/VENDORED.md` lists them. No Node,
no build step: the files are served as they come from the package.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

# @alpinejs/csp publishes no licence file in its tarball; the package is MIT ("license" in its
# package.json) and this is the licence of its repository (alpinejs/alpine, LICENSE.md).
ALPINE_LICENSE = """\
# MIT License

Copyright © 2019-2021 Caleb Porzio and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


@dataclass(frozen=True)
class Library:
    """One npm package: which files of its tarball (`package/…`) go where under vendor/<dir>."""

    package: str
    version: str
    directory: str
    licence: str
    files: dict[str, str]  # path in the tarball (without "package/") → name in vendor/<dir>/
    extra_files: dict[str, str] = field(default_factory=dict)  # name → text, not in the tarball

    @property
    def tarball_name(self) -> str:
        return f"{self.package.rsplit('/', 1)[-1]}-{self.version}.tgz"


LIBRARIES = (
    Library(
        package="htmx.org",
        version="4.0.1",
        directory="htmx",
        licence="0BSD",
        files={"dist/htmx.min.js": "htmx.min.js", "LICENSE": "LICENSE"},
    ),
    Library(
        package="bootstrap",
        version="5.3.8",
        directory="bootstrap",
        licence="MIT",
        files={
            "dist/css/bootstrap.min.css": "bootstrap.min.css",
            "dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
            "LICENSE": "LICENSE",
        },
    ),
    Library(
        package="@alpinejs/csp",
        version="3.17.4",
        directory="alpinejs",
        licence="MIT",
        files={"dist/cdn.min.js": "alpine-csp.min.js"},
        extra_files={"LICENSE": ALPINE_LICENSE},
    ),
    Library(
        package="echarts",
        version="6.1.0",
        directory="echarts",
        licence="Apache-2.0",
        files={
            "dist/echarts.min.js": "echarts.min.js",
            "LICENSE": "LICENSE",
            "NOTICE": "NOTICE",
            "licenses/LICENSE-d3": "LICENSE-d3",
        },
    ),
    Library(
        package="sortablejs",
        version="1.15.7",
        directory="sortablejs",
        licence="MIT",
        files={"Sortable.min.js": "Sortable.min.js", "LICENSE": "LICENSE"},
    ),
)


class VendorError(Exception):
    pass


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise VendorError(f"refusing to download from outside the npm registry: {url}")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - https registry only
        return response.read()


def registry_dist(library: Library) -> dict:
    """The registry's `dist` record of the pinned version: tarball URL and integrity."""
    metadata = json.loads(_get(f"{REGISTRY}/{library.package}/{library.version}"))
    if metadata.get("version") != library.version:
        raise VendorError(f"{library.package}: the registry answered {metadata.get('version')}")
    return metadata["dist"]


def verified_tarball(library: Library) -> bytes:
    """The pinned tarball, after its SHA-512 matched the registry's `dist.integrity`."""
    dist = registry_dist(library)
    algorithm, _, expected = dist["integrity"].partition("-")
    if algorithm != "sha512":
        raise VendorError(f"{library.package}: unexpected integrity {dist['integrity']}")
    tarball = _get(dist["tarball"])
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise VendorError(f"{library.package}@{library.version}: SHA-512 mismatch")
    return tarball


def extract(library: Library, tarball: bytes) -> dict[str, bytes]:
    """vendor/<dir>/ file name → contents, from the tarball (and the extra files)."""
    wanted = {f"package/{source}": target for source, target in library.files.items()}
    contents: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.name in wanted and member.isfile():
                stream = archive.extractfile(member)
                assert stream is not None
                contents[wanted[member.name]] = stream.read()
    missing = sorted(set(wanted.values()) - set(contents))
    if missing:
        raise VendorError(f"{library.package}@{library.version}: missing {missing}")
    for name, text in library.extra_files.items():
        contents[name] = text.encode()
    return contents


def vendored_md(libraries: tuple[Library, ...] = LIBRARIES) -> str:
    lines = [
        "# Vendored front-end libraries",
        "",
        "Written by `python -m dealbook.web.vendor` (src/dealbook/web/vendor.py), which downloads",
        "each pinned tarball from the npm registry and checks its SHA-512 against the registry's",
        "`dist.integrity` first. Do not edit these files by hand: change the pin and re-run.",
        "",
        "| library | version | licence | files |",
        "|---|---|---|---|",
    ]
    for library in libraries:
        names = sorted({*library.files.values(), *library.extra_files})
        files = ", ".join(f"`{library.directory}/{name}`" for name in names)
        lines.append(f"| {library.package} | {library.version} | {library.licence} | {files} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare the files on disk, write nothing"
    )
    args = parser.parse_args(argv)
    differences: list[str] = []
    for library in LIBRARIES:
        contents = extract(library, verified_tarball(library))
        target = VENDOR_DIR / library.directory
        for name, data in sorted(contents.items()):
            path = target / name
            if args.check:
                if not path.exists() or path.read_bytes() != data:
                    differences.append(str(path.relative_to(VENDOR_DIR)))
            else:
                target.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        print(f"{library.package}@{library.version}: {len(contents)} files verified")
    index = VENDOR_DIR / "VENDORED.md"
    if args.check:
        if not index.exists() or index.read_text(encoding="utf-8") != vendored_md():
            differences.append("VENDORED.md")
        if differences:
            print("differ from the pinned packages: " + ", ".join(differences), file=sys.stderr)
            return 1
    else:
        index.write_text(vendored_md(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
