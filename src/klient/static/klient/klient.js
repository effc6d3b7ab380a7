/* Klient: keyboard shortcuts, tabs, confirmations and small htmx niceties. No dependencies. */
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // "/" focuses the search box, as in most tools people already use.
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
      var search = document.querySelector("[data-search]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
    // Ctrl/Cmd+Enter sends a form from a multi-line text box; Enter alone adds a line.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
      var form = event.target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
    if (event.key === "Escape") {
      document.querySelectorAll("details[open].usermenu").forEach(function (d) { d.removeAttribute("open"); });
      document.querySelectorAll(".menu-toggle[aria-expanded=true]").forEach(function (button) {
        var inside = button.parentElement.contains(document.activeElement);
        setMenu(button, false);
        if (inside) button.focus();
      });
    }
  });

  // The phone menu: the button says whether its nav is shown; the stylesheet reads that.
  function setMenu(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".menu-toggle");
    if (button) {
      setMenu(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    // A tap outside the top bar folds the menu away again.
    document.querySelectorAll(".menu-toggle[aria-expanded=true]").forEach(function (open) {
      if (!open.parentElement.contains(event.target)) setMenu(open, false);
    });
  });

  // Plain (non-htmx) forms ask before destructive actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // Accessible tabs: [role=tablist] > [role=tab][aria-controls]; arrow keys move between tabs.
  function selectTab(tab) {
    var list = tab.closest("[role=tablist]");
    list.querySelectorAll("[role=tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab][aria-controls]");
    if (tab) {
      event.preventDefault();
      selectTab(tab);
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      var first = panel && panel.querySelector("input:not([type=hidden]), textarea, select");
      if (first && event.detail !== 0) first.focus();
    }
    var close = event.target.closest("[data-dismiss]");
    if (close) close.closest(".toast, .message").remove();
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab][aria-controls]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
    var index = tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
    var next = tabs[(index + tabs.length) % tabs.length];
    selectTab(next);
    next.focus();
  });

  // After a successful htmx form post, clear the form so the next entry starts fresh.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset]") && event.detail.successful) {
      form.reset();
    }
  });

  // Toasts fade on their own after a while.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("#toasts .toast:not([data-timer])").forEach(function (toast) {
      toast.setAttribute("data-timer", "1");
      setTimeout(function () { toast.remove(); }, 8000);
    });
  });
})();

/* Opening "Comment" under a timeline item puts the cursor in its box. */
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (details.matches && details.matches(".comment-toggle") && details.open) {
    var box = details.querySelector("textarea");
    if (box) box.focus();
  }
}, true);
