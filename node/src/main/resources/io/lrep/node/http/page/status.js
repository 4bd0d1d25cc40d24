// The lrep status page: polls /status, keeps the last minutes of figures, draws them on canvases
// and the topology as inline SVG. No libraries: this file is served from the node's jar as is.
// For tests, <body> carries data-polls (successful polls) and each chart canvas data-points
// (points drawn at the last redraw), data-series and data-last (the last value of each series).
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var INTERVAL_MS = Math.max(100, Number(params.get('interval')) || 1000);
  var WINDOW_MS = 5 * 60 * 1000;
  var COLORS = ['#2f7fd1', '#e8663d', '#2e9d5b', '#9b59b6', '#d4a017', '#17a2b8', '#cc3340', '#6b7785'];
  var SVG = 'http://www.w3.org/2000/svg';

  var charts = {
    'lag-bytes': { format: bytes, series: {} },
    'lag-seconds': { format: seconds, series: {} },
    'apply-rate': { format: perSecond, series: {} },
    'wal-rate': { format: bytesPerSecond, series: {} }
  };
  var RATE_WINDOW_MS = 5000;
  var previous = null;
  var counters = [];
  var polls = 0;

  function $(id) { return document.getElementById(id); }

  function bytes(v) {
    var units = ['B', 'kB', 'MB', 'GB', 'TB'];
    var i = 0;
    v = Number(v) || 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
  }
  function bytesPerSecond(v) { return bytes(v) + '/s'; }
  function seconds(v) {
    v = Number(v) || 0;
    if (v === 0) { return '0 s'; }
    if (v < 1) { return (v * 1000).toFixed(0) + ' ms'; }
    if (v < 120) { return v.toFixed(1) + ' s'; }
    return (v / 60).toFixed(1) + ' min';
  }
  function perSecond(v) {
    v = Number(v) || 0;
    return (v >= 1000 ? (v / 1000).toFixed(1) + 'k' : v.toFixed(v < 10 ? 1 : 0)) + '/s';
  }

  function record(chart, name, t, value) {
    var s = charts[chart].series;
    (s[name] = s[name] || []).push([t, Number(value) || 0]);
  }

  function prune(now) {
    Object.keys(charts).forEach(function (k) {
      var s = charts[k].series;
      Object.keys(s).forEach(function (name) {
        var pts = s[name];
        while (pts.length && pts[0][0] < now - WINDOW_MS) { pts.shift(); }
        if (!pts.length) { delete s[name]; }
      });
    });
  }

  function sample(st) {
    var t = st.time_ms;
    (st.slots || []).forEach(function (s) { record('lag-bytes', 'slot ' + s.name, t, s.lag_bytes); });
    (st.walsenders || []).forEach(function (w) {
      record('lag-bytes', 'walsender ' + w.application_name, t, w.lag_bytes.replay);
      record('lag-seconds', 'walsender ' + w.application_name, t, w.lag_seconds.replay);
    });
    var tx = 0;
    var rows = 0;
    (st.subscriptions || []).forEach(function (s) {
      record('lag-seconds', 'subscription ' + s.name, t, s.apply_lag_seconds);
      tx += s.transactions;
      rows += s.rows;
    });
    // rates over the last RATE_WINDOW_MS of samples (at least the previous one), so that they do not
    // jump between 0 and twice the rate when a poll falls between two commits
    counters.push({ t: t, wal: st.wal_bytes_written, tx: tx, rows: rows });
    while (counters.length > 2 && counters[1].t <= t - RATE_WINDOW_MS) { counters.shift(); }
    var first = counters[0];
    var rates = null;
    if (t > first.t) {
      var dt = (t - first.t) / 1000;
      rates = {
        wal: Math.max(0, st.wal_bytes_written - first.wal) / dt,
        tx: Math.max(0, tx - first.tx) / dt,
        rows: Math.max(0, rows - first.rows) / dt
      };
      record('wal-rate', 'WAL bytes', t, rates.wal);
      if ((st.subscriptions || []).length) {
        record('apply-rate', 'transactions', t, rates.tx);
        record('apply-rate', 'rows', t, rates.rows);
      }
    }
    previous = { t: t };
    prune(t);
    return rates;
  }

  function drawChart(id) {
    var chart = charts[id];
    var canvas = $('chart-' + id);
    var ratio = window.devicePixelRatio || 1;
    var cssWidth = canvas.clientWidth || canvas.width;
    var cssHeight = canvas.clientHeight || canvas.height;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    var g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, cssWidth, cssHeight);
    var left = 72;
    var right = 10;
    var top = 10;
    var bottom = 24;
    var w = cssWidth - left - right;
    var h = cssHeight - top - bottom;
    var names = Object.keys(chart.series).sort();
    var tMax = previous ? previous.t : Date.now();
    var tMin = tMax - WINDOW_MS;
    var vMax = 0;
    names.forEach(function (n) { chart.series[n].forEach(function (p) { vMax = Math.max(vMax, p[1]); }); });
    vMax = vMax > 0 ? vMax * 1.1 : 1;

    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#e3e7ec';
    g.fillStyle = '#6b7785';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (var i = 0; i <= 4; i++) {
      var y = top + h - (h * i) / 4;
      g.beginPath(); g.moveTo(left, y + 0.5); g.lineTo(left + w, y + 0.5); g.stroke();
      if (names.length) {
        g.fillText(chart.format((vMax * i) / 4), left - 6, y);
      }
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (var m = 0; m <= 5; m++) {
      var x = left + (w * m) / 5;
      g.fillText(m === 5 ? 'now' : '-' + (5 - m) + ' min', x, top + h + 6);
    }

    var drawn = 0;
    var last = {};
    var legend = $('legend-' + id);
    legend.textContent = '';
    names.forEach(function (n, k) {
      var color = COLORS[k % COLORS.length];
      var pts = chart.series[n];
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.lineJoin = 'round';
      g.beginPath();
      pts.forEach(function (p, j) {
        var px = left + ((p[0] - tMin) / WINDOW_MS) * w;
        var py = top + h - (p[1] / vMax) * h;
        if (j === 0) { g.moveTo(px, py); } else { g.lineTo(px, py); }
      });
      if (pts.length === 1) {
        var p0 = pts[0];
        g.fillStyle = color;
        g.fillRect(left + ((p0[0] - tMin) / WINDOW_MS) * w - 2, top + h - (p0[1] / vMax) * h - 2, 4, 4);
      }
      g.stroke();
      drawn += pts.length;
      last[n] = pts[pts.length - 1][1];
      var item = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(n + ' ' + chart.format(last[n])));
      legend.appendChild(item);
    });
    if (!names.length) {
      g.fillStyle = '#6b7785';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText('nothing to show yet', left + w / 2, top + h / 2);
    }
    canvas.setAttribute('data-points', String(drawn));
    canvas.setAttribute('data-series', String(names.length));
    canvas.setAttribute('data-last', JSON.stringify(last));
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function drawTopology(st) {
    var root = $('topology');
    root.textContent = '';
    var defs = svg('defs', {});
    var marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7',
      orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8aa4bf' }));
    defs.appendChild(marker);
    root.appendChild(defs);

    var upstream = (st.subscriptions || []).map(function (s) {
      return { title: s.publisher || '?', detail: 'subscription ' + s.name, up: s.worker_running };
    });
    var downstream = (st.walsenders || []).map(function (w) {
      return { title: w.application_name || '(no application_name)', detail: 'from ' + (w.client_addr || '?'), up: true };
    });
    var streaming = {};
    (st.walsenders || []).forEach(function (w) { streaming[w.application_name] = true; });
    (st.slots || []).forEach(function (s) {
      if (!s.active && !streaming[s.name]) {
        downstream.push({ title: s.name, detail: 'slot, no walsender', up: false });
      }
    });
    var height = Math.max(220, 60 * Math.max(upstream.length, downstream.length) + 40);
    root.setAttribute('viewBox', '0 0 900 ' + height);
    var cy = height / 2;
    root.appendChild(svg('rect', { x: 350, y: cy - 32, width: 200, height: 64, rx: 10, 'class': 'self-box' }));
    root.appendChild(svg('text', { x: 450, y: cy - 4, 'text-anchor': 'middle', 'class': 'self-text' }, st.node));
    root.appendChild(svg('text', { x: 450, y: cy + 16, 'text-anchor': 'middle', 'class': 'self-text sub-text' },
      'this node · ' + st.role));

    function column(items, x, inbound, heading) {
      root.appendChild(svg('text', { x: x + 110, y: 18, 'text-anchor': 'middle', 'class': 'sub-text' }, heading));
      if (!items.length) {
        root.appendChild(svg('text', { x: x + 110, y: cy, 'text-anchor': 'middle', 'class': 'sub-text' }, 'none'));
      }
      items.forEach(function (it, i) {
        var y = (height * (i + 1)) / (items.length + 1);
        root.appendChild(svg('rect', { x: x, y: y - 24, width: 220, height: 48, rx: 8, 'class': 'node-box' }));
        root.appendChild(svg('text', { x: x + 110, y: y - 4, 'text-anchor': 'middle' }, it.title));
        root.appendChild(svg('text', { x: x + 110, y: y + 14, 'text-anchor': 'middle', 'class': 'sub-text' }, it.detail));
        var d = inbound ? 'M' + (x + 220) + ',' + y + ' C300,' + y + ' 300,' + cy + ' 348,' + cy
          : 'M552,' + cy + ' C600,' + cy + ' 600,' + y + ' ' + (x - 2) + ',' + y;
        root.appendChild(svg('path', { d: d, 'class': it.up ? 'edge' : 'edge down' }));
      });
    }
    column(upstream, 20, true, 'subscribes from');
    column(downstream, 660, false, 'publishes to');
  }

  function stateClass(state) {
    if (/^(running|streaming|ready|active|enabled)$/.test(state)) { return 'state ok'; }
    if (/^(failed|crashed|invalidated|stopped)$/.test(state)) { return 'state bad'; }
    return 'state warn';
  }

  function fillTable(id, rows, columns, emptyText) {
    var body = $(id).tBodies[0];
    body.textContent = '';
    if (!rows.length) {
      var tr = body.insertRow();
      var td = tr.insertCell();
      td.colSpan = columns;
      td.className = 'empty';
      td.textContent = emptyText;
      return;
    }
    rows.forEach(function (cells) {
      var tr = body.insertRow();
      cells.forEach(function (c) {
        var td = tr.insertCell();
        if (c && typeof c === 'object') {
          td.textContent = c.text;
          td.className = c.cls;
        } else {
          td.textContent = c === null || c === undefined ? '–' : String(c);
        }
      });
    });
  }

  function render(st, rates) {
    document.title = 'lrep · ' + st.node;
    $('node').textContent = st.node;
    $('role').textContent = st.role;
    $('wal-lsn').textContent = st.wal_lsn;
    $('updated').textContent = 'updated ' + new Date(st.time_ms).toLocaleTimeString();
    if (rates) {
      $('wal-rate').textContent = bytesPerSecond(rates.wal);
      $('tx-rate').textContent = perSecond(rates.tx);
      $('row-rate').textContent = perSecond(rates.rows);
      document.body.setAttribute('data-wal-rate', rates.wal.toFixed(1));
      document.body.setAttribute('data-tx-rate', rates.tx.toFixed(1));
      document.body.setAttribute('data-row-rate', rates.rows.toFixed(1));
    }
    var maxBytes = 0;
    var maxSeconds = 0;
    (st.slots || []).forEach(function (s) { maxBytes = Math.max(maxBytes, s.lag_bytes); });
    (st.walsenders || []).forEach(function (w) { maxSeconds = Math.max(maxSeconds, w.lag_seconds.replay); });
    (st.subscriptions || []).forEach(function (s) { maxSeconds = Math.max(maxSeconds, s.apply_lag_seconds); });
    $('max-lag').textContent = seconds(maxSeconds) + (maxBytes ? ' · ' + bytes(maxBytes) : '');

    drawTopology(st);
    Object.keys(charts).forEach(drawChart);

    fillTable('subscriptions', (st.subscriptions || []).map(function (s) {
      var state = !s.enabled ? 'disabled' : s.worker_running ? 'running' : 'starting';
      var tables = Object.keys(s.tables || {}).filter(function (k) { return s.tables[k] > 0; })
        .map(function (k) { return s.tables[k] + ' ' + k; }).join(', ');
      return [s.name, s.publisher, { text: state, cls: stateClass(state) }, s.received_lsn, s.applied_lsn,
        seconds(s.apply_lag_seconds), s.transactions, s.rows, s.apply_errors + s.sync_errors, tables || 'none'];
    }), 10, 'no subscriptions');
    fillTable('slots', (st.slots || []).map(function (s) {
      var state = s.invalidated ? 'invalidated' : s.active ? 'active' : 'inactive';
      return [s.name, s.type, { text: state, cls: stateClass(state) }, s.confirmed_flush_lsn, bytes(s.lag_bytes),
        bytes(s.retained_bytes)];
    }), 6, 'no replication slots');
    fillTable('walsenders', (st.walsenders || []).map(function (w) {
      return [w.application_name, w.client_addr, w.sent_lsn, bytes(w.lag_bytes.replay), seconds(w.lag_seconds.replay)];
    }), 5, 'no walsenders');
    fillTable('workers', (st.workers || []).map(function (w) {
      return [w.type, w.name, w.pid, { text: w.state, cls: stateClass(w.state) }, w.restarts, w.failures];
    }), 6, 'no background workers');
  }

  function poll() {
    fetch('status', { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (st) {
        var rates = sample(st);
        render(st, rates);
        polls++;
        document.body.setAttribute('data-polls', String(polls));
      })
      .catch(function (e) {
        document.body.setAttribute('data-errors', String(Number(document.body.getAttribute('data-errors')) + 1));
        $('updated').textContent = 'no answer from the node (' + e.message + '), retrying';
      })
      .then(function () { window.setTimeout(poll, INTERVAL_MS); });
  }

  window.addEventListener('resize', function () { Object.keys(charts).forEach(drawChart); });
  poll();
}());
