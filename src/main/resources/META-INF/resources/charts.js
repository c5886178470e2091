// Trend charts drawn with uPlot (org.webjars.npm:uplot, served from the jar, no CDN) from data-chart
// attributes: {"days": ["2026-11-01", ...], "counts": {"succeeded": [..], "failed": [..], ...}}.
// Bars are stacked by status: each series is drawn as the running total, the largest first, and the
// legend shows each status' own count.
(function () {
  var COLOURS = {
    succeeded: '#198754', warning: '#ffc107', partial: '#fd7e14', failed: '#dc3545', canceled: '#6c757d',
    skipped: '#adb5bd', abandoned: '#212529', running: '#0d6efd'
  };
  var ORDER = ['succeeded', 'warning', 'partial', 'failed', 'canceled', 'skipped', 'abandoned', 'running'];

  function draw(el) {
    if (el.getAttribute('data-drawn') || !window.uPlot) {
      return;
    }
    var data = JSON.parse(el.getAttribute('data-chart'));
    var xs = data.days.map(function (d) { return Date.parse(d + 'T12:00:00Z') / 1000; });
    var statuses = ORDER.filter(function (s) {
      return data.counts[s] && data.counts[s].some(function (n) { return n > 0; });
    });
    var running = xs.map(function () { return 0; });
    var stacked = statuses.map(function (s) {
      running = running.map(function (v, i) { return v + data.counts[s][i]; });
      return running.slice();
    });
    var dark = document.documentElement.getAttribute('data-bs-theme') === 'dark';
    var axis = { stroke: dark ? '#adb5bd' : '#495057', grid: { stroke: dark ? '#343a40' : '#e9ecef' } };
    var series = [{ value: function (u, v) { return v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10); } }];
    var values = [xs];
    for (var i = statuses.length - 1; i >= 0; i--) {
      (function (s) {
        series.push({
          label: s, fill: COLOURS[s] || '#6610f2', stroke: COLOURS[s] || '#6610f2', width: 0, points: { show: false },
          paths: window.uPlot.paths.bars({ size: [0.7, 40] }),
          value: function (u, v, si, di) { return di == null ? '' : String(data.counts[s][di]); }
        });
      })(statuses[i]);
      values.push(stacked[i]);
    }
    var width = Math.max(280, el.clientWidth);
    new window.uPlot({
      width: width, height: 220, series: series,
      axes: [Object.assign({ space: 60 }, axis), Object.assign({ size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, axis)],
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      legend: { show: true }
    }, values, el);
    el.setAttribute('data-drawn', statuses.length ? statuses.join(' ') : 'empty');
  }

  function drawAll() {
    document.querySelectorAll('.fh-chart[data-chart]').forEach(draw);
  }
  document.addEventListener('DOMContentLoaded', drawAll);
  document.addEventListener('htmx:afterSettle', drawAll);
})();
