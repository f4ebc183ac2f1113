/* The desk's online review (templates/desk/review.html): show a file in the page without reloading it (the ticks
   stay), and move through the checklist from the keyboard — J/K or the arrow keys between documents, the space bar
   to tick the current one. Without this script the file links reload the page with ?file=<id>. No inline script. */
(function () {
  "use strict";

  var INLINE_IMAGES = ["image/png", "image/jpeg"];
  var current = -1;

  function docs() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-review-doc]"));
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function show(link) {
    var stage = document.getElementById("review-stage");
    if (!stage || !link) {
      return;
    }
    var type = link.getAttribute("data-type");
    var url = link.getAttribute("data-view");
    var name = link.textContent;
    stage.textContent = "";
    var viewing = element("p", { class: "review__viewing" });
    viewing.appendChild(element("span", { "data-viewing": "" }, name));
    viewing.appendChild(document.createTextNode(" · "));
    viewing.appendChild(
      element("a", { href: link.getAttribute("data-download") }, stage.getAttribute("data-label-download"))
    );
    stage.appendChild(viewing);
    if (type === "application/pdf") {
      stage.appendChild(element("iframe", { class: "review__frame", src: url, title: name }));
    } else if (INLINE_IMAGES.indexOf(type) !== -1) {
      stage.appendChild(element("img", { class: "review__image", src: url, alt: name }));
    } else {
      stage.appendChild(element("p", { class: "review__none" }, stage.getAttribute("data-label-none")));
    }
    document.querySelectorAll("a[data-view][aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    link.setAttribute("aria-current", "true");
  }

  function select(index, focus) {
    var items = docs();
    if (!items.length) {
      return;
    }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) {
      item.classList.toggle("is-current", i === current);
    });
    var item = items[current];
    var box = item.querySelector("input[type=checkbox]");
    if (focus && box) {
      box.focus({ preventScroll: true });
    }
    item.scrollIntoView({ block: "nearest" });
    var first = item.querySelector("a[data-view]");
    if (first) {
      show(first);
    }
  }

  function typing(target) {
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) {
      return true;
    }
    return tag === "INPUT" && target.type !== "checkbox";
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target) || !docs().length) {
      return;
    }
    var key = event.key;
    // The arrows move through the checklist only from it (or from nowhere in particular): elsewhere they scroll.
    var nowhere = event.target === document.body || event.target.id === "main";
    var inList = nowhere || !!(event.target.closest && event.target.closest("[data-review-list]"));
    var arrow = key === "ArrowDown" || key === "ArrowUp";
    if (arrow && !inList) {
      return;
    }
    if (key === "j" || key === "J" || key === "ArrowDown") {
      event.preventDefault();
      select(current + 1, true);
    } else if (key === "k" || key === "K" || key === "ArrowUp") {
      event.preventDefault();
      select(current - 1, true);
    } else if (key === " " && event.target.type !== "checkbox" && event.target.tagName !== "BUTTON") {
      // On a focused checkbox the browser ticks it itself; elsewhere the space bar ticks the current document.
      var item = docs()[Math.max(current, 0)];
      var box = item && item.querySelector("input[type=checkbox]");
      if (box && event.target.tagName !== "A" && event.target.tagName !== "SUMMARY") {
        event.preventDefault();
        box.click();
      }
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-view]") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    var item = link.closest("[data-review-doc]");
    if (item) {
      current = docs().indexOf(item);
      docs().forEach(function (other, i) {
        other.classList.toggle("is-current", i === current);
      });
    }
    show(link);
  });

  document.addEventListener("change", function (event) {
    var item = event.target.closest ? event.target.closest("[data-review-doc]") : null;
    if (item && event.target.type === "checkbox") {
      item.classList.toggle("is-checked", event.target.checked);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var items = docs();
    if (items.length) {
      current = 0;
      items[0].classList.add("is-current");
    }
  });
})();
