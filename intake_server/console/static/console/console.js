"use strict";
// The queue refreshes itself every two seconds; the copy button copies the Session ID.
// A file of its own, because the Content-Security-Policy allows no inline script.
(function () {
  const rows = document.getElementById("queue-rows");
  if (rows && rows.dataset.refreshUrl) {
    const refresh = async function () {
      try {
        const answer = await fetch(rows.dataset.refreshUrl, {
          credentials: "same-origin",
          headers: {"X-Console-Refresh": "1"},
        });
        if (answer.status === 401) {
          window.location.reload();  // signed out: the page goes to sign-in
          return;
        }
        if (answer.ok) {
          rows.innerHTML = await answer.text();  // rendered and escaped by the server
        }
      } catch (error) {
        // The server is unreachable for a moment; the next round tries again.
      }
      window.setTimeout(refresh, 2000);
    };
    window.setTimeout(refresh, 2000);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = button.dataset.copied;
      } catch (error) {
        window.prompt("", button.dataset.copy);
      }
    });
  });
})();
