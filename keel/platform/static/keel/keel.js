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
    document.querySelectorAll('[data-menu-toggle][aria-controls="' + nav.id + '"]').forEach(function (t) {
      t.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = nav.querySelector(".sidenav a");
      if (first) first.focus();
    } else {
      var opener = document.querySelector(".menu-toggle[data-menu-toggle]");
      if (opener) opener.focus();
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

// <form data-busy="Message">: after submitting, the button is disabled and the message shown
// (long work such as adopting many templates); the server answers with the result.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy") || event.defaultPrevented) return;
    var note = form.querySelector(".busy-note");
    if (note) note.textContent = form.getAttribute("data-busy");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();

// Pickers (keel.platform.forms.picker_attrs and SELECT_PICKER). One behaviour for two kinds of
// field, both still plain fields without this script:
// - <input data-picker="KIND" data-picker-url="/pick/KIND/">: as the person types (a bare id, a
//   key or words) the matches come from the server; choosing one writes its key into the field
//   (appended after a comma when data-picker-multiple).
// - <select data-picker="select"> (single or multiple): a search box over its own options;
//   for a multiple select the chosen options show as removable chips.
// Keyboard: arrow keys move, Enter chooses, Escape closes (the ARIA combobox pattern).
(function () {
  "use strict";
  var counter = 0;

  // The list opens right under its field: both sit in a positioned wrapper.
  function makeList(anchor) {
    var wrap = document.createElement("span");
    wrap.className = "picker-anchor";
    anchor.insertAdjacentElement("beforebegin", wrap);
    wrap.appendChild(anchor);
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.id = "picker-list-" + (++counter);
    list.hidden = true;
    wrap.appendChild(list);
    return list;
  }

  function combobox(input, list, search, choose) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1;
    var timer = null;
    function items() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var all = items();
      if (!all.length) return;
      active = (i + all.length) % all.length;
      all.forEach(function (el, n) { el.setAttribute("aria-selected", n === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function show(options, emptyText) {
      list.innerHTML = "";
      options.forEach(function (o, n) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + n;
        li.setAttribute("data-value", o.value);
        li.textContent = o.label;
        if (o.hint && o.hint !== o.value && o.hint !== o.label) {
          var hint = document.createElement("span");
          hint.className = "muted small";
          hint.textContent = " " + o.hint;
          li.appendChild(hint);
        }
        list.appendChild(li);
      });
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "picker-empty";
        none.textContent = emptyText;
        list.appendChild(none);
      }
      list.hidden = false; active = -1;
      input.setAttribute("aria-expanded", "true");
    }
    function pick(li) {
      if (!li) return;
      choose(li.getAttribute("data-value"), li.firstChild ? li.firstChild.textContent : "");
      close();
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(show); }, 180);
    });
    input.addEventListener("focus", function () { if (input.hasAttribute("data-picker-open-on-focus")) search(show); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) { search(show); } else { highlight(active + 1); } }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); pick(items()[active]); }
      else if (event.key === "Escape" && !list.hidden) { event.preventDefault(); close(); }
    });
    list.addEventListener("mousedown", function (event) {
      var li = event.target instanceof Element ? event.target.closest("[role=option]") : null;
      if (li) { event.preventDefault(); pick(li); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 120); });
  }

  function currentTerm(input, multiple) {
    if (!multiple) return input.value.trim();
    var parts = input.value.split(",");
    return parts[parts.length - 1].trim();
  }

  function remote(input) {
    var multiple = input.getAttribute("data-picker-multiple") === "true";
    var list = makeList(input);
    combobox(input, list, function (show) {
      var term = currentTerm(input, multiple);
      var url = input.getAttribute("data-picker-url") + "?q=" + encodeURIComponent(term);
      var std = input.getAttribute("data-picker-standard");
      if (std) url += "&standard=" + encodeURIComponent(std);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { show(data.results || [], "Nothing matches “" + term + "”."); })
        .catch(function () { /* the field still takes a typed key */ });
    }, function (value) {
      if (multiple) {
        var parts = input.value.split(",").map(function (p) { return p.trim(); });
        parts[parts.length - 1] = value;
        var seen = {};
        input.value = parts.filter(function (p) { if (!p || seen[p]) return false; seen[p] = true; return true; }).join(", ") + ", ";
      } else {
        input.value = value;
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // A select searched in place. Multiple: a search box that adds chips. Single: the search box
  // stands in for the select (hidden, still the field the form sends): it shows the chosen
  // option, offers every option (the empty one too: "No owner yet", "Anyone") when opened, and
  // goes back to the chosen one when left without choosing.
  function local(select) {
    var multiple = select.multiple;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("data-picker-open-on-focus", "");
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    box.setAttribute("aria-label", (label ? label.textContent.trim() : "Choose") + ": type to search");
    var chips = null;
    var blank = Array.prototype.slice.call(select.options).filter(function (o) { return o.value === ""; })[0];
    if (multiple) {
      box.placeholder = "Type to add…";
      chips = document.createElement("div");
      chips.className = "picker-chips";
      select.insertAdjacentElement("beforebegin", chips);
    } else {
      box.placeholder = blank ? blank.textContent.trim() : "Type to search…";
      if (select.id) { box.id = select.id + "-picker"; if (label) label.htmlFor = box.id; }
      // the browser's "fill this in" must land on what the person sees
      if (select.required) { box.required = true; select.required = false; }
      if (select.disabled) box.disabled = true;
      select.classList.add("picker-select");
    }
    select.hidden = true;
    select.insertAdjacentElement("beforebegin", box);
    var list = makeList(box);
    function options() { return Array.prototype.slice.call(select.options).filter(function (o) { return o.value !== ""; }); }
    function chosenText() {
      var o = select.options[select.selectedIndex];
      return o && o.value !== "" ? o.textContent.trim() : "";
    }
    function drawChips() {
      if (!chips) return;
      chips.innerHTML = "";
      options().filter(function (o) { return o.selected; }).forEach(function (o) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.textContent = o.textContent;
        var x = document.createElement("button");
        x.type = "button";
        x.className = "chip-remove";
        x.setAttribute("aria-label", "Remove " + o.textContent);
        x.textContent = "×";
        x.addEventListener("click", function () { o.selected = false; drawChips(); box.focus(); });
        chip.appendChild(x);
        chips.appendChild(chip);
      });
    }
    drawChips();
    if (!multiple) box.value = chosenText();
    combobox(box, list, function (show) {
      // the chosen option's own text (the box as it was drawn) searches for nothing: all options
      var typed = !multiple && box.value === chosenText() ? "" : box.value;
      var words = typed.toLowerCase().split(/\s+/).filter(Boolean);
      var found = options().filter(function (o) {
        if (multiple && o.selected) return false;
        var text = (o.textContent + " " + o.value).toLowerCase();
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      }).slice(0, 50).map(function (o) { return { value: o.value, label: o.textContent, hint: "" }; });
      if (!multiple && blank && !words.length) found.unshift({ value: "", label: blank.textContent, hint: "" });
      show(found, "Nothing matches “" + typed + "”.");
    }, function (value) {
      if (multiple) {
        options().forEach(function (o) { if (o.value === value) o.selected = true; });
        box.value = ""; drawChips();
      } else {
        select.value = value;
        box.value = chosenText();
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    if (!multiple) {
      box.addEventListener("focus", function () { box.select(); });
      box.addEventListener("blur", function () {
        window.setTimeout(function () { if (document.activeElement !== box) box.value = chosenText(); }, 150);
      });
      select.addEventListener("change", function () { if (document.activeElement !== box) box.value = chosenText(); });
    }
  }

  function init(root) {
    root.querySelectorAll("input[data-picker]:not([data-picker-ready])").forEach(function (el) {
      el.setAttribute("data-picker-ready", ""); remote(el);
    });
    root.querySelectorAll("select[data-picker]:not([data-picker-ready])").forEach(function (el) {
      el.setAttribute("data-picker-ready", ""); local(el);
    });
  }
  init(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target instanceof Element) init(event.target);
  });
})();
