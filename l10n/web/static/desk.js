// l10n review desk: small conveniences on top of plain HTML forms.
// Everything works without this file; it only adds in-place editing, placeholder
// insertion, pair highlighting and keyboard shortcuts.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function editorOf(id) { return document.getElementById("edit-" + id); }

  function openEditor(id) {
    var form = editorOf(id);
    if (!form) return;
    form.hidden = false;
    var link = document.querySelector('[data-edit="' + id + '"]');
    if (link) link.hidden = true;
    var area = form.querySelector("textarea");
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function closeEditor(id) {
    var form = editorOf(id);
    var link = document.querySelector('[data-edit="' + id + '"]');
    if (!form || !link) return false;  // untranslated entries keep their editor open
    var area = form.querySelector("textarea");
    area.value = area.defaultValue;
    form.hidden = true;
    link.hidden = false;
    link.focus();
    return true;
  }

  function insert(area, code) {
    var start = area.selectionStart, end = area.selectionEnd;
    var value = area.value, caret;
    var pair = code.match(/^(<[a-z-]+\d+>)(<\/[a-z-]+\d+>)$/);
    if (pair) {
      // An opening and closing placeholder go around the selection.
      var inner = value.slice(start, end);
      area.value = value.slice(0, start) + pair[1] + inner + pair[2] + value.slice(end);
      caret = start + pair[1].length + inner.length;
    } else {
      area.value = value.slice(0, start) + code + value.slice(end);
      caret = start + code.length;
    }
    area.focus();
    area.setSelectionRange(caret, caret);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-edit], [data-cancel], .ph-insert");
    if (!target) return;
    if (target.dataset.edit) {
      event.preventDefault();
      openEditor(target.dataset.edit);
    } else if (target.dataset.cancel) {
      if (closeEditor(target.dataset.cancel)) event.preventDefault();
    } else {
      insert(target.closest("form").querySelector("textarea"), target.dataset.insert);
    }
  });

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (el.tagName === "TEXTAREA") {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        el.form.requestSubmit();
      } else if (event.key === "Escape") {
        var entry = el.closest(".entry");
        if (entry && closeEditor(entry.dataset.entry)) event.preventDefault();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (el.tagName === "INPUT" || el.tagName === "SELECT") return;
    var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
    if (!entries.length) return;
    var current = document.querySelector(".entry.is-current") || el.closest(".entry");
    var index = entries.indexOf(current);
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      var next = entries[Math.max(0, Math.min(entries.length - 1,
        index < 0 ? 0 : index + (event.key === "j" ? 1 : -1)))];
      entries.forEach(function (e) { e.classList.remove("is-current"); });
      next.classList.add("is-current");
      next.focus({preventScroll: true});
      next.scrollIntoView({block: "center", behavior: "smooth"});
      return;
    }
    if (!current) return;
    var button;
    if (event.key === "a") {
      button = current.querySelector('[data-key="a"]');
      if (button) { event.preventDefault(); button.click(); }
    } else if (event.key === "e") {
      event.preventDefault();
      if (!current.querySelector(".editor").hidden) {
        current.querySelector("textarea").focus();
      } else {
        openEditor(current.dataset.entry);
      }
    } else if (event.key === "r") {
      // Rejecting throws a draft away: the key only moves to the button; Enter confirms.
      button = current.querySelector('[data-key="r"]');
      if (button) { event.preventDefault(); button.focus(); }
    }
  });

  // One save per click: a second submit of a form on its way is dropped.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.busy) { event.preventDefault(); return; }
    form.dataset.busy = "1";
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(function (f) { delete f.dataset.busy; });
  });

  // The entry being worked on is the current one for the keys.
  document.addEventListener("focusin", function (event) {
    var entry = event.target.closest && event.target.closest(".entry");
    if (!entry) return;
    document.querySelectorAll(".entry.is-current").forEach(function (e) {
      if (e !== entry) e.classList.remove("is-current");
    });
    entry.classList.add("is-current");
  });

  // Hovering a placeholder chip outlines its partner (the opening or closing one).
  function pair(event, on) {
    var chip = event.target.closest && event.target.closest(".ph");
    if (!chip) return;
    var scope = chip.closest(".text, .changed") || document;
    scope.querySelectorAll('.ph[data-ph="' + chip.dataset.ph + '"]').forEach(function (c) {
      c.classList.toggle("is-pair", on);
    });
  }
  document.addEventListener("mouseover", function (e) { pair(e, true); });
  document.addEventListener("mouseout", function (e) { pair(e, false); });

  // After a save, the page comes back at the entry: mark it as the current one.
  var focused = document.querySelector(".entry.is-focus");
  if (focused) {
    focused.classList.add("is-current");
    if (!document.activeElement || document.activeElement === document.body) {
      focused.focus({preventScroll: true});
    }
  }
})();
