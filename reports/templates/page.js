// Leaderboard page behaviour, inlined into every page (no network, works from file://).
// Without JavaScript the tables keep their rank order and the charts' SVG <title>
// elements still give native tooltips; with it, headers sort and tooltips are styled.
(function () {
  'use strict';

  function sortKey(cell) {
    var raw = cell.getAttribute('data-sort');
    if (raw === null) raw = cell.textContent.trim();
    return raw;
  }

  function makeSortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!head || !body) return;
    Array.prototype.forEach.call(head.cells, function (header, column) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener('click', function () {
        var descending = header.getAttribute('aria-sort') !== 'descending';
        Array.prototype.forEach.call(head.cells, function (other) { other.removeAttribute('aria-sort'); });
        header.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        var rows = Array.prototype.slice.call(body.rows);
        var keys = rows.map(function (row) { return sortKey(row.cells[column]); });
        var numeric = keys.every(function (key) { return key === '' || !isNaN(Number(key)); });
        var order = rows.map(function (row, index) { return index; });
        order.sort(function (a, b) {
          var x = keys[a];
          var y = keys[b];
          // Missing values sort last in both directions.
          if (x === '' || y === '') return (x === '') - (y === '') || a - b;
          var result = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return (descending ? -result : result) || a - b;
        });
        order.forEach(function (index) { body.appendChild(rows[index]); });
      });
    });
  }

  function installTooltips() {
    var tip = document.createElement('div');
    tip.className = 'tooltip';
    tip.setAttribute('role', 'tooltip');
    tip.hidden = true;
    document.body.appendChild(tip);
    // The SVG <title> is the no-JavaScript tooltip; move it aside so the browser's
    // own tooltip does not show on top of this one.
    Array.prototype.forEach.call(document.querySelectorAll('.chart svg [role="graphics-symbol"] > title'), function (title) {
      title.parentNode.setAttribute('data-tip', title.textContent);
      title.parentNode.removeChild(title);
    });
    document.addEventListener('pointerover', function (event) {
      var target = event.target.closest ? event.target.closest('[data-tip]') : null;
      if (!target) { tip.hidden = true; return; }
      tip.textContent = target.getAttribute('data-tip');
      tip.hidden = false;
    });
    document.addEventListener('pointermove', function (event) {
      if (tip.hidden) return;
      tip.style.left = (event.pageX + 14) + 'px';
      tip.style.top = (event.pageY + 14) + 'px';
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), makeSortable);
  installTooltips();
  document.documentElement.className += ' js';
})();
