/* Klient: type-ahead pickers and @mention suggestions, as ARIA comboboxes. No dependencies.

   - <div class="picker" data-picker="/pick/<kind>/"> (klient/_picker.html): a <select>,
     which is what works without scripts, and a hidden text box. This shows the box,
     hides the select, and puts the record chosen into the select, so the form posts its id.
   - <input data-picker-suggest="/pick/<kind>/">: a text filter; choosing a suggestion
     writes its name into the box.
   - <textarea data-mention-url="...">: "@" and a few letters suggest colleagues;
     choosing one writes "@username ", the syntax the server reads mentions in.

   Keys: Down/Up move through the suggestions, Enter chooses (Tab too, in a picker and
   for a mention), Escape closes them (and, in a picker, puts back the name chosen). */
(function () {
  "use strict";

  var DELAY = 150;
  var serial = 0;
  // Set up once per element; a property, not an attribute, so that a page htmx restores
  // from its history (a copy of the markup, without listeners) is set up again.
  var ready = new WeakSet();
  // "@" and what follows it up to the caret, as the server reads a mention (a name of
  // letters, digits, "_", "." and "-", not inside a word or an email address).
  var MENTION = /(?:^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_.\-]{1,40})$/u;

  function nextId(prefix) {
    serial += 1;
    return prefix + "-" + serial;
  }

  function messagesOf(el) {
    return {
      none: el.getAttribute("data-picker-none") || "",
      found: el.getAttribute("data-picker-found") || ""
    };
  }

  /* The suggestion list of one text box: fetching, showing, moving, choosing. */
  function Suggest(field, list, status, options) {
    this.field = field;
    this.list = list;
    this.status = status;
    this.options = options;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.seq = 0;
    var self = this;
    // A press on a suggestion must not take the focus from the text box.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) self.choose(Number(option.getAttribute("data-index")));
    });
  }

  Suggest.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Suggest.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };

  Suggest.prototype.close = function () {
    this.list.hidden = true;
    this.list.textContent = "";
    this.items = [];
    this.active = -1;
    if (this.field.getAttribute("role") === "combobox") this.field.setAttribute("aria-expanded", "false");
    this.field.removeAttribute("aria-activedescendant");
  };

  Suggest.prototype.cancel = function () {
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.seq += 1;
  };

  Suggest.prototype.request = function (url) {
    var self = this;
    self.cancel();
    var seq = self.seq;
    self.timer = setTimeout(function () {
      var controller = window.AbortController ? new AbortController() : null;
      self.controller = controller;
      fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (seq === self.seq) self.show(data.options || []);
        })
        .catch(function () {
          if (seq === self.seq) self.close();
        });
    }, DELAY);
  };

  Suggest.prototype.show = function (items) {
    var self = this;
    self.list.textContent = "";
    self.items = items;
    self.active = -1;
    if (!items.length) {
      self.close();
      self.say(self.options.messages.none);
      return;
    }
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      var name = document.createElement("span");
      name.className = "picker-name";
      name.textContent = item.name;
      option.appendChild(name);
      if (item.detail) {
        var detail = document.createElement("span");
        detail.className = "picker-detail";
        detail.textContent = item.detail;
        option.appendChild(detail);
      }
      self.list.appendChild(option);
    });
    self.list.hidden = false;
    if (self.field.getAttribute("role") === "combobox") self.field.setAttribute("aria-expanded", "true");
    self.say(self.options.messages.found + " " + items.length);
    if (self.options.autoActive) self.highlight(0);
  };

  Suggest.prototype.highlight = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    this.active = index;
    options.forEach(function (option, at) {
      var on = at === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("is-active", on);
    });
    if (index >= 0 && options[index]) {
      this.field.setAttribute("aria-activedescendant", options[index].id);
      if (options[index].scrollIntoView) options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.field.removeAttribute("aria-activedescendant");
    }
  };

  Suggest.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) return;
    this.cancel();
    this.close();
    this.options.choose(item);
  };

  /* Handles a key while the list is open; true when the key was used. */
  Suggest.prototype.key = function (event) {
    if (!this.isOpen() || event.altKey || event.ctrlKey || event.metaKey) return false;
    var count = this.items.length;
    switch (event.key) {
      case "ArrowDown":
        this.highlight((this.active + 1) % count);
        return true;
      case "ArrowUp":
        this.highlight(this.active <= 0 ? count - 1 : this.active - 1);
        return true;
      case "Enter":
        if (this.active < 0) return false;
        this.choose(this.active);
        return true;
      case "Tab":
        // A picker takes the highlighted record and moves on; a mention is written and
        // the caret stays; a text filter keeps what was typed.
        if (!this.options.tab || this.active < 0 || event.shiftKey) {
          this.close();
          return false;
        }
        this.choose(this.active);
        return this.options.tab === "stay";
      case "Escape":
        this.cancel();
        this.close();
        return true;
      default:
        return false;
    }
  };

  function listFor(field, host, label) {
    // A list left in a copy of the page (htmx's history) from an earlier set-up goes.
    var stale = field.getAttribute("aria-controls");
    var old = stale && document.getElementById(stale);
    if (old && old.hasAttribute("data-suggest")) {
      if (old.nextElementSibling && old.nextElementSibling.hasAttribute("data-suggest-status")) {
        old.nextElementSibling.remove();
      }
      old.remove();
    }
    var list = document.createElement("ul");
    list.setAttribute("data-suggest", "");
    list.id = nextId("suggest");
    list.className = "picker-options";
    list.setAttribute("role", "listbox");
    if (label) list.setAttribute("aria-label", label);
    list.hidden = true;
    var status = document.createElement("span");
    status.className = "sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("data-suggest-status", "");
    host.appendChild(list);
    host.appendChild(status);
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-autocomplete", "list");
    return { list: list, status: status };
  }

  function change(el) {
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function labelText(field) {
    var label = field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
    return label ? label.textContent.trim() : field.getAttribute("placeholder") || "";
  }

  /* A record picker: the select keeps the value, the text box shows its name. */
  function initPicker(root) {
    if (ready.has(root)) return;
    var select = root.querySelector("select");
    var input = root.querySelector(".picker-input");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-picker-status]");
    if (!select || !input || !list) return;
    ready.add(root);
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    var url = root.getAttribute("data-picker");
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label) label.htmlFor = input.id;
    if (label && !list.hasAttribute("aria-label")) list.setAttribute("aria-label", label.textContent.trim());
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    input.hidden = false;

    function chosenName() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.text : "";
    }
    function clear() {
      if (select.value) {
        select.value = "";
        change(select);
      }
    }
    input.value = chosenName();

    var suggest = new Suggest(input, list, status, {
      autoActive: true,
      tab: "leave",
      messages: messagesOf(root),
      choose: function (item) {
        var value = String(item.id);
        var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
        if (!option) {
          option = new Option(item.name, value);
          select.add(option);
        }
        var changed = select.value !== value;
        select.value = value;
        input.value = item.name;
        if (changed) change(select);
      }
    });

    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!query) {
        suggest.cancel();
        suggest.close();
        clear();
        return;
      }
      suggest.request(url + "?q=" + encodeURIComponent(query));
    });
    input.addEventListener("keydown", function (event) {
      if (suggest.key(event)) {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      var dirty = input.value !== chosenName();
      if (event.key === "ArrowDown" && input.value.trim()) {
        event.preventDefault();
        suggest.request(url + "?q=" + encodeURIComponent(input.value.trim()));
      } else if (event.key === "Escape" && dirty) {
        event.preventDefault();
        event.stopPropagation();
        suggest.cancel();
        input.value = chosenName();
      } else if (event.key === "Enter" && dirty) {
        // Typed but not chosen yet: Enter would post the old value.
        event.preventDefault();
      }
    });
    input.addEventListener("blur", function () {
      suggest.cancel();
      suggest.close();
      if (!input.value.trim()) clear();
      else input.value = chosenName();
    });
    // The text box posts nothing: only the select's change means the value changed.
    input.addEventListener("change", function (event) { event.stopPropagation(); });
  }

  /* A text filter with suggestions: the chosen name becomes the box's text. */
  function initTextSuggest(input) {
    if (ready.has(input)) return;
    ready.add(input);
    var url = input.getAttribute("data-picker-suggest");
    var host = input.parentNode;
    if (!host.classList.contains("picker-text")) {
      host = document.createElement("div");
      host.className = "picker picker-text";
      input.parentNode.insertBefore(host, input);
      host.appendChild(input);
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    var parts = listFor(input, host, labelText(input));
    var suggest = new Suggest(input, parts.list, parts.status, {
      autoActive: false,
      messages: messagesOf(input),
      choose: function (item) {
        input.value = item.name;
        change(input);
      }
    });
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!query) {
        suggest.cancel();
        suggest.close();
        return;
      }
      suggest.request(url + "?q=" + encodeURIComponent(query));
    });
    input.addEventListener("keydown", function (event) {
      if (suggest.key(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    input.addEventListener("blur", function () {
      suggest.cancel();
      suggest.close();
    });
  }

  /* @mentions in a comment box. */
  function initMention(area) {
    if (ready.has(area)) return;
    ready.add(area);
    var url = area.getAttribute("data-mention-url");
    var host = area.parentNode;
    host.classList.add("mention-host");
    var parts = listFor(area, host, area.getAttribute("data-mention-label") || "");
    var start = -1;
    var suggest = new Suggest(area, parts.list, parts.status, {
      autoActive: true,
      tab: "stay",
      messages: messagesOf(area),
      choose: function (item) {
        var caret = area.selectionStart;
        if (start < 0 || caret < start) return;
        var insert = "@" + item.username + " ";
        area.value = area.value.slice(0, start) + insert + area.value.slice(caret);
        var at = start + insert.length;
        area.setSelectionRange(at, at);
        area.focus();
        start = -1;
      }
    });
    area.addEventListener("input", function () {
      var caret = area.selectionStart;
      var match = area.selectionEnd === caret ? MENTION.exec(area.value.slice(0, caret)) : null;
      if (!match) {
        start = -1;
        suggest.cancel();
        suggest.close();
        return;
      }
      start = caret - match[1].length - 1;
      suggest.request(url + "?q=" + encodeURIComponent(match[1]));
    });
    area.addEventListener("keydown", function (event) {
      if (suggest.key(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    area.addEventListener("blur", function () {
      suggest.cancel();
      suggest.close();
    });
  }

  function initWithin(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches(".picker[data-picker]")) initPicker(root);
    root.querySelectorAll(".picker[data-picker]").forEach(initPicker);
    root.querySelectorAll("input[data-picker-suggest]").forEach(initTextSuggest);
  }

  // Comment boxes arrive with every timeline page: set up on first focus.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.matches && target.matches("textarea[data-mention-url]")) initMention(target);
  });
  document.addEventListener("htmx:load", function (event) { initWithin(event.target); });
  document.addEventListener("htmx:historyRestore", function () { initWithin(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initWithin(document); });
  } else {
    initWithin(document);
  }
})();
