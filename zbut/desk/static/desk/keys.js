/* The manager's desk without a mouse.
 *
 * Every actionable element carries data-key="<letter or digit>"; a key press finds the element
 * with that key in the open panel (or, with none open, in [data-keys-scope="main"]) and presses
 * it: a button with data-opens shows that panel, another button submits the desk's form, a field
 * gets the focus. Keys are read from KeyboardEvent.code (the physical key), so Q works as Q with
 * the Ukrainian layout too, where it types "й".
 *
 * N focuses the note, Esc leaves a field or closes a panel, Enter in a panel's field presses the
 * panel's [data-submit] button, Ctrl+Enter in the note saves the note alone, ? shows the help.
 * The listener lives on the document, so it keeps working after htmx swaps the page.
 */
(function () {
  "use strict";

  if (window.zbutDeskKeys) {
    return;
  }
  window.zbutDeskKeys = true;

  var submitting = false;

  function keyOf(event) {
    var code = event.code || "";
    if (code.indexOf("Key") === 0) {
      return code.slice(3).toLowerCase();
    }
    if (code.indexOf("Digit") === 0) {
      return code.slice(5);
    }
    if (code.indexOf("Numpad") === 0 && /^Numpad\d$/.test(code)) {
      return code.slice(6);
    }
    if (event.key === "?" || (code === "Slash" && event.shiftKey)) {
      return "?";
    }
    return "";
  }

  function openPanel() {
    return document.querySelector("[data-panel]:not([hidden])");
  }

  function help() {
    return document.getElementById("desk-help");
  }

  function isField(element) {
    return element && /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }

  function closePanels() {
    document.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = true;
    });
  }

  function showPanel(id) {
    var panel = document.getElementById(id);
    if (!panel) {
      return;
    }
    closePanels();
    panel.hidden = false;
    var first = panel.querySelector("input, button");
    if (first) {
      first.focus();
    }
  }

  function toggleHelp() {
    var box = help();
    if (box) {
      box.hidden = !box.hidden;
    }
  }

  function submitWith(button) {
    if (submitting) {
      return; // one action per page: a second key press must not record twice
    }
    submitting = true;
    // A click (not form.requestSubmit) so that htmx sees the button and its formaction.
    button.click();
  }

  function press(element) {
    if (element.hasAttribute("data-opens")) {
      showPanel(element.getAttribute("data-opens"));
    } else if (element.hasAttribute("data-help-toggle")) {
      toggleHelp();
    } else if (isField(element)) {
      element.focus();
    } else if (element.type === "submit") {
      submitWith(element);
    } else {
      element.click();
    }
  }

  function onFieldKey(event, field) {
    var panel = field.closest("[data-panel]");
    if (event.key === "Escape") {
      event.preventDefault();
      field.blur();
      if (panel) {
        closePanels();
      }
      return;
    }
    if (event.key !== "Enter") {
      return;
    }
    if (field.hasAttribute("data-note")) {
      var save = document.querySelector("[data-note-save]");
      if ((event.ctrlKey || event.metaKey) && save) {
        event.preventDefault();
        submitWith(save);
      }
      return;
    }
    var target = panel && panel.querySelector("[data-submit]");
    event.preventDefault();
    if (target) {
      submitWith(target);
    }
  }

  function onKey(event) {
    if (event.altKey || (event.ctrlKey && event.key !== "Enter") || event.metaKey) {
      return;
    }
    var active = document.activeElement;
    if (isField(active)) {
      onFieldKey(event, active);
      return;
    }
    var box = help();
    var panel = openPanel();
    if (event.key === "Escape") {
      if (box && !box.hidden) {
        box.hidden = true;
      } else if (panel) {
        closePanels();
      }
      return;
    }
    var key = keyOf(event);
    if (!key) {
      return;
    }
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (box && !box.hidden) {
      return;
    }
    var scope = panel || document.querySelector("[data-keys-scope='main']");
    if (!scope) {
      return;
    }
    var element = scope.querySelector("[data-key='" + key + "']");
    if (!element) {
      return;
    }
    event.preventDefault(); // N must not type "n" into the note it focuses
    press(element);
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (event) {
    var element = event.target.closest && event.target.closest("[data-opens], [data-close], [data-help-toggle]");
    if (!element) {
      return;
    }
    if (element.hasAttribute("data-close")) {
      closePanels();
    } else {
      press(element);
    }
  });
  // A new page (htmx swap or load) may take actions again.
  document.addEventListener("htmx:afterSettle", function () {
    submitting = false;
  });
  document.addEventListener("htmx:responseError", function () {
    submitting = false;
  });
})();
