"use strict";
// The genrl-kg explorer: taxonomy tree, facets, paper table and charts. The state is the URL's
// query string; the server filters (/api/explore) and this page only draws what it answers.
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const FILTERS = ["category", "baseModel", "task", "modality", "code", "setting", "dataset",
    "model", "since", "year", "q"];
  const NAMES = { category: "Category", baseModel: "Base model", task: "RL task",
    modality: "Modality", code: "Code", setting: "Evaluation setting", dataset: "Dataset",
    model: "Foundation model", since: "Listed since", year: "Year", q: "Search" };
  const COLOURS = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97", "#3d3d3d",
    "#e07a5f"];
  let latest = 0;
  let base = "https://w3id.org/genrl-kg/";
  let labels = {};
  let collapsed = new Set();
  let firstRender = true;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    children.forEach((c) => node.append(c));
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    children.forEach((c) => node.append(c));
    return node;
  }

  function params() {
    const found = new URLSearchParams(location.search);
    const kept = new URLSearchParams();
    FILTERS.concat(["sort"]).forEach((name) => {
      const value = found.get(name);
      if (value) kept.set(name, value);
    });
    return kept;
  }

  function filtersOnly(p) {
    const copy = new URLSearchParams(p);
    copy.delete("sort");
    return copy;
  }

  function go(p) {
    const ordered = new URLSearchParams();
    FILTERS.concat(["sort"]).forEach((name) => { if (p.get(name)) ordered.set(name, p.get(name)); });
    const qs = ordered.toString();
    history.pushState(null, "", qs ? "/?" + qs : "/");
    load();
  }

  function toggle(name, value, extra) {
    const p = params();
    if (p.get(name) === value && !(extra && Object.entries(extra).some(([k, v]) => p.get(k) !== v))) {
      p.delete(name);
      if (extra) Object.keys(extra).forEach((k) => p.delete(k));
    } else {
      p.set(name, value);
      Object.entries(extra || {}).forEach(([k, v]) => (v ? p.set(k, v) : p.delete(k)));
    }
    go(p);
  }

  function resourceHref(iri) {
    return iri.startsWith(base) ? "/resource/" + iri.slice(base.length) : iri;
  }

  // ------------------------------------------------------------------ tree
  function renderTree(tree, p) {
    const root = $("tree");
    const active = document.activeElement;
    const focused = active && root.contains(active) && active.classList.contains("node")
      ? active.dataset.kind + ":" + active.dataset.slug : null;
    root.textContent = "";
    const lists = { "": root };
    const children = {};
    tree.forEach((n) => { if (n.parent) children[n.parent] = (children[n.parent] || 0) + 1; });
    tree.forEach((node) => {
      const key = node.kind + ":" + node.slug;
      const parentList = node.kind === "category" ? lists[node.parent || ""] : lists[node.parent];
      if (!parentList) return;
      let extra = null;
      let pressed = p.get("category") === node.slug && node.kind === "category";
      if (node.kind !== "category") {
        extra = { category: node.parent };
        pressed = p.get(node.kind) === node.slug && p.get("category") === node.parent;
      }
      const label = el("span", { class: "label", text: node.label });
      const count = el("span", { class: "count", text: String(node.count) });
      const button = el("button", {
        type: "button", class: "node", "data-kind": node.kind, "data-slug": node.slug,
        "aria-pressed": pressed ? "true" : "false",
        "aria-label": node.label + ", " + node.count + " papers",
      }, label, " ", count);
      button.addEventListener("click", () => toggle(node.kind, node.slug, extra));
      const item = el("li", { class: node.count ? "" : "empty" });
      const hasChildren = node.kind === "category" && children[node.slug];
      if (hasChildren) {
        const open = !collapsed.has(key);
        const toggleButton = el("button", {
          type: "button", class: "toggle", "aria-expanded": open ? "true" : "false",
          "aria-label": (open ? "Collapse " : "Expand ") + node.label, text: open ? "▾" : "▸",
        });
        toggleButton.addEventListener("click", () => {
          if (collapsed.has(key)) collapsed.delete(key); else collapsed.add(key);
          renderTree(tree, params());
          const again = document.querySelector(
            '#tree button.toggle[data-for="' + CSS.escape(key) + '"]');
          if (again) again.focus();
        });
        toggleButton.dataset.for = key;
        item.append(toggleButton);
      } else {
        item.append(el("span", { class: "spacer", "aria-hidden": "true" }));
      }
      item.append(button);
      if (hasChildren) {
        const list = el("ul", { role: "group", "aria-label": node.label });
        if (collapsed.has(key)) list.hidden = true;
        item.append(list);
        lists[node.slug] = list;
      }
      parentList.append(item);
      if (key === focused) button.focus();
    });
  }

  // ------------------------------------------------------------------ facets
  function checkboxFacet(name, legend, values, p, param) {
    const box = el("fieldset", { class: "facet", id: "facet-" + name });
    box.append(el("legend", { text: legend }));
    values.forEach((v) => {
      const id = "facet-" + name + "-" + v.value;
      const checked = p.get(param) === v.value;
      const input = el("input", { type: "checkbox", id, value: v.value, checked,
        disabled: !checked && v.count === 0 });
      input.addEventListener("change", () => toggle(param, v.value));
      const label = el("label", { for: id }, v.label + " ", el("span", { class: "count", text: "(" + v.count + ")" }));
      box.append(el("div", { class: "option" }, input, label));
    });
    return box;
  }

  function selectFacet(name, legend, values, p, anyText, textOf) {
    const id = "facet-" + name;
    const select = el("select", { id, name });
    select.append(el("option", { value: "", text: anyText }));
    values.forEach((v) => {
      select.append(el("option", { value: v.value, selected: p.get(name) === v.value, text: textOf(v) }));
    });
    select.addEventListener("change", () => {
      const q = params();
      if (select.value) q.set(name, select.value); else q.delete(name);
      go(q);
    });
    return el("div", { class: "facet select-facet" }, el("label", { for: id, text: legend }), select);
  }

  function renderFacets(data, p) {
    const box = $("facets");
    const focused = document.activeElement && document.activeElement.id;
    box.textContent = "";
    const dimensions = data.tree.filter((n) => n.kind === "category" && !n.parent)
      .map((n) => ({ value: n.slug, label: n.label, count: n.count }));
    box.append(checkboxFacet("dimension", "Primary dimension", dimensions, p, "category"));
    box.append(checkboxFacet("baseModel", "Base model", data.facets.baseModel, p, "baseModel"));
    box.append(checkboxFacet("task", "RL task", data.facets.task, p, "task"));
    box.append(checkboxFacet("code", "Code", data.facets.code, p, "code"));
    box.append(checkboxFacet("setting", "Evaluation setting", data.facets.setting, p, "setting"));
    box.append(selectFacet("dataset", "Dataset or benchmark", data.facets.dataset, p, "Any dataset",
      (v) => v.label + " (" + v.count + ")"));
    box.append(selectFacet("model", "Foundation model used", data.facets.model, p, "Any model",
      (v) => v.label + " (" + v.count + ")"));
    const years = data.facets.since;
    const since = years.map((v) => ({ value: v.value,
      count: years.filter((w) => w.value >= v.value).reduce((a, w) => a + w.count, 0) }));
    box.append(selectFacet("since", data.hasHistory ? "First listed in or after" : "Added to the list in or after",
      since, p, "Any year", (v) => v.value + " or later (" + v.count + ")"));
    box.append(selectFacet("year", "Year (first on arXiv)", data.facets.year, p, "Any year",
      (v) => v.value + " (" + v.count + ")"));
    if (focused && $(focused)) $(focused).focus();
  }

  // ------------------------------------------------------------------ table
  function renderRows(data, p) {
    const body = document.querySelector("#papers tbody");
    body.textContent = "";
    const codeLabels = {};
    (data.facets.code || []).forEach((c) => (codeLabels[c.value] = c.label));
    const modelLabels = {};
    (data.facets.baseModel || []).forEach((c) => (modelLabels[c.value] = c.label));
    data.rows.forEach((row) => {
      const links = el("td", { class: "links" });
      if (row.arxiv) links.append(el("a", { href: "https://arxiv.org/abs/" + row.arxiv, class: "external", text: "arXiv" }), " ");
      else if (row.url) links.append(el("a", { href: row.url, class: "external", text: "paper" }), " ");
      if (row.repository) links.append(el("a", { href: row.repository, class: "external", text: "code" }));
      body.append(el("tr", { "data-paper": row.paper },
        el("td", {}, el("a", { href: resourceHref(row.paper), text: row.title })),
        el("td", { text: row.year ? String(row.year) : "" }),
        el("td", { text: row.listed || "" }),
        el("td", { text: row.base_models.map((m) => modelLabels[m] || m).join(", ") }),
        el("td", { text: row.code ? codeLabels[row.code] || row.code : "" }),
        links));
    });
    const sort = p.get("sort") || "title";
    document.querySelectorAll("#papers th[data-sort]").forEach((th) => {
      if (th.dataset.sort === sort) th.setAttribute("aria-sort", sort === "title" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  }

  function renderSummary(data, p) {
    const n = data.total;
    $("summary").textContent = n + (n === 1 ? " paper" : " papers") +
      (filtersOnly(p).toString() ? " match the filters." : " in the list.");
    const chips = $("chips");
    chips.textContent = "";
    FILTERS.forEach((name) => {
      const value = p.get(name);
      if (!value) return;
      const shown = labels[name + ":" + value] || value;
      const remove = el("button", { type: "button", "aria-label": "Remove filter " + NAMES[name] + ": " + shown, text: "×" });
      remove.addEventListener("click", () => { const q = params(); q.delete(name); go(q); });
      chips.append(el("li", {}, NAMES[name] + ": " + shown + " ", remove));
    });
    const qs = filtersOnly(p).toString();
    $("bib-link").href = "/api/papers.bib" + (qs ? "?" + qs : "");
    $("csv-link").href = "/api/papers.csv" + (qs ? "?" + qs : "");
    $("q").value = p.get("q") || "";
  }

  function remember(data) {
    data.tree.forEach((n) => (labels[n.kind + ":" + n.slug] = n.label));
    Object.entries(data.facets).forEach(([name, values]) =>
      values.forEach((v) => (labels[name + ":" + v.value] = v.label)));
  }

  async function load() {
    const p = params();
    const ticket = ++latest;
    $("summary").textContent = "Loading…";
    try {
      const response = await fetch("/api/explore" + (p.toString() ? "?" + p.toString() : ""));
      const text = await response.text();
      if (!response.ok) throw new Error(response.status + ": " + text.trim());
      const data = JSON.parse(text);
      if (ticket !== latest) return;
      base = data.base || base;
      remember(data);
      $("error").hidden = true;
      renderTree(data.tree, p);
      renderFacets(data, p);
      renderRows(data, p);
      renderSummary(data, p);
      document.body.dataset.rendered = p.toString();
      if (firstRender) {
        firstRender = false;
        performance.mark("explorer-rendered");
      }
    } catch (error) {
      if (ticket !== latest) return;
      $("error").hidden = false;
      $("error").textContent = "The explorer could not load: " + (error.message || error);
      $("summary").textContent = "";
    }
  }

  // ------------------------------------------------------------------ charts
  function chartLink(filters, label) {
    const p = new URLSearchParams(filters);
    const a = svg("a", { href: "/?" + p.toString(), "aria-label": label, class: "chart-link" });
    a.dataset.filters = p.toString();
    a.addEventListener("click", (event) => { event.preventDefault(); go(p); });
    return a;
  }

  function drawTrend(rows) {
    const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
    const models = [...new Set(rows.map((r) => r.baseModel))].sort();
    const names = {};
    rows.forEach((r) => (names[r.baseModel] = r.baseModelLabel));
    const totals = years.map((y) => rows.filter((r) => r.year === y).reduce((a, r) => a + r.papers, 0));
    const max = Math.max(1, ...totals);
    const W = 640, H = 260, left = 40, bottom = 30, barW = Math.min(60, (W - left) / years.length - 8);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H + 70}`, role: "group", "aria-label": "Papers per year by base model" });
    years.forEach((year, i) => {
      let y = H - bottom;
      const x = left + i * ((W - left) / years.length) + 4;
      models.forEach((m, j) => {
        const row = rows.find((r) => r.year === year && r.baseModel === m);
        if (!row) return;
        const h = (row.papers / max) * (H - bottom - 20);
        y -= h;
        const link = chartLink({ year: String(year), baseModel: m }, `${year}, ${names[m]}: ${row.papers} papers`);
        link.append(svg("rect", { x, y, width: barW, height: Math.max(h, 1), fill: COLOURS[j % COLOURS.length] },
          svg("title", {}, `${year}, ${names[m]}: ${row.papers}`)));
        chart.append(link);
      });
      chart.append(svg("text", { x: x + barW / 2, y: H - bottom + 16, "text-anchor": "middle", class: "axis" }, String(year)));
      chart.append(svg("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", class: "total" }, String(totals[i])));
    });
    models.forEach((m, j) => {
      const x = left + (j % 3) * 200, y = H + 10 + Math.floor(j / 3) * 18;
      chart.append(svg("rect", { x, y, width: 12, height: 12, fill: COLOURS[j % COLOURS.length] }));
      chart.append(svg("text", { x: x + 16, y: y + 10, class: "legend" }, names[m]));
    });
    return chart;
  }

  function drawMatrix(rows) {
    const tasks = [...new Set(rows.map((r) => r.task))];
    const models = [...new Set(rows.map((r) => r.baseModel))].sort();
    const names = {};
    rows.forEach((r) => { names[r.task] = r.taskLabel; names[r.baseModel] = r.baseModelLabel; });
    const max = Math.max(1, ...rows.map((r) => r.papers));
    const left = 190, top = 90, cw = 70, ch = 30;
    const chart = svg("svg", { viewBox: `0 0 ${left + models.length * cw + 10} ${top + tasks.length * ch + 10}`,
      role: "group", "aria-label": "Papers per RL task and base model" });
    models.forEach((m, j) => chart.append(svg("text", {
      x: left + j * cw + cw / 2, y: top - 8, transform: `rotate(-30 ${left + j * cw + cw / 2} ${top - 8})`,
      class: "axis" }, names[m])));
    tasks.forEach((t, i) => {
      chart.append(svg("text", { x: left - 8, y: top + i * ch + ch / 2 + 4, "text-anchor": "end", class: "axis" }, names[t]));
      models.forEach((m, j) => {
        const row = rows.find((r) => r.task === t && r.baseModel === m);
        const x = left + j * cw, y = top + i * ch;
        if (!row) {
          chart.append(svg("rect", { x, y, width: cw - 2, height: ch - 2, class: "cell-empty" }));
          return;
        }
        const link = chartLink({ task: t, baseModel: m }, `${names[t]}, ${names[m]}: ${row.papers} papers`);
        link.setAttribute("class", "chart-link cell");
        link.dataset.task = t;
        link.dataset.baseModel = m;
        const shade = 0.15 + 0.85 * (row.papers / max);
        link.append(svg("rect", { x, y, width: cw - 2, height: ch - 2, fill: "#1b6ca8", "fill-opacity": shade.toFixed(2) }));
        link.append(svg("text", { x: x + cw / 2, y: y + ch / 2 + 4, "text-anchor": "middle",
          class: shade > 0.55 ? "cell-text light" : "cell-text" }, String(row.papers)));
        chart.append(link);
      });
    });
    return chart;
  }

  function drawGrowth(rows) {
    const W = 640, H = 220, left = 40, bottom = 30;
    const max = Math.max(1, ...rows.map((r) => r.papers));
    const step = (W - left - 10) / Math.max(1, rows.length - 1);
    const points = rows.map((r, i) => [left + i * step, H - bottom - (r.papers / max) * (H - bottom - 20)]);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": `The list grew to ${rows.length ? rows[rows.length - 1].papers : 0} papers by ${rows.length ? rows[rows.length - 1].month : ""}` });
    chart.append(svg("polyline", { points: points.map((p) => p.join(",")).join(" "), class: "growth-line" }));
    rows.forEach((r, i) => {
      if (i % Math.ceil(rows.length / 8) === 0 || i === rows.length - 1) {
        chart.append(svg("text", { x: points[i][0], y: H - bottom + 16, "text-anchor": "middle", class: "axis" }, r.month));
      }
      chart.append(svg("circle", { cx: points[i][0], cy: points[i][1], r: 2.5, class: "growth-point" },
        svg("title", {}, `${r.month}: ${r.papers} papers (${r.added} added)`)));
    });
    chart.append(svg("text", { x: 4, y: 20, class: "axis" }, String(max)));
    return chart;
  }

  async function loadCharts() {
    try {
      const response = await fetch("/api/charts");
      if (!response.ok) throw new Error(String(response.status));
      const charts = await response.json();
      if (charts.trend && charts.trend.rows.length) $("trend").append(drawTrend(charts.trend.rows));
      else $("trend-figure").hidden = true;
      if (charts.matrix && charts.matrix.rows.length) $("matrix").append(drawMatrix(charts.matrix.rows));
      else $("matrix-figure").hidden = true;
      if (charts.growth && charts.growth.rows.length) {
        $("growth").append(drawGrowth(charts.growth.rows));
        $("growth-figure").hidden = false;
      }
      document.body.dataset.charts = "true";
    } catch (error) {
      $("trend").textContent = "The charts could not load (" + error.message + ").";
    }
  }

  function init() {
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const p = params();
      const text = $("q").value.trim();
      if (text) p.set("q", text); else p.delete("q");
      go(p);
    });
    $("clear").addEventListener("click", () => go(new URLSearchParams()));
    document.querySelectorAll("#papers thead button[data-sort]").forEach((button) => {
      button.addEventListener("click", () => {
        const p = params();
        if (button.dataset.sort === "title") p.delete("sort"); else p.set("sort", button.dataset.sort);
        go(p);
      });
    });
    window.addEventListener("popstate", load);
    load();
    loadCharts();
  }

  init();
})();
