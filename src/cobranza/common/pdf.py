"""HTML → PDF for every document of the project (WeasyPrint), measured in issue 15 item 7.

What the time of a PDF is made of (statement of 60 periods, 6 pages; `bench/bench_pages.py`,
figures in bench/README.md): laying out the lines table (~75 %: WeasyPrint builds, styles and
measures one box per cell, 18 × 60 of them), and embedding the fonts. Without the system library
`libharfbuzz-subset0` WeasyPrint subsets each embedded font with fontTools, which since fontTools
4.6x decompiles the whole GSUB/GPOS tables of every DejaVu face first (~1/4 of the time); with it,
HarfBuzz subsets in C. `harfbuzz_subset_available()` says which one this machine uses (the bench
prints it).

Measured and not kept: a module-level `FontConfiguration` shared by every document (no gain: no
`@font-face` is used, Pango caches the system fonts per process anyway) and pre-parsed `CSS`
objects (the templates' own `<style>` is parsed in a few milliseconds; the cascade, not the
parsing, costs).
"""

from __future__ import annotations

from functools import cache


@cache
def harfbuzz_subset_available() -> bool:
    """True when WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset0) instead of fontTools."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except (ImportError, OSError):
        return False
    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def html_to_pdf(html: str) -> bytes:
    """The PDF of a rendered template (WeasyPrint is imported here: loading Pango costs time and
    only PDFs need it)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
