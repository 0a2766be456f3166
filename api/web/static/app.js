// Partage pages: small progressive enhancements; every page works without this file.
"use strict";

(function () {
  // Forms asking to confirm first (cancelling a need, revoking a feed).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  // Copy a read-only field (the calendar feed URL) to the clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else {
        done();
      }
    });
  });

  // The need form: the quota fields only matter for a quota need.
  document.querySelectorAll("form[data-need-form]").forEach(function (form) {
    var quota = form.querySelector("[data-quota]");
    var sync = function () {
      var checked = form.querySelector("input[name=kind]:checked");
      if (quota) quota.hidden = !(checked && checked.value === "quota");
    };
    form.querySelectorAll("[data-kind-toggle]").forEach(function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  });

  // A form sent back with errors: take the reader to the list of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // The coverage grid: follow the planning of the week; show a new version when it lands.
  var box = document.getElementById("planning");
  if (!box) return;
  var shown = box.dataset.latest;
  var render = function (state) {
    box.querySelectorAll("[data-when]").forEach(function (el) {
      el.hidden = el.dataset.when !== state.status;
    });
    var busy = state.status === "queued" || state.status === "solving";
    var bar = box.querySelector(".solving-bar");
    if (bar) bar.hidden = !busy;
    var text = box.querySelector(".progress-text");
    var p = state.progress || {};
    if (text) {
      text.textContent = state.status === "solving" && p.solutions !== undefined
        ? box.dataset.progressTemplate
            .replace("{solutions}", String(p.solutions))
            .replace("{seconds}", String(p.seconds))
        : "";
    }
    var error = box.querySelector("[data-error]");
    if (error) {
      error.hidden = !state.error;
      error.textContent = state.error || "";
    }
    box.dataset.status = state.status;
    return busy;
  };
  var poll = function () {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) throw new Error("signed out");
        return response.json();
      })
      .then(function (state) {
        var busy = render(state);
        var latest = state.latest === null ? "" : String(state.latest);
        if (!busy && latest !== shown) {
          // A new version landed: show it (the page is read-only apart from its buttons).
          var note = box.querySelector("[data-new-version]");
          if (note) note.hidden = false;
          window.location.reload();
          return;
        }
        window.setTimeout(poll, busy ? 1000 : 4000);
      })
      .catch(function () { window.setTimeout(poll, 10000); }); // offline: look again later
  };
  window.setTimeout(poll, 500);
})();
