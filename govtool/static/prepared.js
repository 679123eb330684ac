// govtool: "Prepared files" updates its list while files are being prepared: every few seconds it
// reads the page again, replaces the list and the one-line status (a polite live region, so screen
// readers hear "ready" without the whole table read out), and stops once nothing waits. Without
// JavaScript the "Refresh now" link does the same.
document.addEventListener("DOMContentLoaded", () => {
  const poll = () => {
    const region = document.getElementById("prepared-files");
    if (!region || !region.dataset.poll) {
      return;
    }
    window.setTimeout(async () => {
      try {
        const response = await fetch(window.location.href, { credentials: "same-origin" });
        if (!response.ok) {
          return;
        }
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("prepared-files");
        if (!fresh) {
          return;
        }
        if (fresh.innerHTML !== region.innerHTML) {
          region.innerHTML = fresh.innerHTML;
        }
        const status = document.getElementById("prepared-status");
        const freshStatus = page.getElementById("prepared-status");
        if (status && freshStatus && status.textContent !== freshStatus.textContent) {
          status.textContent = freshStatus.textContent;
        }
        if (fresh.dataset.poll) {
          region.dataset.poll = fresh.dataset.poll;
        } else {
          delete region.dataset.poll;
        }
        poll();
      } catch (error) {
        // offline for a moment: the "Refresh now" link still works
      }
    }, Number(region.dataset.poll));
  };
  poll();
});
