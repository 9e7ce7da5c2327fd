"""Band colours: CSS class names and a readable text colour for each background."""
import re


def band_class(name: str) -> str:
    """`High` -> `app-band-high`; any character outside a-z0-9 becomes a hyphen."""
    return "app-band-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def text_colour_for(background: str) -> str:
    """Black or white, whichever contrasts more with `background` (#rrggbb), per WCAG."""
    value = background.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return "#212b32"

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value[i:i + 2]) for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white is 1.05/(L+0.05); with near-black #212b32 (L~0.022) is (L+0.05)/0.072.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.072 else "#212b32"
