// The attendance register (issue 17): quoracy follows the marks as they change, before Save.
// Progressive enhancement: without this script the register saves and shows quoracy as before.
const form = document.querySelector("form[data-register]");
const panel = document.getElementById("quoracy-panel");

const ATTENDED = ["present", "remote", "deputy"];

function tidyRow(select) {
  // Switching away from "represented by a deputy" clears the deputy; someone who did not
  // attend neither arrived late nor left early.
  const prefix = select.name.slice(0, -"status".length);
  const deputy = form.elements[prefix + "deputy_name"];
  if (deputy && select.value !== "deputy") deputy.value = "";
  if (!ATTENDED.includes(select.value)) {
    for (const name of ["arrived_at_item_id", "left_at_item_id"]) {
      const field = form.elements[prefix + name];
      if (field) field.value = "";
    }
  }
}

let pending = null;
async function refresh() {
  const controller = new AbortController();
  if (pending) pending.abort();
  pending = controller;
  try {
    const response = await fetch(form.dataset.quoracyUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      signal: controller.signal,
    });
    if (response.ok) {
      panel.innerHTML = await response.text();
      panel.dataset.updated = String(Date.now());
    }
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  }
}

if (form && panel) {
  form.addEventListener("change", (event) => {
    if (event.target.name && event.target.name.endsWith("-status") &&
        event.target.name.startsWith("m")) {
      tidyRow(event.target);
    }
    refresh();
  });
  // A deputy's name counts once typed, not only when the field loses focus.
  let typing = null;
  form.addEventListener("input", (event) => {
    if (event.target.type !== "text") return;
    clearTimeout(typing);
    typing = setTimeout(refresh, 400);
  });
}
