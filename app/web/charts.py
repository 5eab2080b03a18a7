"""Small line charts drawn on the server as inline SVG: no JavaScript, no CDN.

Accessible by construction: the SVG is ``role="img"`` with a title and a description
that states the first, last, lowest and highest figures in words, every point has its
own ``<title>`` (a tooltip and a label for screen readers that read them), and the page
puts the same figures in a table beside it. A missing figure is a gap in the line,
never a zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 30
LINE_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 on white
AXIS_COLOUR = "#505a5f"
FONT = 'font-family="Arial, sans-serif" font-size="11" fill="#0b0c0c"'


@dataclass(frozen=True)
class Point:
    label: str  # the period, e.g. "2015/16 Q4"
    value: float | None
    text: str  # the figure as shown, e.g. "3.53" or "not available"


def _scale(points: list[Point]) -> tuple[float, float]:
    values = [p.value for p in points if p.value is not None]
    low, high = min(values), max(values)
    if low == high:  # a flat line sits in the middle
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.1
    return (0.0 if low >= 0 and low - pad < 0 else low - pad), high + pad


def _describe(title: str, points: list[Point]) -> str:
    shown = [p for p in points if p.value is not None]
    if not shown:
        return f"{title}: no figures yet."
    lowest = min(shown, key=lambda p: p.value)
    highest = max(shown, key=lambda p: p.value)
    missing = len(points) - len(shown)
    parts = [f"{len(shown)} figures from {shown[0].label} ({shown[0].text}) to {shown[-1].label} ({shown[-1].text})",
             f"lowest {lowest.text} in {lowest.label}", f"highest {highest.text} in {highest.label}"]
    if missing:
        parts.append(f"{missing} period{'s' if missing > 1 else ''} without a figure")
    return "; ".join(parts) + "."


def line_chart(chart_id: str, title: str, points: list[Point]) -> Markup:
    """An inline SVG line chart of ``points`` (oldest first); ``chart_id`` must be unique
    on the page (it names the title and description for ``aria-labelledby``)."""
    description = _describe(title, points)
    head = (
        f'<svg class="app-chart" role="img" focusable="false" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    values = [p.value for p in points if p.value is not None]
    if not values:
        return Markup(
            head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" {FONT}>No figures yet</text></svg>'
        )
    low, high = _scale(points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (i * step if len(points) > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h - (v - low) / (high - low) * plot_h, 1)

    parts = [head,
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="{AXIS_COLOUR}"/>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="{AXIS_COLOUR}"/>']
    shown = [p for p in points if p.value is not None]
    for point in {min(shown, key=lambda p: p.value).value: min(shown, key=lambda p: p.value),
                  max(shown, key=lambda p: p.value).value: max(shown, key=lambda p: p.value)}.values():
        # The lowest and highest figures label the axis, as written in the table.
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(point.value) + 4}" text-anchor="end" {FONT}>{escape(_tick(point.text))}</text>'
        )
        parts.append(
            f'<line x1="{LEFT - 2}" y1="{y(point.value)}" x2="{LEFT + plot_w}" y2="{y(point.value)}" '
            'stroke="#b1b4b6" stroke-dasharray="2,3"/>'
        )
    for i in sorted({0, len(points) - 1}):
        anchor = "start" if i == 0 and len(points) > 1 else ("end" if len(points) > 1 else "middle")
        parts.append(
            f'<text x="{x(i)}" y="{HEIGHT - 10}" text-anchor="{anchor}" {FONT}>{escape(points[i].label)}</text>'
        )
    segment: list[str] = []
    segments = []
    for i, point in enumerate(points):  # a missing figure breaks the line
        if point.value is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i)},{y(point.value)}")
    segments.append(segment)
    for run in segments:
        if len(run) > 1:
            parts.append(f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" points="{" ".join(run)}"/>')
    for i, point in enumerate(points):
        if point.value is not None:
            parts.append(f'<circle cx="{x(i)}" cy="{y(point.value)}" r="3.5" fill="{LINE_COLOUR}">'
                         f'<title>{escape(point.label)}: {escape(point.text)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick(text: str) -> str:
    """An axis label: the figure without its flag ("1,400 (estimate)" → "1,400")."""
    return text.split(" (")[0]
