// riskapp: a job's page follows its progress without reloading, and moves on the moment the
// job has finished (a small job: at once), instead of reloading every few seconds.
//
// It asks the job's progress address (JSON), soon at first and then less often (up to every
// 3 seconds), updating the bar and the words; when the job has finished it reloads the page,
// which then offers the result. Without JavaScript the page reloads itself (<noscript>).
// It stops after 30 minutes (a job that long has died with its worker), so a page left open
// does not keep its session from ending when idle.
const box = document.querySelector("[data-job-progress]");
if (box) {
  const bar = box.querySelector("progress");
  const step = box.querySelector("[data-job-step]");
  const percent = box.querySelector("[data-job-percent]");
  let delay = 200;
  const until = Date.now() + 30 * 60 * 1000;
  const follow = async () => {
    if (Date.now() > until) {
      step.textContent = "This is taking longer than it should. Reload the page to check again.";
      return;
    }
    try {
      const response = await fetch(box.dataset.jobProgress, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
        window.location.reload();  // signed out meanwhile: the page says so
        return;
      }
      if (response.ok) {
        const job = await response.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        bar.value = job.percent;
        bar.textContent = `${job.percent}%`;
        if (step.textContent !== job.step) step.textContent = job.step;
        percent.textContent = `${job.percent}% done.`;
      }
    } catch (error) {
      // Offline for a moment, or the server restarting: ask again later.
    }
    delay = Math.min(delay * 1.5, 3000);
    window.setTimeout(follow, delay);
  };
  window.setTimeout(follow, delay);
}
