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
