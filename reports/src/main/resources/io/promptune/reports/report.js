// Promptune report: renders a study from the JSON in #report-data (or, in the live viewer, from the
// endpoint named by data-live). Every piece of study text goes into the page through textContent or
// SVG text nodes, never through innerHTML, so model outputs and dataset fields always stay text.
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var app = document.getElementById('app');
  var ui = { sortKey: 'number', sortDir: 1, filter: '', state: 'ALL', exFilter: '', onlyChanged: false };

  // ---------- small DOM helpers ----------
  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k.indexOf('on') === 0) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k === 'cls' ? 'class' : k, String(v));
    });
  }
  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(parent, c); }); return; }
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function fmt(v, d) {
    if (!isNum(v)) return '–';
    if (d === undefined) d = 3;
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return Number(v.toFixed(d)).toString();
  }
  function fmtParam(v) {
    if (isNum(v)) return Number.isInteger(v) ? String(v) : fmt(v, 3);
    if (Array.isArray(v)) return JSON.stringify(v);
    return v === null || v === undefined ? '–' : String(v);
  }
  function fmtCost(v) { return isNum(v) ? '$' + (v < 0.01 && v > 0 ? v.toFixed(5) : v.toFixed(2)) : '–'; }
  function fmtMs(ms) {
    if (!isNum(ms)) return '–';
    if (ms < 10000) return (ms / 1000).toFixed(1) + ' s';
    var s = Math.round(ms / 1000);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  function card(title, note) {
    var c = el('section', { cls: 'card' });
    if (title) c.appendChild(el('h2', { text: title }));
    if (note) c.appendChild(el('p', { cls: 'note', text: note }));
    return c;
  }

  // ---------- scales and colours ----------
  function linear(d0, d1, r0, r1) {
    if (d0 === d1) { d0 -= 0.5; d1 += 0.5; }
    var f = function (v) { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); };
    f.ticks = function (n) {
      var step = niceStep((d1 - d0) / n), out = [];
      for (var t = Math.ceil(d0 / step) * step; t <= d1 + step * 1e-9; t += step) out.push(Number(t.toFixed(10)));
      return out;
    };
    return f;
  }
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw || 1))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
  }
  var STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]; // viridis
  function colour(t) {
    t = Math.max(0, Math.min(1, isNum(t) ? t : 0));
    var x = t * (STOPS.length - 1), i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
    var a = STOPS[i], b = STOPS[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
  }
  function extent(vals) {
    var v = vals.filter(isNum);
    if (!v.length) return [0, 1];
    return [Math.min.apply(null, v), Math.max.apply(null, v)];
  }

  var tip = null;
  function tooltip(node, text) {
    node.addEventListener('mousemove', function (ev) {
      if (!tip) { tip = el('div', { cls: 'tip' }); document.body.appendChild(tip); }
      tip.textContent = text;
      tip.style.display = 'block';
      tip.style.left = (ev.clientX + 12) + 'px';
      tip.style.top = (ev.clientY + 12) + 'px';
    });
    node.addEventListener('mouseleave', function () { if (tip) tip.style.display = 'none'; });
    node.appendChild(sv('title', { text: text }));
  }
  function trialText(t, d) {
    var lines = ['trial #' + t.number + ' (' + t.state.toLowerCase() + ')', d.objective.metric + ': ' + fmt(t.value)];
    d.paramNames.forEach(function (p) { lines.push(p + ' = ' + fmtParam(t.params[p])); });
    return lines.join('\n');
  }

  // A frame with axes: returns {g, x, y} where x/y map data to pixels.
  function frame(svg, W, H, m, xd, yd, xLabel, yLabel, xCats) {
    var x = linear(xd[0], xd[1], m.l, W - m.r), y = linear(yd[0], yd[1], H - m.b, m.t);
    y.ticks(4).forEach(function (t) {
      svg.appendChild(sv('line', { cls: 'gridline', x1: m.l, x2: W - m.r, y1: y(t), y2: y(t) }));
      svg.appendChild(sv('text', { x: m.l - 6, y: y(t) + 4, 'text-anchor': 'end', text: fmt(t, 2) }));
    });
    if (xCats) {
      xCats.forEach(function (c, i) {
        svg.appendChild(sv('text', { x: x(i), y: H - m.b + 16, 'text-anchor': 'middle', text: truncate(c, 14) }));
      });
    } else {
      x.ticks(5).forEach(function (t) {
        svg.appendChild(sv('text', { x: x(t), y: H - m.b + 16, 'text-anchor': 'middle', text: fmt(t, 3) }));
      });
    }
    svg.appendChild(sv('line', { cls: 'axis', x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }));
    svg.appendChild(sv('line', { cls: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }));
    if (xLabel) svg.appendChild(sv('text', { x: (m.l + W - m.r) / 2, y: H - 4, 'text-anchor': 'middle', text: xLabel }));
    if (yLabel) svg.appendChild(sv('text', { x: 12, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 12 ' + (m.t + H - m.b) / 2 + ')', text: yLabel }));
    return { x: x, y: y };
  }
  function truncate(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '…' : s; }
  function chart(W, H, label) { return sv('svg', { cls: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label }); }

  function scored(d) { return d.trials.filter(function (t) { return isNum(t.value) && t.state !== 'FAILED' && t.state !== 'RUNNING'; }); }
  function complete(d) { return d.trials.filter(function (t) { return t.state === 'COMPLETE' && isNum(t.value); }); }
  function bestNumber(d) { return d.best ? d.best.number : null; }

  // ---------- sections ----------
  function header(d) {
    var run = d.run || {};
    var h = el('header', null,
      el('h1', null, 'Study ', el('span', { text: d.study }),
        el('span', { cls: 'pill' + (d.finished ? '' : ' live'), text: d.finished ? 'finished' : 'in progress' })));
    var sub = el('p', { cls: 'sub' });
    if (run.modelId) sub.appendChild(el('span', { text: 'model ' + run.modelId }));
    if (run.dataset) sub.appendChild(el('span', { text: 'data ' + run.dataset + ' (' + run.tuneExamples + ' tune / ' + run.testExamples + ' held-out)' }));
    sub.appendChild(el('span', { text: (d.objective.maximize ? 'maximize ' : 'minimize ') + d.objective.metric }));
    if (run.sampler) sub.appendChild(el('span', { text: 'sampler ' + run.sampler }));
    h.appendChild(sub);
    return h;
  }

  function verdict(d) {
    var c = card(null);
    var hero = el('div', { cls: 'hero' });
    var cmp = d.comparison, metric = d.objective.metric;
    var left = el('div', { cls: 'verdict' });
    if (cmp) {
      var diff = cmp.difference, better = d.objective.maximize ? diff > 0 : diff < 0;
      left.appendChild(el('div', { cls: 'note', text: d.best.isBaseline
        ? 'No trial beat your current configuration: the baseline (trial #' + d.best.number + ') stays the best, on ' + cmp.best.n + ' held-out examples'
        : 'Best configuration (trial #' + d.best.number + ') on ' + cmp.best.n + ' held-out examples' }));
      left.appendChild(el('div', null, el('span', { cls: 'big', text: isNum(cmp.best.mean) ? cmp.best.mean.toFixed(3) : '–' }), ' ',
        el('span', { text: metric + '  [' + fmt(cmp.best.ciLow) + ', ' + fmt(cmp.best.ciHigh) + '] 95% CI' })));
      left.appendChild(el('div', null, 'Baseline (your current template and parameters): ',
        el('b', { text: fmt(cmp.baseline.mean) }), ' [' + fmt(cmp.baseline.ciLow) + ', ' + fmt(cmp.baseline.ciHigh) + ']'));
      left.appendChild(el('div', { style: 'margin-top:8px' }, 'Difference: ',
        el('span', { cls: 'delta ' + (diff >= 0 ? 'up' : 'down'), text: (diff >= 0 ? '+' : '') + fmt(diff) }),
        ' [' + fmt(cmp.ciLow) + ', ' + fmt(cmp.ciHigh) + '], p = ' + fmt(cmp.pValue, 4) + '  '));
      var cls = cmp.significant ? (better ? 'sig' : 'worse') : 'nsig';
      var txt = cmp.significant ? (better ? 'Significantly better than the baseline' : 'Significantly worse than the baseline')
        : 'Not significantly different from the baseline (p ≥ 0.05)';
      left.appendChild(el('div', { style: 'margin-top:10px' }, el('span', { cls: 'badge ' + cls, text: txt })));
      if (isNum(cmp.wins)) left.appendChild(el('p', { cls: 'note', style: 'margin:8px 0 0', text: 'Per example, the best configuration won ' + cmp.wins + ', lost ' + cmp.losses + ' and tied ' + cmp.ties + '.' }));
      left.appendChild(el('p', { cls: 'note', text: 'Method: ' + cmp.method + '.' }));
      hero.appendChild(left);
      hero.appendChild(forest(cmp, metric));
    } else if (d.best) {
      left.appendChild(el('div', { cls: 'note', text: d.finished ? 'Best trial (no held-out split was scored)' : 'Best trial so far' }));
      left.appendChild(el('div', null, el('span', { cls: 'big', text: fmt(d.best.value) }), ' ',
        el('span', { text: metric + ' on the tune split (trial #' + d.best.number + ')' })));
      hero.appendChild(left);
    } else {
      left.appendChild(el('p', { cls: 'empty', text: 'No trial has finished yet.' }));
      hero.appendChild(left);
    }
    c.appendChild(hero);
    return c;
  }

  // Intervals of the baseline, the best, and their difference on one axis.
  function forest(cmp, metric) {
    var W = 460, H = 150, m = { l: 110, r: 20, t: 14, b: 30 };
    var rows = [['baseline', cmp.baseline.mean, cmp.baseline.ciLow, cmp.baseline.ciHigh, '#8a93a6'],
      ['best', cmp.best.mean, cmp.best.ciLow, cmp.best.ciHigh, '#4f46e5'],
      ['difference', cmp.difference, cmp.ciLow, cmp.ciHigh, cmp.significant ? '#0f8a5f' : '#8a93a6']];
    var lo = Math.min(0, cmp.ciLow, cmp.baseline.ciLow, cmp.best.ciLow), hi = Math.max(0, cmp.ciHigh, cmp.best.ciHigh, cmp.baseline.ciHigh);
    var svg = chart(W, H, 'held-out ' + metric + ' with 95% intervals');
    var x = linear(lo - 0.02, hi + 0.02, m.l, W - m.r);
    x.ticks(5).forEach(function (t) {
      svg.appendChild(sv('line', { cls: 'gridline', x1: x(t), x2: x(t), y1: m.t, y2: H - m.b }));
      svg.appendChild(sv('text', { x: x(t), y: H - m.b + 16, 'text-anchor': 'middle', text: fmt(t, 2) }));
    });
    svg.appendChild(sv('line', { x1: x(0), x2: x(0), y1: m.t, y2: H - m.b, stroke: '#9aa3b5', 'stroke-dasharray': '3 3' }));
    rows.forEach(function (r, i) {
      var y = m.t + 18 + i * 36;
      svg.appendChild(sv('text', { x: m.l - 10, y: y + 4, 'text-anchor': 'end', text: r[0] }));
      svg.appendChild(sv('line', { x1: x(r[2]), x2: x(r[3]), y1: y, y2: y, stroke: r[4], 'stroke-width': 3, 'stroke-linecap': 'round' }));
      var dot = sv('circle', { cx: x(r[1]), cy: y, r: 6, fill: r[4] });
      tooltip(dot, r[0] + ': ' + fmt(r[1]) + ' [' + fmt(r[2]) + ', ' + fmt(r[3]) + ']');
      svg.appendChild(dot);
    });
    return svg;
  }

  function bestConfig(d) {
    if (!d.best) return null;
    var c = card('Best configuration', 'Trial #' + d.best.number + '. Paste it into a config file or into Java.');
    var g = el('div', { cls: 'grid2' });
    [['YAML', d.best.yaml], ['Java', d.best.java]].forEach(function (p) {
      var pre = el('pre', { cls: 'code', text: p[1] });
      var btn = el('button', { type: 'button', text: 'Copy', onclick: function () {
        var done = function () { btn.textContent = 'Copied'; setTimeout(function () { btn.textContent = 'Copy'; }, 1200); };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(p[1]).then(done, function () { selectText(pre); });
        else { selectText(pre); }
      } });
      g.appendChild(el('div', null, el('div', { cls: 'codehead' }, el('b', { text: p[0] }), btn), pre));
    });
    c.appendChild(g);
    return c;
  }
  function selectText(node) {
    var r = document.createRange(); r.selectNodeContents(node);
    var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
  }

  function totals(d) {
    var t = d.totals, c = card('Cost of the search');
    var items = [
      ['Trials', t.trials, t.complete + ' complete · ' + t.pruned + ' pruned · ' + t.failed + ' failed' + (t.running ? ' · ' + t.running + ' running' : '')],
      ['Model calls', fmt(t.modelCalls, 0), (isNum(t.savedCalls) ? fmt(t.savedCalls, 0) + ' saved by racing' : '') + (isNum(t.sideCalls) ? (isNum(t.savedCalls) ? ' · ' : '') + 'incl. ' + fmt(t.sideCalls, 0) + ' outside trials' : '')],
      ['Input tokens', fmt(t.inputTokens, 0), ''],
      ['Output tokens', fmt(t.outputTokens, 0), ''],
      ['Cost', fmtCost(t.costUsd), 'at the configured prices'],
      ['Time', fmtMs(t.durationMs), t.stopReason || '']];
    var s = el('div', { cls: 'stats' });
    items.forEach(function (i) { s.appendChild(el('div', { cls: 'stat' }, el('div', { cls: 'k', text: i[0] }), el('div', { cls: 'v', text: i[1] }), el('div', { cls: 's', text: i[2] }))); });
    c.appendChild(s);
    return c;
  }

  function history(d) {
    var c = card('Optimization history', 'Each trial\'s ' + d.objective.metric + ' on the tune split (bars: 95% interval); pruned trials show their score when racing stopped them; the line is the best so far.');
    var pts = scored(d);
    if (!pts.length) { c.appendChild(el('p', { cls: 'empty', text: 'No scored trial yet.' })); return c; }
    var W = 1080, H = 300, m = { l: 48, r: 16, t: 12, b: 34 };
    var svg = chart(W, H, 'optimization history');
    var ys = [];
    pts.forEach(function (t) { ys.push(t.value, t.ciLow, t.ciHigh); });
    var yd = extent(ys), xd = [0, Math.max(1, d.trials.length - 1)];
    var f = frame(svg, W, H, m, [xd[0] - 0.5, xd[1] + 0.5], [yd[0] - 0.05, yd[1] + 0.05], 'trial', d.objective.metric);
    var bestSoFar = null, path = [];
    d.trials.forEach(function (t) {
      if (t.state === 'COMPLETE' && isNum(t.value) && (bestSoFar === null || (d.objective.maximize ? t.value > bestSoFar : t.value < bestSoFar))) bestSoFar = t.value;
      if (bestSoFar !== null) path.push((path.length ? 'L' : 'M') + f.x(t.number) + ' ' + f.y(bestSoFar));
    });
    if (path.length) svg.appendChild(sv('path', { d: path.join(' '), fill: 'none', stroke: '#4f46e5', 'stroke-width': 2, opacity: 0.8 }));
    pts.forEach(function (t) {
      var isBest = t.number === bestNumber(d), pruned = t.state === 'PRUNED';
      if (isNum(t.ciLow) && isNum(t.ciHigh) && !pruned) {
        svg.appendChild(sv('line', { x1: f.x(t.number), x2: f.x(t.number), y1: f.y(t.ciLow), y2: f.y(t.ciHigh), stroke: '#c5cae0', 'stroke-width': 2 }));
      }
      var dot = sv('circle', { cx: f.x(t.number), cy: f.y(t.value), r: isBest ? 7 : 4.5,
        fill: pruned ? 'white' : isBest ? '#4f46e5' : '#6b8afd', stroke: pruned ? '#a3a9b8' : isBest ? '#1e1b6b' : 'white', 'stroke-width': 1.5 });
      tooltip(dot, trialText(t, d));
      svg.appendChild(dot);
    });
    c.appendChild(svg);
    c.appendChild(el('div', { cls: 'legend' },
      el('span', null, el('i', { style: 'background:#6b8afd' }), 'complete'),
      el('span', null, el('i', { style: 'background:white;border:1.5px solid #a3a9b8' }), 'pruned'),
      el('span', null, el('i', { style: 'background:#4f46e5' }), 'best'),
      el('span', null, el('i', { style: 'background:#4f46e5;border-radius:0;height:2px' }), 'best so far')));
    return c;
  }

  function importance(d) {
    var imp = d.importance, c = card('Parameter importance', 'Method: ' + imp.method);
    if (!imp.values.length) { c.appendChild(el('p', { cls: 'empty', text: 'Needs at least 3 complete trials.' })); return c; }
    var W = 520, rowH = 30, m = { l: 150, r: 70, t: 6 }, H = m.t + rowH * imp.values.length + 6;
    var svg = chart(W, H, 'parameter importance');
    var x = linear(0, 1, m.l, W - m.r);
    imp.values.forEach(function (v, i) {
      var y = m.t + i * rowH;
      svg.appendChild(sv('text', { x: m.l - 8, y: y + 18, 'text-anchor': 'end', text: truncate(v.param, 20) }));
      svg.appendChild(sv('rect', { x: m.l, y: y + 5, width: Math.max(1, x(v.importance) - m.l), height: 18, rx: 4, fill: colour(0.25 + 0.6 * v.importance) }));
      var label = fmt(v.importance * 100, 0) + '%' + (isNum(v.spearman) ? (v.spearman >= 0 ? '  ↑' : '  ↓') : '');
      svg.appendChild(sv('text', { x: x(v.importance) + 6, y: y + 18, text: label }));
    });
    c.appendChild(svg);
    c.appendChild(el('p', { cls: 'note', text: '↑ higher values tend to score higher, ↓ lower (Spearman rank correlation over complete trials).' }));
    return c;
  }

  function pareto(d) {
    var pts = complete(d).filter(function (t) { return isNum(t.outputTokens) && t.modelCalls; });
    var c = card('Quality against cost', 'Each complete trial\'s ' + d.objective.metric + ' against its mean output tokens per call; the Pareto front (no other trial is both better and cheaper) is joined.');
    if (!pts.length) { c.appendChild(el('p', { cls: 'empty', text: 'No complete trial yet.' })); return c; }
    var W = 520, H = 280, m = { l: 48, r: 16, t: 12, b: 34 };
    var svg = chart(W, H, 'pareto front');
    var cost = function (t) { return t.outputTokens / t.modelCalls; };
    var xd = extent(pts.map(cost)), yd = extent(pts.map(function (t) { return t.value; }));
    var f = frame(svg, W, H, m, [xd[0] - 0.5, xd[1] + 0.5], [yd[0] - 0.03, yd[1] + 0.03], 'output tokens per call', d.objective.metric);
    var better = function (a, b) { return d.objective.maximize ? a >= b : a <= b; };
    var front = pts.filter(function (p) {
      return !pts.some(function (q) { return q !== p && cost(q) <= cost(p) && better(q.value, p.value) && (cost(q) < cost(p) || q.value !== p.value); });
    }).sort(function (a, b) { return cost(a) - cost(b); });
    if (front.length > 1) svg.appendChild(sv('path', { d: front.map(function (t, i) { return (i ? 'L' : 'M') + f.x(cost(t)) + ' ' + f.y(t.value); }).join(' '), fill: 'none', stroke: '#0f8a5f', 'stroke-width': 2 }));
    pts.forEach(function (t) {
      var onFront = front.indexOf(t) >= 0;
      var dot = sv('circle', { cx: f.x(cost(t)), cy: f.y(t.value), r: onFront ? 6 : 4, fill: onFront ? '#0f8a5f' : '#b8c0d6', stroke: 'white', 'stroke-width': 1 });
      tooltip(dot, trialText(t, d) + '\noutput tokens/call: ' + fmt(cost(t), 1));
      svg.appendChild(dot);
    });
    c.appendChild(svg);
    return c;
  }

  // Axis helper for plots over parameters: numeric (linear) or categorical (evenly spaced choices).
  function paramAxis(d, p, pts) {
    if (d.paramKinds[p] === 'categorical') {
      var cats = [];
      pts.forEach(function (t) { var v = fmtParam(t.params[p]); if (cats.indexOf(v) < 0) cats.push(v); });
      cats.sort();
      return { cats: cats, pos: function (t) { return cats.indexOf(fmtParam(t.params[p])); }, domain: [-0.5, cats.length - 0.5] };
    }
    var ext = extent(pts.map(function (t) { return t.params[p]; }));
    return { cats: null, pos: function (t) { return t.params[p]; }, domain: ext };
  }

  function parallel(d) {
    var pts = scored(d), c = card('Parallel coordinates', 'One line per scored trial across every parameter and the objective; colour follows ' + d.objective.metric + ' (yellow is better), the best trial is drawn thick.');
    if (pts.length < 2 || !d.paramNames.length) { c.appendChild(el('p', { cls: 'empty', text: 'Needs at least 2 scored trials.' })); return c; }
    var axes = d.paramNames.map(function (p) { return { name: p, ax: paramAxis(d, p, pts) }; });
    axes.push({ name: d.objective.metric, ax: { cats: null, pos: function (t) { return t.value; }, domain: extent(pts.map(function (t) { return t.value; })) } });
    var W = 1080, H = 320, m = { l: 40, r: 60, t: 26, b: 24 };
    var svg = chart(W, H, 'parallel coordinates');
    var xs = linear(0, axes.length - 1, m.l, W - m.r);
    var vd = extent(pts.map(function (t) { return t.value; }));
    var norm = function (v) { var s = (v - vd[0]) / ((vd[1] - vd[0]) || 1); return d.objective.maximize ? s : 1 - s; };
    var ys = axes.map(function (a) { return linear(a.ax.domain[0], a.ax.domain[1], H - m.b, m.t); });
    var order = pts.slice().sort(function (a, b) { return norm(a.value) - norm(b.value); });
    order.forEach(function (t) {
      var isBest = t.number === bestNumber(d);
      var dpath = axes.map(function (a, i) { var v = a.ax.pos(t); return (i ? 'L' : 'M') + xs(i) + ' ' + (isNum(v) && v >= 0 || !a.ax.cats && isNum(v) ? ys[i](v) : H - m.b); }).join(' ');
      var line = sv('path', { d: dpath, fill: 'none', stroke: isBest ? '#e11d48' : colour(norm(t.value)), 'stroke-width': isBest ? 3.5 : 1.5, opacity: isBest ? 1 : 0.75 });
      tooltip(line, trialText(t, d));
      svg.appendChild(line);
    });
    axes.forEach(function (a, i) {
      svg.appendChild(sv('line', { cls: 'axis', x1: xs(i), x2: xs(i), y1: m.t, y2: H - m.b, stroke: '#6b7280' }));
      svg.appendChild(sv('text', { x: xs(i), y: m.t - 10, 'text-anchor': 'middle', style: 'font-weight:600;fill:#1d2330', text: truncate(a.name, 18) }));
      if (a.ax.cats) a.ax.cats.forEach(function (cat, k) { svg.appendChild(sv('text', { cls: 'halo', x: xs(i) + 5, y: ys[i](k) + 4, text: truncate(cat, 16) })); });
      else [a.ax.domain[0], a.ax.domain[1]].forEach(function (v) { svg.appendChild(sv('text', { cls: 'halo', x: xs(i) + 5, y: ys[i](v) + 4, text: fmt(v, 3) })); });
    });
    c.appendChild(svg);
    return c;
  }

  function slices(d) {
    var pts = scored(d), c = card('Slice plots', 'The objective against each parameter alone (complete trials filled, pruned hollow).');
    if (!pts.length || !d.paramNames.length) { c.appendChild(el('p', { cls: 'empty', text: 'No scored trial yet.' })); return c; }
    var box = el('div', { cls: 'slices' });
    var yd = extent(pts.map(function (t) { return t.value; }));
    d.paramNames.forEach(function (p) {
      var ax = paramAxis(d, p, pts), W = 300, H = 200, m = { l: 40, r: 10, t: 8, b: 30 };
      var svg = chart(W, H, 'slice ' + p);
      var f = frame(svg, W, H, m, ax.cats ? ax.domain : [ax.domain[0], ax.domain[1]], [yd[0] - 0.03, yd[1] + 0.03], null, null, ax.cats);
      pts.forEach(function (t, i) {
        var v = ax.pos(t);
        if (!isNum(v)) return;
        var jitter = ax.cats ? ((i * 37) % 17 - 8) / 40 : 0;
        var dot = sv('circle', { cx: f.x(v + jitter), cy: f.y(t.value), r: t.number === bestNumber(d) ? 6 : 4,
          fill: t.state === 'PRUNED' ? 'white' : t.number === bestNumber(d) ? '#4f46e5' : '#6b8afd', stroke: t.state === 'PRUNED' ? '#a3a9b8' : 'white' });
        tooltip(dot, trialText(t, d));
        svg.appendChild(dot);
      });
      box.appendChild(el('figure', null, el('figcaption', { text: p }), svg));
    });
    c.appendChild(box);
    return c;
  }

  function contour(d) {
    var numeric = d.paramNames.filter(function (p) { return d.paramKinds[p] === 'numeric'; });
    var ranked = (d.importance.values || []).map(function (v) { return v.param; }).filter(function (p) { return numeric.indexOf(p) >= 0; });
    numeric.forEach(function (p) { if (ranked.indexOf(p) < 0) ranked.push(p); });
    var pts = complete(d);
    var c = card('Contour', ranked.length >= 2 ? 'The objective over the two most important numeric parameters, ' + ranked[0] + ' and ' + ranked[1] + ', interpolated between complete trials (inverse-distance weighting); dots are trials.' : null);
    if (ranked.length < 2 || pts.length < 3) { c.appendChild(el('p', { cls: 'empty', text: 'Needs two numeric parameters and at least 3 complete trials.' })); return c; }
    var px = ranked[0], py = ranked[1], W = 520, H = 300, m = { l: 48, r: 16, t: 10, b: 34 };
    var svg = chart(W, H, 'contour ' + px + ' ' + py);
    var xd = extent(pts.map(function (t) { return t.params[px]; })), yd = extent(pts.map(function (t) { return t.params[py]; }));
    var f = frame(svg, W, H, m, xd, yd, px, py);
    var vd = extent(pts.map(function (t) { return t.value; }));
    var norm = function (v) { var s = (v - vd[0]) / ((vd[1] - vd[0]) || 1); return d.objective.maximize ? s : 1 - s; };
    var N = 28, sx = (xd[1] - xd[0]) || 1, sy = (yd[1] - yd[0]) || 1;
    var cw = (W - m.r - m.l) / N, ch = (H - m.b - m.t) / N;
    for (var i = 0; i < N; i++) {
      for (var j = 0; j < N; j++) {
        var gx = xd[0] + (i + 0.5) / N * sx, gy = yd[0] + (j + 0.5) / N * sy, wsum = 0, vsum = 0;
        pts.forEach(function (t) {
          var dx = (t.params[px] - gx) / sx, dy = (t.params[py] - gy) / sy, w = 1 / (dx * dx + dy * dy + 1e-4);
          wsum += w; vsum += w * t.value;
        });
        svg.appendChild(sv('rect', { x: m.l + i * cw, y: H - m.b - (j + 1) * ch, width: cw + 0.5, height: ch + 0.5, fill: colour(norm(vsum / wsum)), opacity: 0.85 }));
      }
    }
    pts.forEach(function (t) {
      var dot = sv('circle', { cx: f.x(t.params[px]), cy: f.y(t.params[py]), r: t.number === bestNumber(d) ? 6 : 3.5,
        fill: t.number === bestNumber(d) ? '#e11d48' : 'white', stroke: '#111827', 'stroke-width': 1 });
      tooltip(dot, trialText(t, d));
      svg.appendChild(dot);
    });
    c.appendChild(svg);
    return c;
  }

  function trialsTable(d) {
    var c = card('Trials', 'Click a column to sort; type to filter.');
    var metricNames = d.run && d.run.metrics ? d.run.metrics : [];
    var cols = [
      { key: 'number', label: '#', num: true, get: function (t) { return t.number; } },
      { key: 'state', label: 'state', get: function (t) { return t.state; } },
      { key: 'value', label: d.objective.metric, num: true, get: function (t) { return t.value; }, show: function (t) { return fmt(t.value); } },
      { key: 'ci', label: '95% CI', num: true, get: function (t) { return t.ciLow; }, show: function (t) { return isNum(t.ciLow) ? '[' + fmt(t.ciLow) + ', ' + fmt(t.ciHigh) + ']' : '–'; } },
      { key: 'examples', label: 'examples', num: true, get: function (t) { return t.examples; } }];
    metricNames.filter(function (mn) { return mn !== d.objective.metric; }).forEach(function (mn) {
      cols.push({ key: 'm:' + mn, label: mn, num: true, get: function (t) { return t.metrics ? t.metrics[mn] : null; }, show: function (t) { return fmt(t.metrics ? t.metrics[mn] : null); } });
    });
    d.paramNames.forEach(function (p) {
      cols.push({ key: 'p:' + p, label: p, num: d.paramKinds[p] === 'numeric', get: function (t) { return t.params[p]; }, show: function (t) { return fmtParam(t.params[p]); } });
    });
    cols.push({ key: 'tokens', label: 'tokens', num: true, get: function (t) { return (t.inputTokens || 0) + (t.outputTokens || 0); }, show: function (t) { return fmt((t.inputTokens || 0) + (t.outputTokens || 0), 0); } });
    cols.push({ key: 'cost', label: 'cost', num: true, get: function (t) { return t.costUsd; }, show: function (t) { return fmtCost(t.costUsd); } });
    cols.push({ key: 'time', label: 'time', num: true, get: function (t) { return t.durationMs; }, show: function (t) { return fmtMs(t.durationMs); } });

    var tbody = el('tbody');
    var thead = el('tr');
    var table = el('table', { id: 'trials-table' }, el('thead', null, thead), tbody);
    var search = el('input', { type: 'search', placeholder: 'Filter trials (any text, e.g. a template name)', value: ui.filter, 'aria-label': 'filter trials' });
    var state = el('select', { 'aria-label': 'state' });
    ['ALL', 'COMPLETE', 'PRUNED', 'FAILED', 'RUNNING'].forEach(function (s) { state.appendChild(el('option', { value: s, text: s === 'ALL' ? 'all states' : s.toLowerCase(), selected: s === ui.state ? 'selected' : null })); });
    var count = el('span', { cls: 'note' });

    function draw() {
      var key = cols.filter(function (k) { return k.key === ui.sortKey; })[0] || cols[0];
      var rows = d.trials.filter(function (t) {
        if (ui.state !== 'ALL' && t.state !== ui.state) return false;
        if (!ui.filter) return true;
        var hay = cols.map(function (col) { return col.show ? col.show(t) : String(col.get(t)); }).join(' ').toLowerCase();
        return hay.indexOf(ui.filter.toLowerCase()) >= 0;
      });
      rows.sort(function (a, b) {
        var x = key.get(a), y = key.get(b);
        var xn = x === null || x === undefined, yn = y === null || y === undefined;
        if (xn || yn) return xn === yn ? a.number - b.number : xn ? 1 : -1; // blanks last either way
        if (typeof x === 'number' && typeof y === 'number') return (x - y) * ui.sortDir || a.number - b.number;
        return String(x).localeCompare(String(y)) * ui.sortDir || a.number - b.number;
      });
      thead.replaceChildren();
      cols.forEach(function (col) {
        thead.appendChild(el('th', { cls: 'sortable', 'data-key': col.key, scope: 'col',
          'aria-sort': col.key === ui.sortKey ? (ui.sortDir > 0 ? 'ascending' : 'descending') : null,
          onclick: function () {
            if (ui.sortKey === col.key) ui.sortDir = -ui.sortDir;
            else { ui.sortKey = col.key; ui.sortDir = col.key === 'value' && d.objective.maximize ? -1 : 1; }
            draw();
          }, text: col.label }));
      });
      tbody.replaceChildren();
      rows.forEach(function (t) {
        var tr = el('tr', { cls: t.number === bestNumber(d) ? 'best' : null, 'data-number': t.number });
        cols.forEach(function (col) {
          var td = el('td', { cls: col.num ? 'num' : null });
          if (col.key === 'state') td.appendChild(el('span', { cls: 'state ' + t.state, text: t.state.toLowerCase(), title: t.error || null }));
          else td.textContent = col.show ? col.show(t) : (col.get(t) === null || col.get(t) === undefined ? '–' : String(col.get(t)));
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      count.textContent = rows.length + ' of ' + d.trials.length + ' trials';
    }
    search.addEventListener('input', function () { ui.filter = search.value; draw(); });
    state.addEventListener('change', function () { ui.state = state.value; draw(); });
    c.appendChild(el('div', { cls: 'toolbar' }, search, state, count));
    c.appendChild(el('div', { cls: 'tablewrap' }, table));
    draw();
    return c;
  }

  // Word-level diff (LCS) of the baseline's output against the best's: deletions and insertions.
  function diff(a, b) {
    var A = a.split(/(\s+)/), B = b.split(/(\s+)/);
    if (A.length * B.length > 250000) return [el('span', { text: b })];
    var n = A.length, m = B.length, L = [];
    for (var i = 0; i <= n; i++) { L.push(new Int32Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) for (var j = m - 1; j >= 0; j--) L[i][j] = A[i] === B[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    var out = []; i = 0; j = 0;
    while (i < n && j < m) {
      if (A[i] === B[j]) { out.push(document.createTextNode(A[i])); i++; j++; }
      else if (L[i + 1][j] >= L[i][j + 1]) { out.push(el('del', { text: A[i] })); i++; }
      else { out.push(el('ins', { text: B[j] })); j++; }
    }
    for (; i < n; i++) out.push(el('del', { text: A[i] }));
    for (; j < m; j++) out.push(el('ins', { text: B[j] }));
    return out;
  }

  function examples(d) {
    if (!d.examples || !d.examples.length) return null;
    var c = card('Held-out examples: best against baseline', 'Every held-out example with both outputs. In the best output, green is text the baseline lacked and red is baseline text it dropped. Open "details" for each metric\'s verdict and the full prompts.');
    var search = el('input', { type: 'search', placeholder: 'Filter examples (input, expected or output text)', value: ui.exFilter, 'aria-label': 'filter examples' });
    var changed = el('select', { 'aria-label': 'which examples' });
    [['all', 'all examples'], ['changed', 'score changed'], ['better', 'best better'], ['worse', 'best worse']].forEach(function (o) {
      changed.appendChild(el('option', { value: o[0], text: o[1] }));
    });
    var count = el('span', { cls: 'note' });
    var tbody = el('tbody');
    var table = el('table', { id: 'examples-table', cls: 'ex' }, el('thead', null, el('tr', null,
      el('th', { text: 'example' }), el('th', { text: 'input' }), el('th', { text: 'expected' }),
      el('th', { text: 'baseline' }), el('th', { text: 'best' }))), tbody);
    function inputText(e) { return Object.keys(e.inputs).map(function (k) { return Object.keys(e.inputs).length > 1 ? k + ': ' + e.inputs[k] : String(e.inputs[k]); }).join('\n'); }
    function side(s, other, isBest) {
      var td = el('td');
      td.appendChild(el('div', null, el('span', { cls: 'score s' + (s.score >= 0.5 ? 1 : 0), text: fmt(s.score) }),
        s.error ? el('span', { cls: 'state FAILED', text: 'error', title: s.error, style: 'margin-left:6px' }) : null));
      td.appendChild(el('div', { cls: 'out' }, isBest ? diff(other.output || '', s.output || '') : el('span', { text: s.output })));
      var det = el('details', null, el('summary', { text: 'details' }));
      det.appendChild(el('pre', { text: JSON.stringify({ scores: s.scores, details: s.details, finish: s.finishReason, outputTokens: s.outputTokens, latencyMs: s.latencyMs }, null, 2) }));
      det.appendChild(el('pre', { text: s.prompt || '' }));
      td.appendChild(det);
      return td;
    }
    function draw() {
      tbody.replaceChildren();
      var q = ui.exFilter.toLowerCase(), shown = 0;
      d.examples.forEach(function (e) {
        var delta = e.best.score - e.baseline.score;
        var sel = changed.value;
        if (sel === 'changed' && delta === 0) return;
        if (sel === 'better' && !(d.objective.maximize ? delta > 0 : delta < 0)) return;
        if (sel === 'worse' && !(d.objective.maximize ? delta < 0 : delta > 0)) return;
        var hay = (e.id + ' ' + inputText(e) + ' ' + e.expected.join(' ') + ' ' + e.baseline.output + ' ' + e.best.output).toLowerCase();
        if (q && hay.indexOf(q) < 0) return;
        shown++;
        tbody.appendChild(el('tr', null, el('td', { text: e.id }), el('td', { cls: 'inp', text: inputText(e) }),
          el('td', { cls: 'inp', text: e.expected.join(' | ') }), side(e.baseline, e.best, false), side(e.best, e.baseline, true)));
      });
      count.textContent = shown + ' of ' + d.examples.length + ' examples';
    }
    search.addEventListener('input', function () { ui.exFilter = search.value; draw(); });
    changed.addEventListener('change', draw);
    c.appendChild(el('div', { cls: 'toolbar' }, search, changed, count));
    c.appendChild(el('div', { cls: 'tablewrap' }, table));
    draw();
    return c;
  }

  function templates(d) {
    if (!d.run || !d.run.templates) return null;
    var c = card('Templates', 'The prompt templates the search chose from; the baseline used "' + d.run.baselineTemplate + '".');
    Object.keys(d.run.templates).forEach(function (name) {
      var t = d.run.templates[name], text = typeof t === 'string' ? t
        : Object.keys(t).map(function (part) { return part + ': ' + t[part]; }).join('\n');
      c.appendChild(el('div', { cls: 'codehead' }, el('b', { text: name })));
      c.appendChild(el('pre', { cls: 'code', style: 'margin-bottom:12px;white-space:pre-wrap', text: text }));
    });
    return c;
  }

  // ---------- prompt search ----------
  function promptSearch(d) {
    var ps = d.promptSearch;
    if (!ps) return null;
    var c = card('Prompt search: proposed instructions and prompt settings',
      'Instructions a model proposed while the study ran (model output, shown as plain text), where each came from, and how the trials that used it scored on the tune split (held-out: only the best trial is re-scored there).');
    c.id = 'prompt-search';
    if (ps.best) {
      var s = ps.best.settings, parts = [];
      if (s.few_shot !== undefined) parts.push('few-shot ' + fmtParam(s.few_shot) + (isNum(s.few_shot) && s.few_shot > 0 && s.few_shot_strategy ? ' (' + s.few_shot_strategy + ')' : ''));
      if (s.instruction !== undefined) parts.push('instruction ' + (s.proposal ? s.proposal : fmtParam(s.instruction)));
      if (s.system_prompt !== undefined) parts.push('instruction as system message: ' + (s.system_prompt ? 'yes' : 'no'));
      if (s.format_hint !== undefined) parts.push('format hint: ' + (s.format_hint ? 'yes' : 'no'));
      if (s.answer_prefix !== undefined) parts.push('answer prefix: ' + (s.answer_prefix === '' ? 'none' : JSON.stringify(s.answer_prefix)));
      if (s.chat !== undefined) parts.push(s.chat ? 'chat template' : 'raw completion');
      c.appendChild(el('p', { cls: 'ps-best', text: 'Best trial #' + ps.best.number + ': ' + (parts.length ? parts.join(' · ') : 'no prompt-search settings') + '.' }));
    }
    var spent = Object.keys(ps.sideSpending || {});
    if (spent.length) {
      c.appendChild(el('p', { cls: 'note ps-spent', text: 'Model calls outside trials (counted in the totals and against the budget): ' + spent.map(function (k) {
        var u = ps.sideSpending[k];
        return k + ' ' + fmt(u.calls, 0) + ' calls, ' + fmt(u.inputTokens + u.outputTokens, 0) + ' tokens, ' + fmtCost(u.costUsd);
      }).join('; ') + '.' }));
    }
    if (!ps.proposals.length) { c.appendChild(el('p', { cls: 'empty', text: 'No instruction was proposed.' })); return c; }
    var tbody = el('tbody');
    ps.proposals.forEach(function (p) {
      var text = el('td', null, el('div', { cls: 'ps-text', text: p.text }));
      var det = el('details', null, el('summary', { text: 'meta-prompt' }), el('pre', { text: p.metaPrompt || '' }));
      text.appendChild(det);
      var uses = p.trials.map(function (u) {
        return '#' + u.number + ' ' + (u.state === 'COMPLETE' ? fmt(u.value) + (isNum(u.ciLow) ? ' [' + fmt(u.ciLow) + ', ' + fmt(u.ciHigh) + ']' : '') : u.state.toLowerCase() + (isNum(u.value) ? ' at ' + fmt(u.value) : ''));
      });
      var ho = p.heldOut ? fmt(p.heldOut.mean) + ' [' + fmt(p.heldOut.ciLow) + ', ' + fmt(p.heldOut.ciHigh) + '] (n=' + p.heldOut.n + ', best trial #' + p.heldOut.trial + ')' : '–';
      tbody.appendChild(el('tr', { 'data-proposal': p.id },
        el('td', { text: p.id }),
        el('td', { text: p.proposerModel + ' · ' + p.style }),
        el('td', { text: 'round ' + p.round + (p.parentTrial !== null && p.parentTrial !== undefined ? ', after trial #' + p.parentTrial : '') + (p.queuedTrial !== null && p.queuedTrial !== undefined ? '; first tried in #' + p.queuedTrial : '') }),
        text,
        el('td', { text: uses.length ? uses.join('; ') : 'not tried yet' }),
        el('td', { text: p.bestTune ? fmt(p.bestTune.value) : '–' }),
        el('td', { text: ho })));
    });
    var head = el('tr');
    ['Id', 'Proposer · meta-prompt', 'When', 'Instruction', 'Trials that used it (tune ' + d.objective.metric + ')', 'Best tune', 'Held-out'].forEach(function (h) { head.appendChild(el('th', { scope: 'col', text: h })); });
    c.appendChild(el('div', { cls: 'tablewrap' }, el('table', { id: 'proposals-table' }, el('thead', null, head), tbody)));
    return c;
  }

  function render(d) {
    var y = window.scrollY;
    app.replaceChildren();
    append(app, [header(d), (d.warnings || []).map(function (w) { return el('p', { cls: 'card note', text: 'Note: ' + w }); }), verdict(d), bestConfig(d), totals(d), history(d),
      el('div', { cls: 'grid2' }, importance(d), pareto(d)),
      parallel(d), slices(d), el('div', { cls: 'grid2' }, contour(d), templates(d) || el('div')),
      promptSearch(d), trialsTable(d), examples(d),
      el('p', { cls: 'note', text: 'Generated by Promptune at ' + d.generatedAt + '.' })]);
    window.scrollTo(0, y);
  }

  function load() {
    var node = document.getElementById('report-data');
    return JSON.parse(node.textContent);
  }

  var data = load();
  render(data);
  var live = app.getAttribute('data-live');
  if (live) {
    var last = JSON.stringify(data.trials) + data.finished;
    setInterval(function () {
      fetch(live, { cache: 'no-store' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
        if (!d) return;
        var key = JSON.stringify(d.trials) + d.finished;
        if (key !== last) { last = key; render(d); }
      }).catch(function () { /* the viewer may be restarting; try again next tick */ });
    }, 2000);
  }
})();
