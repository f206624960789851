"""HTML checks of the accessibility pattern (issue 16) that need no browser: duplicate ids, fields
whose aria-describedby names an id missing from the page, invalid fields without their error, and
forms with fields the browser would validate in its own language (no ``novalidate``)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.described: list[tuple[str, str]] = []  # (element id, named id)
        self.invalid: list[tuple[str, str]] = []  # (element id, aria-describedby)
        self.forms: list[dict[str, str | None]] = []
        self._form: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        for named in (a.get("aria-describedby") or "").split():
            self.described.append((str(a.get("id") or tag), named))
        if a.get("aria-invalid") == "true":
            self.invalid.append((str(a.get("id") or tag), a.get("aria-describedby") or ""))
        if tag == "form":
            self._form = dict(a, _fields="")
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea"):
            if tag != "input" or (a.get("type") or "text") not in ("hidden", "submit", "button"):
                self._form["_fields"] = "yes"

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None

    handle_startendtag = handle_starttag


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def duplicate_ids(html: str) -> list[str]:
    return sorted(i for i, n in Counter(parse(html).ids).items() if n > 1)


def pattern_problems(html: str) -> list[str]:
    """Everything on the page that breaks the shared error pattern, as readable lines."""
    page = parse(html)
    ids = set(page.ids)
    problems = [f"id repetido: {i}" for i in duplicate_ids(html)]
    problems += [f"{el} → #{named} no existe" for el, named in page.described if named not in ids]
    problems += [
        f"{el} inválido sin su error"
        for el, described in page.invalid
        if f"{el}_error" not in described.split()
    ]
    problems += [
        f"formulario sin novalidate: {f.get('action') or '(esta página)'}"
        for f in page.forms
        if f["_fields"] and "novalidate" not in f
    ]
    return problems
