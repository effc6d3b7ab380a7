/* The people list: "select all on this page", the count of checked rows, and only the
   input the chosen bulk action needs. The page works without it (every input shown). */
(function () {
  "use strict";

  function boxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
  }

  function refresh(form) {
    var all = boxes(form);
    var checked = all.filter(function (box) { return box.checked; }).length;
    var head = form.querySelector("[data-check-all]");
    if (head) {
      head.checked = all.length > 0 && checked === all.length;
      head.indeterminate = checked > 0 && checked < all.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = checked ? String(checked) + " ✓" : "";
    var action = form.querySelector("[data-bulk-action]");
    var option = action ? action.options[action.selectedIndex] : null;
    var wanted = option ? option.getAttribute("data-input") || "" : "";
    form.querySelectorAll("[data-bulk-input]").forEach(function (input) {
      input.hidden = input.getAttribute("data-bulk-input") !== wanted;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-bulk]") : null;
    if (!form) return;
    if (event.target.matches("[data-check-all]")) {
      boxes(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh(form);
  });

  function init() {
    document.querySelectorAll("form[data-bulk]").forEach(refresh);
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
