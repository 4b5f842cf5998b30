"""Chart files never overlap and never run off: each chart, laid out for print, slides and
social media in English and Kazakh (longer words), is rendered to SVG by the server's Chromium
(kaleido) and measured in a browser. Every piece of text stays on the page, and the title,
subtitle, legend, axis labels, tick labels, colour bar and source line do not touch each other.
"""

import base64

import plotly.graph_objects as go
import pytest
from django.utils import translation

from reports import charts
from reports.briefings.figures import press_figure
from reports.charts import rendering
from reports.charts.style import FONT_DIR
from tests.reports.charts.test_charts import assessment, finding

pytestmark = pytest.mark.e2e

REGIONS = [
    ("R01", "North Kazakhstan Region"),
    ("R02", "Almaty"),
    ("R03", "West Kazakhstan Region"),
    ("R04", "Shymkent"),
]
SNAPSHOT = {
    "mission": {"name": "Test mission", "timezone": "Asia/Almaty"},
    "key_figures": {"visits": 1234},
    "as_of": "2022-11-20T21:05:00+06:00",
}
# Each text element's group: two groups may not overlap; within one (tick labels of one axis,
# the lines of one legend) the browser lays them out itself.
GROUPS = """
(() => {
  const groups = [
    ['title', '.g-gtitle text'], ['annotation', '.annotation-text'],
    ['xtick', '.xtick text'], ['ytick', '.ytick text'], ['xtitle', '.g-xtitle text'],
    ['ytitle', '.g-ytitle text'], ['legend', '.legendtext'], ['colorbar', '.colorbar text'],
  ];
  const out = [];
  for (const [name, selector] of groups) {
    document.querySelectorAll(selector).forEach((node, index) => {
      const r = node.getBoundingClientRect();
      if (!node.textContent.trim() || r.width === 0) return;
      // Each annotation is a group of its own (subtitle, notes, source line).
      const group = name === 'annotation' ? `annotation-${index}` : name;
      out.push({group, text: node.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
    });
  }
  const svg = document.querySelector('svg').getBoundingClientRect();
  return {boxes: out, width: svg.width, height: svg.height};
})()
"""


def figures():
    assessments = [
        assessment("ALL", "ALL", stage, 10, 42, 30, 18) for stage in ("OPENING", "VOTING")
    ]
    findings = [
        finding(code, name, category, "SERIOUS", 3)
        for code, name in REGIONS
        for category in ("UNAUTHORIZED_PERSONS", "PRESSURE_ON_VOTERS", "OBSERVER_RESTRICTED")
    ]
    return {
        "assessments": {"rows": assessments, "by": "stage"},
        "findings_heatmap": {"rows": findings},
        "findings_by_category": {"rows": findings},
    }


def font_faces() -> str:
    """The vendored fonts as @font-face rules: the page measures the SVG in the font the
    server drew it with, as the site's pages do (static/css/press.css)."""
    rules = []
    for file, weight in (("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700)):
        data = base64.b64encode((FONT_DIR / file).read_bytes()).decode()
        rules.append(
            f"@font-face {{ font-family: 'Noto Sans'; font-weight: {weight}; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    return "\n".join(rules)


def overlaps(a, b, slack=1.0):
    return (
        a["x0"] + slack < b["x1"]
        and b["x0"] + slack < a["x1"]
        and a["y0"] + slack < b["y1"]
        and b["y0"] + slack < a["y1"]
    )


@pytest.mark.parametrize("size", ["print", "slide", "social", "web"])
@pytest.mark.parametrize("language", ["en", "kk"])
def test_no_text_overlaps_or_runs_off(browser, size, language):
    if not rendering.chromium_available():
        pytest.skip("Chromium is not installed")
    page = browser.new_page()
    faces = font_faces()
    for name, arguments in figures().items():
        with translation.override(language):
            title = str(charts.CHARTS[name].title)
            figure = press_figure(
                name=name, arguments=arguments, snapshot=SNAPSHOT, size=size, title=title
            )
        svg = rendering.figure_render(figure=go.Figure(figure), fmt="svg").decode()

        page.set_content(f"<style>{faces}</style><body style='margin:0'>{svg}</body>")
        page.evaluate("document.fonts.ready")
        measured = page.evaluate(GROUPS)

        boxes = measured["boxes"]
        assert any(b["group"] == "title" for b in boxes), name
        assert any("Test mission" in b["text"] for b in boxes), f"{name}: no source line"
        for box in boxes:
            assert box["x0"] >= 0 and box["y0"] >= 0, f"{name} {size}: {box} runs off"
            assert box["x1"] <= measured["width"] and box["y1"] <= measured["height"], (
                f"{name} {size}: {box} runs off"
            )
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                if a["group"] != b["group"]:
                    assert not overlaps(a, b), f"{name} {size} {language}: {a} overlaps {b}"
    page.close()
