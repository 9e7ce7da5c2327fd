// riskapp: start NHS.UK frontend (v10) from a static file, so no inline script is
// needed and a strict Content-Security-Policy (script-src 'self') works.
//
// Loaded as <script type="module">: only browsers that support ES modules run it,
// which is exactly the test NHS.UK frontend's template snippet makes before adding
// `nhsuk-frontend-supported` to <body>. Without that class the components stay in
// their no-JavaScript form (the page still works).
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// A table wider than the screen scrolls in its own box (.app-table-scroll). Keyboard users
// scroll it with the arrow keys once it has focus, so make a box that overflows a named,
// focusable region (WCAG 2.1.1; axe: scrollable-region-focusable); one that fits stays out
// of the tab order. Checked again whenever the box changes size (rotation, zoom).
function scrollBoxes() {
  const boxes = document.querySelectorAll(".app-table-scroll");
  const update = (box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      const caption = box.querySelector("caption");
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() + " " : "") +
                       "(table, scrolls sideways)");
    } else if (box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  };
  const observer = "ResizeObserver" in window ?
    new ResizeObserver((entries) => entries.forEach((e) => update(e.target))) : null;
  boxes.forEach((box) => { update(box); if (observer) observer.observe(box); });
}
scrollBoxes();
