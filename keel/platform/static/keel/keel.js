/* Keel — small page behaviours, attached with addEventListener (the content security policy
   allows no inline scripts and no hx-on attributes). Everything works without this file. */
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-copy="#selector">: copy the value or text of the target element.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) return;
    var text = "value" in target ? target.value : target.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
    } else {
      selectText(target);
      try { document.execCommand("copy"); done(); } catch (e) { /* selected: the user can copy */ }
    }
  });

  function selectText(el) {
    if (typeof el.select === "function") { el.focus(); el.select(); }
  }

  // After an htmx swap, keep keyboard focus where the user expects it: in the first field of
  // an inline edit form, or back on the row's Edit button after saving or cancelling.
  var swappedRowId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    swappedRowId = target instanceof Element && target.matches("tr[id]") ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!swappedRowId) return;
    var row = document.getElementById(swappedRowId);
    swappedRowId = null;
    if (!row) return;
    if (row.classList.contains("row-editing")) {
      var field = row.querySelector("input:not([type=hidden]), select, textarea");
      if (field) field.focus();
    } else {
      var edit = row.querySelector(".row-actions a, .row-actions button");
      if (edit) edit.focus();
    }
  });
  // <input type="checkbox" data-select-all="NAME">: tick or untick every checkbox named NAME.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-select-all")) return;
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (el) {
      el.checked = box.checked;
    });
  });

  // <form data-evidence-kind>: show the file field for file evidence and the link field for a
  // link (both stay visible without this script; the server checks the kind either way).
  function syncEvidenceKind(form) {
    var chosen = form.querySelector("input[name=kind]:checked");
    if (!chosen) return;
    [["file", "#id_file"], ["link", "#id_url"]].forEach(function (pair) {
      var input = form.querySelector(pair[1]);
      var field = input ? input.closest(".field") : null;
      if (field) field.hidden = chosen.value !== pair[0];
    });
  }
  document.querySelectorAll("form[data-evidence-kind]").forEach(syncEvidenceKind);
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.name !== "kind") return;
    var form = input.closest("form[data-evidence-kind]");
    if (form) syncEvidenceKind(form);
  });
})();

// The menu toggle under 768 px: shows and hides the sidebar (without this script the toggle is
// a link to #site-nav, which the style sheet shows with :target).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element ? event.target.closest("[data-menu-toggle]") : null;
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) return;
    event.preventDefault();
    var open = !nav.classList.contains("is-open");
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = nav.querySelector("a");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var nav = document.querySelector(".sidebar.is-open");
    if (!nav) return;
    nav.classList.remove("is-open");
    var toggle = document.querySelector('[data-menu-toggle][aria-controls="' + nav.id + '"]');
    if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
  });
})();
