"use strict";
// The console's behaviour, in a file of its own because the Content-Security-Policy allows
// no inline script: a live list refreshes itself and says when the server cannot be
// reached; the page warns before the idle sign-out; a note being typed is kept in the page
// (sessionStorage) until it is saved; the copy button copies the Session ID.
(function () {
  const REFRESH_S = 2;
  const LONGEST_WAIT_S = 30;
  const RECHECK_S = 15;
  const body = document.body;

  // What the server rendered, with its {placeholders} filled in; always as text.
  function fill(element, values) {
    let text = element.dataset.template;
    Object.keys(values).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    element.textContent = text;
  }

  // Signed out (by the idle time, in this tab or another): to sign-in, which says why,
  // and back here afterwards.
  function signInAgain() {
    const back = window.location.pathname + window.location.search;
    window.location.assign(body.dataset.signInUrl + "?next=" + encodeURIComponent(back));
  }

  // The element carrying data-refresh-url gets the server's fresh rendering every two
  // seconds (rendered and escaped by the server). While the server does not answer, a
  // banner says so in place of any "appear by themselves" hint (data-live-hint), and
  // the next attempts come later and later, up to LONGEST_WAIT_S apart.
  function liveList() {
    const target = document.querySelector("[data-refresh-url]");
    const banner = document.getElementById("unreachable");
    if (!target || !banner) {
      return;
    }
    const countdown = banner.querySelector("[data-template]");
    let failures = 0;
    const reachable = function (yes) {
      banner.hidden = yes;
      document.querySelectorAll("[data-live-hint]").forEach(function (hint) {
        hint.hidden = !yes;
      });
    };
    const retryIn = function (seconds) {
      fill(countdown, {s: String(seconds)});
      reachable(false);
      if (seconds <= 0) {
        refresh();
        return;
      }
      window.setTimeout(retryIn, 1000, seconds - 1);
    };
    const refresh = async function () {
      let answer = null;
      try {
        answer = await fetch(target.dataset.refreshUrl, {
          credentials: "same-origin",
          headers: {"X-Console-Refresh": "1"},
        });
      } catch (error) {
        answer = null;  // not reachable at all
      }
      if (answer && answer.status === 401) {
        signInAgain();
        return;
      }
      if (answer && answer.status < 500) {
        if (answer.ok) {
          target.innerHTML = await answer.text();
        }
        failures = 0;
        reachable(true);
        window.setTimeout(refresh, REFRESH_S * 1000);
        return;
      }
      failures += 1;
      retryIn(Math.min(REFRESH_S * 2 ** (failures - 1), LONGEST_WAIT_S));
    };
    window.setTimeout(refresh, REFRESH_S * 1000);
  }

  // Before the idle sign-out the page warns, with a button that renews the sign-in. The
  // server says how much time is left (another tab may have renewed it): asking does
  // not count as activity, the button does.
  function idleWarning() {
    const url = body.dataset.sessionUrl;
    const banner = document.getElementById("idle-warning");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!url || !banner || !token) {
      return;
    }
    const text = banner.querySelector("[data-template]");
    let timer = null;
    let ticker = null;
    const ask = async function (renew) {
      window.clearTimeout(timer);
      const options = renew
        ? {method: "POST", headers: {"X-CSRFToken": token.value}}
        : {headers: {"X-Console-Refresh": "1"}};
      try {
        const answer = await fetch(url, Object.assign({credentials: "same-origin"}, options));
        if (answer.status === 401) {
          signInAgain();
          return;
        }
        const state = await answer.json();
        plan(state.remaining_s, state.warn_s);
      } catch (error) {
        timer = window.setTimeout(ask, RECHECK_S * 1000, false);  // not reachable: later
      }
    };
    const show = function (ends) {
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      const seconds = String(left % 60).padStart(2, "0");
      fill(text, {time: Math.floor(left / 60) + ":" + seconds});
    };
    const plan = function (remaining, warn) {
      window.clearInterval(ticker);
      if (remaining > warn) {
        banner.hidden = true;
        timer = window.setTimeout(ask, (remaining - warn) * 1000, false);
        return;
      }
      const ends = Date.now() + remaining * 1000;
      show(ends);
      banner.hidden = false;
      ticker = window.setInterval(show, 1000, ends);
      timer = window.setTimeout(ask, Math.min(remaining + 1, RECHECK_S) * 1000, false);
    };
    banner.querySelector("[data-stay]").addEventListener("click", function () {
      ask(true);
    });
    ask(false);
  }

  // What is typed into a note is kept in this tab, by receipt, until the page says the
  // note was saved: a sign-out, a reload or a lost answer do not lose it.
  function noteDraft() {
    const field = document.querySelector("textarea[data-draft-key]");
    if (!field) {
      return;
    }
    const key = "console-note:" + field.dataset.draftKey;
    try {
      if (document.querySelector(".note-saved")) {
        window.sessionStorage.removeItem(key);
      }
      const kept = window.sessionStorage.getItem(key);
      if (kept && !field.value) {
        field.value = kept;
        document.querySelector("[data-draft-hint]").hidden = false;
      }
      field.addEventListener("input", function () {
        if (field.value) {
          window.sessionStorage.setItem(key, field.value);
        } else {
          window.sessionStorage.removeItem(key);
        }
      });
    } catch (error) {
      // No storage in this browser: the note is still sent, and kept by the server.
    }
  }

  function copyButtons() {
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
  }

  liveList();
  idleWarning();
  noteDraft();
  copyButtons();
})();
