/* The generic action form (templates/desk/action.html): when the agency changes, reload the handler list with that
   agency's officers and heads, from the same page asked with ?agency=<id>, and keep the rest of the form as typed.
   Without this script the "Cập nhật danh sách cán bộ" button re-renders the form; it stays as a fallback if the
   request fails. No inline script. */
(function () {
  "use strict";

  var latest = 0;

  function reload(agency, list, button) {
    var select = list.querySelector("select");
    var asked = ++latest;
    var url = new URL(window.location.href);
    url.search = "";
    if (agency.value) {
      url.searchParams.set("agency", agency.value);
    }
    list.setAttribute("aria-busy", "true");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        if (asked !== latest) {
          return; // the agency changed again meanwhile: the newer answer fills the list
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById(select.id);
        if (!fresh) {
          throw new Error("no handler list");
        }
        var chosen = select.value; // a person picked while the list was loading stays picked if still listed
        select.replaceChildren.apply(select, Array.prototype.slice.call(fresh.options).map(function (option) {
          var copy = document.createElement("option");
          copy.value = option.value;
          copy.textContent = option.textContent;
          return copy;
        }));
        select.value = chosen;
        if (select.value !== chosen) {
          select.value = "";
        }
      })
      .catch(function () {
        button.hidden = false; // the server-side update still works
      })
      .then(function () {
        if (asked === latest) {
          list.removeAttribute("aria-busy");
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var agency = document.querySelector("select[data-handlers-follow]");
    var list = document.querySelector("[data-handlers-list]");
    var button = document.querySelector("[data-handlers-refresh]");
    if (!agency || !list || !button || !window.fetch || !window.DOMParser) {
      return;
    }
    button.hidden = true;
    agency.addEventListener("change", function () {
      reload(agency, list, button);
    });
  });
})();
