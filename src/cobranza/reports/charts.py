"""Charts as inline SVG (no JavaScript, no CDN; the same markup prints in the PDF).

Every label is escaped; money is shown as $1,234.56 and scaled on whole dollars."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cobranza.engine.money import fmt_usd

ACTUAL = "#0b3d91"
GOAL = "#f0ad4e"


def _short_usd(cents: int) -> str:
    dollars = cents // 100
    if dollars >= 1_000_000:
        return f"${dollars / 1_000_000:.1f} M".replace(".0 M", " M")
    if dollars >= 10_000:
        return f"${dollars // 1000:,} mil"
    return f"${dollars:,}"


def _size(width: int, height: int, fixed: bool) -> str:
    """Screens: as wide as the card (the viewBox keeps the proportions). Print (WeasyPrint): the
    drawing's own size in px, which it lays out without guessing a height."""
    return f'width="{width}" height="{height}"' if fixed else 'width="100%"'


def goal_bars(items: list[tuple[str, int, int | None]], *, title: str, fixed: bool = False) -> SafeString:
    """Horizontal bars: one per (label, actual cents, goal cents or None); the goal is an orange mark."""
    row, left, width, right = 30, 210, 760, 120
    height = 34 + row * max(len(items), 1)
    top = max([a for _, a, _ in items] + [g or 0 for _, _, g in items] + [1])
    scale = (width - left - right) / top
    parts = [
        f'<svg class="chart-svg" role="img" viewBox="0 0 {width} {height}" {_size(width, height, fixed)} '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="6" width="12" height="10" fill="{ACTUAL}"/>'
        f'<text x="{left + 16}" y="15" font-size="11">Logrado</text>'
        f'<rect x="{left + 90}" y="6" width="4" height="12" fill="{GOAL}"/>'
        f'<text x="{left + 98}" y="15" font-size="11">Meta</text>',
    ]
    if not items:
        parts.append(f'<text x="{left}" y="50" font-size="12" fill="#666">Sin datos en el período.</text>')
    for i, (label, actual, goal) in enumerate(items):
        y = 28 + i * row
        name = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(actual * scale, 0):.1f}" height="16" fill="{ACTUAL}">'
            f"<title>{escape(label)}: {fmt_usd(actual)}"
            + (f" de {fmt_usd(goal)}" if goal is not None else "")
            + "</title></rect>"
            f'<text x="{left + actual * scale + 6:.1f}" y="{y + 16}" font-size="11">{_short_usd(actual)}</text>'
        )
        if goal is not None:
            gx = left + goal * scale
            parts.append(f'<rect x="{gx - 2:.1f}" y="{y}" width="4" height="24" fill="{GOAL}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_bars(
    points: list[tuple[str, int, int | None]],
    *,
    title: str,
    fixed: bool = False,
    actual_label: str = "Recuperado",
    goal_label: str = "Meta",
) -> SafeString:
    """Vertical bars per month (label, recovered cents, goal cents or None), goal as an orange tick.
    `actual_label`/`goal_label` name the two series in the legend (the legal reports reuse it)."""
    width, height, left, bottom, top_pad = 760, 260, 70, 36, 24
    n = max(len(points), 1)
    slot = (width - left - 10) / n
    top = max([a for _, a, _ in points] + [g or 0 for _, _, g in points] + [1])
    scale = (height - bottom - top_pad) / top
    base = height - bottom
    parts = [
        f'<svg class="chart-svg" role="img" viewBox="0 0 {width} {height}" {_size(width, height, fixed)} '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" font-size="10" text-anchor="end">{_short_usd(top)}</text>',
        f'<text x="{left - 6}" y="{base}" font-size="10" text-anchor="end">$0</text>',
        f'<rect x="{left}" y="2" width="12" height="10" fill="{ACTUAL}"/>'
        f'<text x="{left + 16}" y="11" font-size="11">{escape(actual_label)}</text>'
        f'<rect x="{left + 30 + 7 * len(actual_label)}" y="5" width="14" height="4" fill="{GOAL}"/>'
        f'<text x="{left + 48 + 7 * len(actual_label)}" y="11" font-size="11">{escape(goal_label)}</text>',
    ]
    for i, (label, actual, goal) in enumerate(points):
        x = left + i * slot
        h = actual * scale
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{ACTUAL}"><title>{escape(label)}: {fmt_usd(actual)}'
            + (f" ({escape(goal_label.lower())} {fmt_usd(goal)})" if goal is not None else "")
            + "</title></rect>"
            f'<text x="{x + slot / 2:.1f}" y="{base + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
        if goal is not None:
            gy = base - goal * scale
            parts.append(
                f'<rect x="{x + slot * 0.05:.1f}" y="{gy - 2:.1f}" width="{slot * 0.9:.1f}" height="4" fill="{GOAL}"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
