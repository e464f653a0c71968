"""The body map's figure: one drawing of a person, front and back, for the form and the summary.

`{% body_figure %}` (in templates/intake/includes/body_figure.svg.html) writes it; the form's
figure is made clickable by static/js/body_map.js, the summary's is a picture. The geometry is
here, once, in the figure's own units (a view is 208 wide and 474 tall): each region a rounded
polygon, and each region the patient can choose on a view a "hit" rectangle around it. The hit
rectangles never overlap and are at least 40 units on each side, so that at the width the phone
stylesheet gives a view (250 CSS px, static/css/body_map.css) every target is at least 48 px
square: WCAG 2.5.5 asks for 44.

Left and right are the patient's own: on the front view the patient's left is on the viewer's
right, on the back view on the viewer's left. Paired regions are drawn once, on the viewer's
left, and mirrored.
"""

from dataclasses import dataclass
from functools import cache

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake.body_map import REGIONS, Laterality, Severity
from intake.widget_renderer import shown

register = template.Library()

#: The figure's width (x from 0 to WIDTH) and its axis of symmetry.
WIDTH = 240
CENTRE = WIDTH / 2

# --- Shapes, on the viewer's left -------------------------------------------------------------
# (the points of a polygon with rounded corners, see `rounded_polygon`; the hit rectangle
# x, y, width, height)

_PAIRED = {
    "shoulder": (
        ((86, 100, 2), (86, 134, 2), (55, 134, 3), (51, 117, 14), (64, 102, 12)),
        (44, 96, 42, 40),
    ),
    "upper_arm": (((55, 136), (86, 136), (77, 196), (48, 196)), (40, 136, 46, 62)),
    "forearm": (((48, 198), (77, 198), (66, 254), (40, 254)), (28, 198, 50, 60)),
    "hand": (
        ((40, 256), (66, 256), (68, 281, 10), (57, 302, 10), (38, 300, 10), (33, 280, 10)),
        (22, 258, 52, 48),
    ),
    "hip_thigh": (((84, 255), (118, 255), (116, 335), (90, 335)), (78, 254, 42, 82)),
    "knee": (((90, 337), (116, 337), (115, 373), (91, 373)), (78, 336, 42, 40)),
    "lower_leg": (((91, 375), (115, 375), (112, 431), (96, 431)), (78, 376, 42, 56)),
    "foot": (
        ((96, 433), (113, 433), (115, 446, 6), (114, 458, 6), (82, 458, 6), (86, 446, 8)),
        (70, 432, 50, 40),
    ),
}
_TORSO = (
    (88, 98, 14),
    (152, 98, 14),
    (157, 150, 8),
    (150, 198, 12),
    (158, 253),
    (82, 253),
    (90, 198, 12),
    (83, 150, 8),
)
_NECK = ((109, 52, 4), (131, 52, 4), (133, 82, 6), (146, 96, 3), (94, 96, 3), (107, 82, 6))
_MIDDLE = {
    "face": (None, (92, 2, 56, 56)),  # the head, an ellipse
    "neck": (_NECK, (92, 58, 56, 40)),  # on the front, under the face's box
    "chest_belly": (_TORSO, (86, 98, 68, 156)),
    # The only place chosen on the back: its box is wider than the torso, so that the small
    # back view a phone shows beside the front is still a big enough target.
    "back": (_TORSO, (64, 98, 112, 156)),
}
_HEAD = (
    "M 120 6 C 133 6 143 18 143 34 C 143 50 133 62 120 62 "
    "C 107 62 97 50 97 34 C 97 18 107 6 120 6 Z"
)
#: Small calm marks that tell the front (eyes, a mouth) from the back (the spine).
FACE_DETAIL = "M 111 31 L 111 32 M 129 31 L 129 32 M 113 46 Q 120 50 127 46"
SPINE_DETAIL = "M 120 104 L 120 244"


def _number(value: float) -> str:
    return f"{value:g}"


def rounded_polygon(points, radius: float = 3) -> str:
    """SVG path data for a polygon whose corners are rounded (a quadratic curve at each).

    A point is (x, y), rounded by `radius`, or (x, y, its own radius).
    """
    count = len(points)
    commands = []
    for index, (x, y, *own) in enumerate(points):
        corner = own[0] if own else radius
        before, after = points[index - 1], points[(index + 1) % count]
        ends = []
        for other in (before, after):
            dx, dy = other[0] - x, other[1] - y
            length = (dx * dx + dy * dy) ** 0.5
            share = min(corner, length / 2) / length
            ends.append((x + dx * share, y + dy * share))
        start, end = ends
        commands.append(
            f"{'M' if index == 0 else 'L'} {_number(start[0])} {_number(start[1])} "
            f"Q {_number(x)} {_number(y)} {_number(end[0])} {_number(end[1])}"
        )
    return " ".join(commands) + " Z"


def _mirrored(points):
    return tuple((WIDTH - x, *rest) for x, *rest in points)


def _mirrored_rect(rect):
    x, y, w, h = rect
    return (WIDTH - x - w, y, w, h)


@dataclass(frozen=True)
class Shape:
    code: str
    path: str
    hit: tuple[float, float, float, float]  # x, y, width, height
    interactive: bool  # a control on this view (otherwise drawn, for the picture only)
    chosen: bool
    severity: str  # "little", "quite_a_lot", "cannot_move", or "" (chosen, how weak not said)
    detail: str = ""  # marks drawn over the shape (eyes, the spine)

    @property
    def pattern(self) -> str:
        """The fill pattern's name: the severity, or "unsaid"."""
        return self.severity or "unsaid"


@dataclass(frozen=True)
class View:
    key: str  # "front" or "back"
    title: str
    viewer_left: str  # what the left edge of the drawing is: "Your right" on the front
    viewer_right: str
    shapes: tuple[Shape, ...]


@cache  # the same for every figure: worked out once per process
def _geometry(code: str, view: str):
    """(path, hit rectangle) of a region as drawn on `view`."""
    if code == "face":
        return _HEAD, _MIDDLE["face"][1]
    if code in _MIDDLE:
        points, hit = _MIDDLE[code]
        return rounded_polygon(points), hit
    side, part = code.split("_", 1)
    points, hit = _PAIRED[part]
    # The front shows the patient's left on the viewer's right; the back on the viewer's left.
    on_viewer_right = (side == Laterality.LEFT) == (view == "front")
    if on_viewer_right:
        points, hit = _mirrored(points), _mirrored_rect(hit)
    return rounded_polygon(points), hit


def _views(chosen: dict, interactive: bool) -> tuple[View, View]:
    chosen = chosen or {}

    def shape(code, view, control):
        path, hit = _geometry(code, view)
        detail = ""
        if code == "face":
            detail = FACE_DETAIL
        elif code == "back":
            detail = SPINE_DETAIL
        return Shape(
            code=code,
            path=path,
            hit=hit,
            interactive=interactive and control,
            chosen=code in chosen,
            severity=chosen.get(code) or "",
            detail=detail,
        )

    # The form speaks to the patient; the summary's picture is read by the doctor, for whom
    # "your right" would be their own.
    right, left = (
        (_("Your right"), _("Your left"))
        if interactive
        else (_("Patient's right"), _("Patient's left"))
    )
    views = []
    for key, title, viewer_left, viewer_right in (
        ("front", pgettext_lazy("view of the body", "Front"), right, left),
        ("back", pgettext_lazy("view of the body", "Back"), left, right),
    ):
        # Drawn first (underneath), for the picture only: on the back the back of the head (part
        # of no region), the neck and the limbs, whose controls are on the front.
        hidden_here = {"front": {"face", "back"}, "back": {"face", "chest_belly"}}[key]
        others = [
            shape(r.code, key, False)
            for r in REGIONS
            if r.view != key and r.code not in hidden_here
        ]
        if key == "back":
            others.insert(0, Shape("", _HEAD, (0, 0, 0, 0), False, False, ""))
        own = [shape(r.code, key, True) for r in REGIONS if r.view == key]
        views.append(View(key, title, viewer_left, viewer_right, (*others, *own)))
    return tuple(views)


_SWATCH = (
    '<svg class="body-figure__swatch" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"'
    ' width="24" height="24" focusable="false" aria-hidden="true">'
)
_PATTERNS = "intake/includes/body_figure_patterns.svg.html"


@register.simple_tag
def body_figure(chosen=None, interactive=False, prefix=""):
    """The whole figure: both views (their titles, sides, shading patterns and regions) and the
    legend. Written here rather than in template loops, which cost more than the rest of the
    symptoms page's template; the shading patterns are kept per prefix (`include_cached`)."""
    from atrophy_site.templatetags.site_chrome import include_cached

    views = _views(chosen, bool(interactive))
    own = shown(prefix)
    picture = _("Body map: the places the patient chose are shaded")  # not in an f-string: xgettext
    parts = [
        '\n<div class="body-figure',
        " body-figure--interactive" if interactive else "",
        '" data-body-figure',
        "" if interactive else f' role="img" aria-label="{shown(picture)}"',
        '>\n  <div class="body-figure__views">',
    ]
    for view in views:
        key = shown(view.key)
        labelled = (
            f' role="group" aria-labelledby="{own}-{key}-title"'
            if interactive
            else ' aria-hidden="true"'
        )
        parts.append(
            f'\n    <div class="body-figure__view body-figure__view--{key}">\n'
            f'      <p class="body-figure__title" id="{own}-{key}-title">{shown(view.title)}</p>\n'
            f'      <p class="body-figure__sides"><span>{shown(view.viewer_left)}</span>'
            f" <span>{shown(view.viewer_right)}</span></p>\n"
            '      <svg class="body-figure__svg" xmlns="http://www.w3.org/2000/svg"'
            ' viewBox="16 0 208 474" width="208" height="474" focusable="false"'
            f' data-pattern-prefix="{own}-{key}"{labelled}>\n'
            f"        <defs>{include_cached(_PATTERNS, pattern_prefix=f'{prefix}-{view.key}')}"
            "</defs>\n"
            f"        {body_figure_shapes(view, prefix, interactive)}\n"
            "      </svg>\n"
            "    </div>"
        )
    parts.append('\n  </div>\n  <ul class="body-figure__legend">')
    for pattern, words in body_figure_legend():
        swatch = include_cached(_PATTERNS, pattern_prefix=f"{prefix}-legend", only=pattern)
        parts.append(
            f"\n    <li>{_SWATCH}<defs>{swatch}</defs>"
            '<rect class="body-region__shape" x="1.5" y="1.5" width="21" height="21" rx="5"'
            f' fill="url(#{own}-legend-{shown(pattern)})" stroke="#0b0c0c" stroke-width="2"/>'
            f"</svg> <span>{shown(words)}</span></li>"
        )
    parts.append("\n  </ul>\n</div>")
    html = "".join(parts)
    return SafeString(html)  # nosec B703 # every value in it escaped (`shown`)


def body_figure_legend():
    """(pattern name, words) for the legend: how each strength is shaded."""
    return [
        *((severity.value, severity.label) for severity in Severity),
        ("unsaid", _("Chosen, how weak not said")),
    ]


def body_figure_shapes(view: View, prefix, interactive):
    """The regions of one view as SVG groups, each with its hit area (a control on the form),
    its shape (filled with its strength's pattern once chosen) and its marks. Written here
    rather than in a template loop: 38 shapes were a few hundred template lookups per figure."""
    prefix = shown(prefix)
    html = "".join(_shape_html(shape, view.key, prefix, interactive) for shape in view.shapes)
    return SafeString(html)  # nosec B703 # every value in it escaped (`shown`)


def _shape_html(shape: Shape, view_key: str, prefix: str, interactive) -> str:
    hit = _hit_area(shape.hit) if shape.interactive else ""
    fill = ' fill="#f3f2f1" stroke="#505a5f" stroke-width="2"'
    if shape.chosen:
        pattern = f"{prefix}-{shown(view_key)}-{shown(shape.pattern)}"
        fill = f' fill="url(#{pattern})" stroke="#0b0c0c" stroke-width="2.5"'
    detail = ""
    if shape.detail:
        detail = (
            f'<path class="body-region__detail" d="{shown(shape.detail)}" fill="none"'
            f' stroke="#505a5f" stroke-width="2.5" stroke-linecap="round"/>'
        )
    classes = (" body-region--control" if shape.interactive else "") + (
        " is-chosen" if shape.chosen else ""
    )
    region = f' data-region="{shown(shape.code)}"' if shape.code else ""
    hidden = ' aria-hidden="true"' if interactive and not shape.interactive else ""
    severity = shown(shape.severity)
    return (
        f'<g class="body-region{classes}"{region} data-severity="{severity}"{hidden}>\n'
        f"          {hit}\n"
        f'          <path class="body-region__shape" d="{shown(shape.path)}"{fill}'
        f' stroke-linejoin="round"/>\n'
        f"          {detail}\n"
        f"        </g>\n"
        f"        "
    )


@cache  # a region's hit area is the same on every figure
def _hit_area(hit: tuple) -> str:
    x, y, width, height = (shown(number) for number in hit)
    return (
        f'<rect class="body-region__hit" x="{x}" y="{y}" width="{width}" height="{height}"'
        f' rx="8" fill="transparent"/>'
    )
