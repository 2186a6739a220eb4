// Parley operations console. Every string from the server goes into the page as text
// (textContent), never as markup; the Content-Security-Policy forbids inline scripts anyway.
(function () {
  "use strict";

  var COLORS = { calls: "#2f6fed", errors: "#e5484d", p99: "#8b5cf6", grid: "#e9edf3", axis: "#98a2b3" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function append(parent, children) {
    children.forEach(function (c) { parent.appendChild(c); });
    return parent;
  }

  function fixed(value, digits) {
    if (typeof value !== "number" || !isFinite(value)) { return "–"; }
    return value.toFixed(digits);
  }

  function rate(value) {
    return value >= 100 ? fixed(value, 0) : value >= 10 ? fixed(value, 1) : fixed(value, 2);
  }

  function millis(value) {
    if (!value) { return "–"; }
    if (value >= 1000) { return fixed(value / 1000, 2) + " s"; }
    if (value >= 10) { return fixed(value, 0) + " ms"; }
    if (value >= 1) { return fixed(value, 1) + " ms"; }
    return fixed(value * 1000, 0) + " µs";
  }

  function percent(value) {
    return fixed(value * 100, value > 0 && value < 0.1 ? 1 : 0) + "%";
  }

  function errorClass(value) {
    return value >= 0.2 ? "err-bad" : value > 0 ? "err-warn" : "err-ok";
  }

  function sizeCanvas(canvas, cssWidth, cssHeight) {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    canvas.style.height = cssHeight + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }

  // Histories end with the current second, still filling up: charts leave it out so that the
  // line does not dip at its right end.
  function complete(values) {
    return values.length > 1 ? values.slice(0, values.length - 1) : values;
  }

  // A sparkline: a line with a soft fill, scaled to its own maximum.
  function sparkline(history, color) {
    var values = complete(history);
    var canvas = el("canvas", "spark");
    var w = 96, h = 26;
    var ctx = sizeCanvas(canvas, w, h);
    var max = Math.max.apply(null, values.concat([0]));
    if (max <= 0) {
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath(); ctx.moveTo(0, h - 1.5); ctx.lineTo(w, h - 1.5); ctx.stroke();
      return canvas;
    }
    var step = w / Math.max(1, values.length - 1);
    ctx.beginPath();
    values.forEach(function (v, i) {
      var x = i * step, y = h - 2 - (v / max) * (h - 5);
      if (i === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    });
    ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.lineJoin = "round"; ctx.stroke();
    ctx.lineTo(w, h); ctx.lineTo(0, h); ctx.closePath();
    ctx.globalAlpha = 0.15; ctx.fillStyle = color; ctx.fill(); ctx.globalAlpha = 1;
    return canvas;
  }

  // The traffic chart: calls per second as a filled line, errors per second as red bars.
  function drawTraffic(totals) {
    var canvas = document.getElementById("traffic");
    var width = canvas.clientWidth || canvas.parentNode.clientWidth;
    var height = 170;
    var ctx = sizeCanvas(canvas, width, height);
    var calls = complete(totals.rateHistory), errors = complete(totals.errorHistory);
    var left = 44, right = 8, top = 8, bottom = 22;
    var plotW = width - left - right, plotH = height - top - bottom;
    var max = Math.max.apply(null, calls.concat(errors).concat([1]));
    var nice = Math.pow(10, Math.floor(Math.log(max) / Math.LN10));
    var ceiling = Math.ceil(max / nice) * nice;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = COLORS.axis; ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
    for (var g = 0; g <= 4; g++) {
      var gy = top + plotH - (g / 4) * plotH;
      ctx.beginPath(); ctx.moveTo(left, Math.round(gy) + 0.5); ctx.lineTo(width - right, Math.round(gy) + 0.5); ctx.stroke();
      ctx.textAlign = "right"; ctx.fillText(String(Math.round((ceiling * g / 4) * 10) / 10), left - 6, gy + 4);
    }
    var n = calls.length, step = plotW / Math.max(1, n - 1);
    ctx.textAlign = "center";
    for (var t = 0; t < n - 5; t += 10) {
      ctx.fillText("-" + (n - t) + "s", left + t * step, height - 6);
    }
    ctx.textAlign = "right";
    ctx.fillText("-1s", left + (n - 1) * step, height - 6);
    var barW = Math.max(2, step * 0.6);
    ctx.fillStyle = COLORS.errors;
    errors.forEach(function (v, i) {
      if (v > 0) {
        var bh = (v / ceiling) * plotH;
        ctx.fillRect(left + i * step - barW / 2, top + plotH - bh, barW, bh);
      }
    });
    ctx.beginPath();
    calls.forEach(function (v, i) {
      var x = left + i * step, y = top + plotH - (v / ceiling) * plotH;
      if (i === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    });
    ctx.strokeStyle = COLORS.calls; ctx.lineWidth = 2; ctx.lineJoin = "round"; ctx.stroke();
    ctx.lineTo(left + (n - 1) * step, top + plotH); ctx.lineTo(left, top + plotH); ctx.closePath();
    var fill = ctx.createLinearGradient(0, top, 0, top + plotH);
    fill.addColorStop(0, "rgba(47,111,237,0.28)"); fill.addColorStop(1, "rgba(47,111,237,0.02)");
    ctx.fillStyle = fill; ctx.fill();
  }

  function badge(state) {
    if (!state) { return el("span", "muted", "–"); }
    return el("span", "badge state-" + state.replace(/[^A-Z_]/g, ""), state);
  }

  function bar(inUse, max) {
    var wrap = el("span");
    if (!max) { wrap.textContent = "–"; return wrap; }
    var outer = el("span", inUse >= max ? "bar full" : "bar");
    var inner = el("span");
    inner.style.width = Math.min(100, (inUse / max) * 100) + "%";
    outer.appendChild(inner);
    return append(wrap, [outer, el("span", "bar-label", inUse + " / " + max)]);
  }

  function renderInteractions(rows) {
    var body = document.querySelector("#interactions tbody");
    var fresh = document.createDocumentFragment();
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.dataset.service = r.service;
      tr.dataset.operation = r.operation;
      var method = el("td", "wrap");
      append(method, [el("span", "contract", r.contract + " · "), el("span", "op", r.operation)]);
      var rateCell = el("td", "num");
      append(rateCell, [append(el("div", "cell-spark"), [sparkline(r.rateHistory, COLORS.calls), el("span", "rate", rate(r.ratePerSecond))])]);
      var p99Cell = el("td", "num");
      append(p99Cell, [append(el("div", "cell-spark"), [sparkline(r.p99History, COLORS.p99), el("span", "p99", millis(r.p99Millis))])]);
      var errCell = el("td", "num");
      errCell.appendChild(el("span", "error-rate " + errorClass(r.errorRate), percent(r.errorRate)));
      if (r.lastError && r.errors > 0) {
        errCell.appendChild(el("div", "last-error", r.lastError));
      }
      append(tr, [
        el("td", "service wrap", r.service),
        append(el("td"), [el("span", "tag side-" + r.side, r.side === "CLIENT" ? "calls" : "serves")]),
        method,
        append(el("td"), [el("span", "tag", r.style.toLowerCase().replace(/_/g, " "))]),
        el("td", "target contract", r.target || "–"),
        rateCell,
        el("td", "num p50", millis(r.p50Millis)),
        p99Cell,
        errCell,
        append(el("td", "breaker"), [badge(r.breaker)]),
        append(el("td", "bulkhead"), [bar(r.bulkheadInUse, r.bulkheadMax)])
      ]);
      fresh.appendChild(tr);
    });
    body.replaceChildren(fresh);
    document.getElementById("interactions-empty").hidden = rows.length > 0;
  }

  function renderServices(services) {
    var box = document.getElementById("services");
    var fresh = document.createDocumentFragment();
    services.forEach(function (s) {
      var card = el("div", "service");
      card.appendChild(el("div", "service-name", s.service));
      var instances = el("div", "chips");
      s.instances.forEach(function (i) {
        instances.appendChild(el("span", "chip", i.instance + (i.transport ? " · " + i.transport : "")));
      });
      var contracts = el("div", "chips");
      s.contracts.forEach(function (c) {
        var chip = el("span", "chip contract-chip", c.contract);
        chip.title = c.address;
        contracts.appendChild(chip);
      });
      append(card, [instances, contracts]);
      fresh.appendChild(card);
    });
    if (services.length === 0) { fresh.appendChild(el("p", "empty", "No services observed.")); }
    box.replaceChildren(fresh);
  }

  function renderBreakers(breakers, bulkheads) {
    var body = document.querySelector("#breakers tbody");
    var fresh = document.createDocumentFragment();
    var byKey = {};
    bulkheads.forEach(function (b) { byKey[b.instance + "\u0000" + b.target] = b; });
    var seen = {};
    breakers.forEach(function (b) {
      var key = b.instance + "\u0000" + b.target;
      seen[key] = true;
      var bh = byKey[key];
      append(fresh, [append(el("tr"), [
        el("td", "wrap", b.instance),
        el("td", "wrap", b.target),
        append(el("td"), [badge(b.state)]),
        el("td", "num " + (b.failureRate < 0 ? "" : errorClass(b.failureRate / 100)), b.failureRate < 0 ? "–" : fixed(b.failureRate, 0) + "%"),
        el("td", "num", b.notPermittedCalls),
        append(el("td", "bulkhead"), [bh ? bar(bh.inUse, bh.max) : el("span", "", "–")])
      ])]);
    });
    bulkheads.forEach(function (b) {
      var key = b.instance + "\u0000" + b.target;
      if (seen[key]) { return; }
      append(fresh, [append(el("tr"), [el("td", "wrap", b.instance), el("td", "wrap", b.target), append(el("td"), [badge("")]),
        el("td", "num", "–"), el("td", "num", "–"), append(el("td"), [bar(b.inUse, b.max)])])]);
    });
    body.replaceChildren(fresh);
    document.getElementById("breakers-empty").hidden = breakers.length + bulkheads.length > 0;
  }

  function renderSections(sections) {
    var box = document.getElementById("sections");
    var fresh = document.createDocumentFragment();
    sections.forEach(function (s) {
      var card = el("section", "card source-section");
      card.appendChild(append(el("div", "card-head"), [el("h2", "", s.title)]));
      if (s.gauges.length > 0) {
        var gauges = el("div", "gauges");
        s.gauges.forEach(function (g) {
          var gauge = append(el("div", "gauge"), [el("div", "gauge-label", g.label),
            el("div", "gauge-value", (Math.round(g.value * 100) / 100) + (g.unit ? " " + g.unit : ""))]);
          if (typeof g.max === "number") { gauge.appendChild(bar(g.value, g.max)); }
          gauges.appendChild(gauge);
        });
        card.appendChild(gauges);
      }
      if (s.columns.length > 0) {
        var table = el("table");
        var head = el("tr");
        s.columns.forEach(function (c) { head.appendChild(el("th", "", c)); });
        table.appendChild(append(el("thead"), [head]));
        var body = el("tbody");
        s.rows.forEach(function (r) {
          var tr = el("tr");
          r.forEach(function (cell) { tr.appendChild(el("td", "wrap", cell)); });
          body.appendChild(tr);
        });
        table.appendChild(body);
        card.appendChild(append(el("div", "table-wrap"), [table]));
        if (s.rows.length === 0) { card.appendChild(el("p", "empty", "Nothing here.")); }
      }
      if (s.note) { card.appendChild(el("p", "note", s.note)); }
      fresh.appendChild(card);
    });
    box.replaceChildren(fresh);
  }

  function render(snapshot) {
    document.title = snapshot.title;
    document.getElementById("title").textContent = snapshot.title;
    document.getElementById("seq").textContent = snapshot.sequence;
    document.getElementById("updated").textContent = new Date(snapshot.generatedAt).toLocaleTimeString();
    document.getElementById("window-seconds").textContent = snapshot.windowSeconds;
    document.getElementById("history-seconds").textContent = snapshot.historySeconds;
    var t = snapshot.totals;
    document.getElementById("kpi-rate").textContent = rate(t.callsPerSecond);
    document.getElementById("kpi-handled").textContent = rate(t.handledPerSecond);
    var errors = document.getElementById("kpi-errors");
    errors.textContent = percent(t.errorRate);
    errors.className = "kpi-value " + (t.errorRate >= 0.2 ? "bad" : t.errorRate > 0 ? "warn" : "");
    document.getElementById("kpi-p99").textContent = millis(t.worstP99Millis);
    var open = document.getElementById("kpi-open");
    open.textContent = t.openBreakers;
    open.className = "kpi-value " + (t.openBreakers > 0 ? "bad" : "");
    drawTraffic(t);
    renderInteractions(snapshot.interactions);
    renderServices(snapshot.services);
    renderBreakers(snapshot.breakers, snapshot.bulkheads);
    renderSections(snapshot.sections);
    document.body.dataset.sequence = snapshot.sequence;
  }

  function setStatus(text) {
    var status = document.getElementById("status");
    status.textContent = text;
    status.className = "status " + text;
  }

  function connect() {
    var source = new EventSource("/api/events");
    source.addEventListener("open", function () { setStatus("live"); });
    source.addEventListener("snapshot", function (event) {
      setStatus("live");
      render(JSON.parse(event.data));
    });
    // EventSource reconnects by itself (after the server's retry: delay); a 503 for too many
    // clients closes it for good, so try again a little later.
    source.addEventListener("error", function () {
      setStatus("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 5000);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
