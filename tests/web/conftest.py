from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client


@pytest.fixture
def client_as():
    """client_as(user) → a Django test client signed in as `user` (None: anonymous)."""

    def make(user=None, **defaults) -> Client:
        client = Client(**defaults)
        if user is not None:
            client.force_login(user)
        return client

    return make


def csrf_client(user) -> Client:
    """A test client signed in as `user` that, like a browser, must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def row_names(html: str, css_class: str) -> list[str]:
    """The text of the list page's cells of `css_class` (the rows' names), in order."""
    return re.findall(rf'class="{css_class}">([^<]*)<', html)


def owner_options(html: str) -> list[int]:
    """The user ids the owner filter offers, sorted."""
    select = html.split('name="owner"')[1].split("</select>")[0]
    return sorted(int(pk) for pk in re.findall(r'<option value="(\d+)"', select))


def assert_pages_of_25(client: Client, path: str, rows, names: list[str], **params) -> None:
    """A list of 30 rows shows 25 on the first page and 5 on the second, with links to the
    next and previous page. `rows` reads the row names of a page; `names` the 30 in order."""
    query = "".join(f"{key}={value}&amp;" for key, value in params.items())
    first = client.get(path, params).content.decode()
    assert rows(first) == names[:25]
    assert "1–25 of 30" in first
    assert f'href="?{query}page=2" rel="next"' in first
    second = client.get(path, {**params, "page": "2"}).content.decode()
    assert rows(second) == names[25:]
    assert "26–30 of 30" in second
    assert f'href="?{query}page=1" rel="prev"' in second
    assert 'rel="next"' not in second


def assert_list_queries(assert_num_queries, client: Client, path: str, queries: int, rows, shown):
    """One GET of a list page costs exactly `queries` queries and shows `shown` rows
    (`assert_num_queries` is pytest-django's django_assert_num_queries fixture)."""
    with assert_num_queries(queries):
        html = client.get(path).content.decode()
    assert len(rows(html)) == shown


def assert_strict(html: str) -> None:
    """Nothing in the page that the Content-Security-Policy would refuse."""
    page = parse_page(html)
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.style_elements == 0
    assert page.event_handler_attributes == []


class _ShellParser(HTMLParser):
    """Collects what the Content-Security-Policy would refuse, and the navigation entries."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements = 0
        self.event_handler_attributes: list[str] = []
        self.nav: list[tuple[str, str | None]] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._in_script_without_src = True
            self.inline_scripts.append("")
        if tag == "style":
            self.style_elements += 1
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name.startswith("on") or name.startswith("hx-on"):
                self.event_handler_attributes.append(f"<{tag} {name}>")
        if "data-nav" in names:
            self.nav.append((names["data-nav"], names.get("href")))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script_without_src = False

    def handle_data(self, data):
        if self._in_script_without_src:
            self.inline_scripts[-1] += data


def parse_page(html: str) -> _ShellParser:
    parser = _ShellParser()
    parser.feed(html)
    return parser


def parse_changes(html: str) -> dict:
    """The edits-since block's authors and rows, and the form's input values."""

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.edits, self.rows, self.inputs = [], [], {}
            self._row = None
            self._cell = None

        def handle_starttag(self, tag, attrs):
            names = dict(attrs)
            if "data-edit-by" in names:
                self.edits.append(names["data-edit-by"])
            if tag == "tr" and "changed-field" in (names.get("class") or ""):
                self._row = []
            if self._row is not None and tag in ("th", "td"):
                self._cell = ""
            if tag == "input" and names.get("name"):
                self.inputs[names["name"]] = names.get("value", "")

        def handle_data(self, data):
            if self._cell is not None:
                self._cell += data

        def handle_endtag(self, tag):
            if tag in ("th", "td") and self._cell is not None and self._row is not None:
                self._row.append(self._cell.strip())
                self._cell = None
            if tag == "tr" and self._row is not None:
                self.rows.append(self._row)
                self._row = None

    parser = Parser()
    parser.feed(html)
    return {"edits": parser.edits, "rows": parser.rows, "inputs": parser.inputs}
