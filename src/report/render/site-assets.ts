// The page's stylesheet and its one script, inlined into index.html so the page works from
// file:// and any static host without fetching anything.

export const SITE_CSS = `
:root { --fg: #1d1d1f; --muted: #5b5b66; --line: #d9d9e0; --est: #b35900; --fix: #8a1c1c; --bg-alt: #f6f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header, main { max-width: 1440px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 .25rem; font-size: 1.8rem; }
h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--fg); padding-bottom: .2rem; }
h3 { margin: 1.8rem 0 .3rem; font-size: 1.1rem; }
.meta, .muted { color: var(--muted); }
nav a { margin-right: 1rem; }
.key { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0; font-size: .92rem; }
.key dt { font-weight: 600; }
.key dd { margin: 0; }
.boundary { margin: .2rem 0 .6rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: right; vertical-align: top; white-space: nowrap; }
th.text, td.text { text-align: left; white-space: normal; }
thead th { background: var(--bg-alt); position: sticky; top: 0; white-space: normal; vertical-align: bottom; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid #4c78a8; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
tr.estimated td.col-energy { font-style: italic; }
td.col-model { min-width: 11rem; }
td.col-meter, td.col-hardware { min-width: 9rem; font-size: .78rem; }
td.col-stars, th.col-stars { min-width: 6rem; text-align: left; }
tr.fixture { background: repeating-linear-gradient(135deg, #fff, #fff 6px, #fbeeee 6px, #fbeeee 12px); }
.est { color: var(--est); font-weight: 600; font-size: .78rem; font-style: normal; margin-left: .25rem; }
.flag-est { color: var(--est); font-weight: 700; }
.flag-measured { color: #2d6a2d; font-weight: 700; }
.badge { display: inline-block; border-radius: .3rem; padding: 0 .35rem; font-size: .75rem; font-weight: 700; margin-left: .35rem; }
.badge.fixture { background: var(--fix); color: #fff; }
.badge.imported { background: #4c78a8; color: #fff; }
.stars { color: #c48a00; letter-spacing: .05em; }
.not-rated { color: var(--muted); font-size: .8rem; }
.stars-rule { font-size: .85rem; color: var(--muted); margin: .4rem 0 0; }
.mark { color: var(--est); font-weight: 700; margin-left: .15rem; cursor: help; }
.mark-legend { font-size: .85rem; color: var(--muted); margin: .4rem 0 0; }
.notes { font-size: .85rem; color: var(--muted); }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .88rem; color: var(--muted); max-width: 60rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem 3rem; align-items: flex-start; }
footer { max-width: 1440px; margin: 3rem auto; padding: 1rem 1.25rem; border-top: 1px solid var(--line); font-size: .85rem; color: var(--muted); }
`;

/** Click a column header to sort by it (again to reverse); empty cells always sort last. */
export const SORT_SCRIPT = `
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        heads.forEach(function (h) { if (h.querySelector('button')) h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir);
        var numeric = th.getAttribute('data-type') === 'num';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) { var v = row.cells[col].getAttribute('data-sort'); return v === null ? '' : v; }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === '' || y === '') return x === y ? 0 : (x === '' ? 1 : -1);
          var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`;
