// Progressive enhancement of the import page (the only script Kenpo ships): while an import
// runs, ask the API for its progress once a second, show the count, and reload the page when
// it has finished. Without JavaScript the page's own link shows the latest state.
'use strict';
(function () {
  const state = document.getElementById('import-state');
  const count = document.getElementById('receipts-read');
  if (!state || !count) return;
  const id = state.dataset.job;
  async function poll() {
    try {
      const r = await fetch('/api/v1/imports/' + encodeURIComponent(id), { credentials: 'same-origin' });
      if (r.ok) {
        const job = await r.json();
        count.textContent = String(job.receipts_read);
        if (job.state !== 'running') {
          window.location.reload();
          return;
        }
      }
    } catch (e) {
      // A dropped request is retried on the next tick.
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
