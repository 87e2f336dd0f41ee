/**
 * The reports' own script, the only one their Content-Security-Policy lets run (by its hash): it
 * sorts a table on a click (or Enter) on a header, and puts a filter bar above each table (a text
 * box, and a list per column marked `data-filter`: account, verdict, severity, who). It reads the
 * page and moves rows; it fetches nothing and writes no markup from the page's text (values go in
 * with textContent and option values). Without it (a reader that runs no script, a PDF) the page
 * is the same, in the order the report chose.
 */
export const TABLE_SCRIPT = `"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var all = function (list) { return Array.prototype.slice.call(list); };
  var cellText = function (cell) { return (cell.getAttribute("data-sort") || cell.textContent || "").trim(); };
  all(document.querySelectorAll("table.sortable")).forEach(function (table) {
    var heads = all(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    var rows = all(body.rows);
    heads.forEach(function (th, index) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      th.title = "Sort by " + th.textContent;
      var sort = function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.classList.contains("num");
        var key = function (row) {
          var text = cellText(row.cells[index]);
          if (!numeric) return text;
          var value = parseFloat(text);
          return isNaN(value) ? -Infinity : value;
        };
        all(body.rows).sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = numeric ? (x === y ? 0 : x < y ? -1 : 1) : String(x).localeCompare(String(y), undefined, { numeric: true });
          return ascending ? order : -order;
        }).forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    var filtered = heads.filter(function (th) { return th.hasAttribute("data-filter"); });
    if (filtered.length === 0) return;
    var bar = document.createElement("div");
    bar.className = "filters";
    bar.setAttribute("data-for", table.id);
    var text = document.createElement("input");
    text.type = "search";
    text.placeholder = "Filter rows";
    text.setAttribute("aria-label", "Filter the rows of " + (table.caption ? table.caption.textContent : "the table"));
    bar.appendChild(text);
    var selects = filtered.map(function (th) {
      var index = heads.indexOf(th);
      var select = document.createElement("select");
      select.setAttribute("data-col", th.getAttribute("data-col") || "");
      select.setAttribute("aria-label", th.textContent);
      var any = document.createElement("option");
      any.value = "";
      any.textContent = "Every " + th.textContent.toLowerCase();
      select.appendChild(any);
      var values = [];
      rows.forEach(function (row) {
        var value = (row.cells[index].textContent || "").trim();
        if (values.indexOf(value) < 0) values.push(value);
      });
      values.sort().forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
      bar.appendChild(select);
      return { select: select, index: index };
    });
    var shown = document.createElement("span");
    shown.className = "shown";
    bar.appendChild(shown);
    var apply = function () {
      var needle = text.value.trim().toLowerCase();
      var count = 0;
      rows.forEach(function (row) {
        var visible = (needle === "" || (row.textContent || "").toLowerCase().indexOf(needle) >= 0) &&
          selects.every(function (f) { return f.select.value === "" || (row.cells[f.index].textContent || "").trim() === f.select.value; });
        row.hidden = !visible;
        if (visible) count++;
      });
      shown.textContent = count + " of " + rows.length + " rows";
    };
    text.addEventListener("input", apply);
    selects.forEach(function (f) { f.select.addEventListener("change", apply); });
    apply();
    table.parentNode.insertBefore(bar, table);
  });
});`;
