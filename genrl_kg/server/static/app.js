"use strict";
// The genrl-kg query page: saved queries menu, parameters, sortable results, downloads.
(function () {
  const $ = (id) => document.getElementById(id);
  const RESULT_FORMATS = { json: "JSON", xml: "XML", csv: "CSV", tsv: "TSV" };
  const GRAPH_FORMATS = { turtle: "Turtle", nt: "N-Triples", jsonld: "JSON-LD", rdfxml: "RDF/XML" };
  let saved = {};
  let prefixes = [];
  let sortState = { column: -1, ascending: true };

  function queryForm(text) {
    const body = text.replace(/#[^\n]*/g, "").replace(/<[^>]*>/g, "<>");
    const m = body.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function currentUrl(format) {
    const name = $("saved").value;
    const params = new URLSearchParams();
    if (name) {
      document.querySelectorAll("#params input").forEach((input) => {
        if (input.value !== "") params.set(input.name, input.value);
      });
      if (format) params.set("format", format);
      return "/api/queries/" + encodeURIComponent(name) + "?" + params.toString();
    }
    params.set("query", $("query").value);
    if (format) params.set("format", format);
    return "/sparql?" + params.toString();
  }

  function renderDownloads() {
    const form = $("saved").value ? saved[$("saved").value].form : queryForm($("query").value);
    const formats = form === "CONSTRUCT" || form === "DESCRIBE" ? GRAPH_FORMATS : RESULT_FORMATS;
    const box = $("downloads");
    box.textContent = "";
    Object.entries(formats).forEach(([key, label]) => {
      const a = document.createElement("a");
      a.textContent = label;
      a.className = "download";
      a.dataset.format = key;
      a.href = "#";
      a.addEventListener("click", (event) => { a.href = currentUrl(key); a.download = "results." + key; });
      box.appendChild(a);
      box.appendChild(document.createTextNode(" "));
    });
  }

  function renderParams(query) {
    const box = $("params");
    box.textContent = "";
    (query ? query.parameters : []).forEach((p) => {
      const row = document.createElement("div");
      row.className = "param";
      const label = document.createElement("label");
      label.htmlFor = "param-" + p.name;
      label.textContent = p.name + " (" + p.datatype + ")";
      const input = document.createElement("input");
      input.id = "param-" + p.name;
      input.name = p.name;
      input.value = p.default || "";
      input.placeholder = p.description;
      input.title = p.description;
      row.append(label, input);
      box.appendChild(row);
    });
  }

  function choose() {
    const query = saved[$("saved").value];
    $("saved-description").textContent = query ? query.summary + ". " + query.description : "";
    if (query) $("query").value = query.text;
    $("query").readOnly = Boolean(query);
    renderParams(query);
    renderDownloads();
  }

  function cellNode(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") {
      const a = document.createElement("a");
      const base = "https://w3id.org/genrl-kg/";
      a.href = term.value.startsWith(base) ? "/resource/" + term.value.slice(base.length) : term.value;
      a.textContent = shortName(term.value);
      a.title = term.value;
      return a;
    }
    let text = term.value;
    if (term["xml:lang"]) text += " @" + term["xml:lang"];
    return document.createTextNode(text);
  }

  function shortName(iri) {
    for (const [prefix, ns] of prefixes) {
      const local = iri.slice(ns.length);
      if (iri.startsWith(ns) && /^[\w.-]+$/.test(local)) return prefix + ":" + local;
    }
    return iri;
  }

  function showError(message) {
    const box = $("error");
    box.hidden = !message;
    box.textContent = message || "";
  }

  function sortKey(term) {
    if (!term) return "";
    const n = Number(term.value);
    return term.type === "literal" && term.datatype && !Number.isNaN(n) ? n : term.value.toLowerCase();
  }

  function renderTable(data) {
    const vars = data.head.vars;
    const rows = data.results.bindings.slice();
    const table = document.createElement("table");
    table.id = "results-table";
    const head = table.createTHead().insertRow();
    vars.forEach((v, index) => {
      const th = document.createElement("th");
      th.textContent = v;
      th.dataset.column = String(index);
      if (sortState.column === index) th.setAttribute("aria-sort", sortState.ascending ? "ascending" : "descending");
      th.addEventListener("click", () => {
        sortState = { column: index, ascending: sortState.column === index ? !sortState.ascending : true };
        rows.sort((a, b) => {
          const x = sortKey(a[v]), y = sortKey(b[v]);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return sortState.ascending ? order : -order;
        });
        renderTable({ head: data.head, results: { bindings: rows } });
      });
      head.appendChild(th);
    });
    const body = table.createTBody();
    rows.forEach((row) => {
      const tr = body.insertRow();
      vars.forEach((v) => tr.insertCell().appendChild(cellNode(row[v])));
    });
    $("results").textContent = "";
    $("results").appendChild(table);
  }

  async function run() {
    const form = $("saved").value ? saved[$("saved").value].form : queryForm($("query").value);
    const graph = form === "CONSTRUCT" || form === "DESCRIBE";
    const status = $("status");
    status.className = "";
    status.textContent = "Running…";
    showError("");
    const started = performance.now();
    try {
      const response = await fetch(currentUrl(graph ? "turtle" : "json"));
      const text = await response.text();
      if (!response.ok) {
        const kind = { 400: "Bad request", 403: "Refused", 406: "Not acceptable", 413: "Too large",
          422: "Too many results", 503: "Timed out or unavailable" }[response.status] || "Error";
        throw new Error(response.status + " " + kind + ": " + text.trim());
      }
      sortState = { column: -1, ascending: true };
      if (graph) {
        const pre = document.createElement("pre");
        pre.textContent = text;
        $("results").textContent = "";
        $("results").appendChild(pre);
        status.textContent = "Done in " + Math.round(performance.now() - started) + " ms";
      } else {
        const data = JSON.parse(text);
        if ("boolean" in data) {
          $("results").textContent = "ASK: " + data.boolean;
        } else {
          renderTable(data);
        }
        const n = data.results ? data.results.bindings.length : 1;
        status.textContent = n + " result(s) in " + Math.round(performance.now() - started) + " ms";
      }
    } catch (error) {
      status.className = "error";
      status.textContent = "Failed after " + Math.round(performance.now() - started) + " ms";
      showError(String(error.message || error));
    }
  }

  async function init() {
    $("run").addEventListener("click", run);
    $("saved").addEventListener("change", choose);
    $("query").addEventListener("input", renderDownloads);
    renderDownloads();
    try {
      const response = await fetch("/api/queries");
      const data = await response.json();
      prefixes = Object.entries(data.prefixes || {}).sort((a, b) => b[1].length - a[1].length);
      data.queries.forEach((q) => {
        saved[q.name] = q;
        const option = document.createElement("option");
        option.value = q.name;
        option.textContent = q.name + " — " + q.summary;
        $("saved").appendChild(option);
      });
      document.body.dataset.ready = "true";
    } catch (error) {
      $("status").textContent = "Saved queries unavailable: " + error;
    }
  }

  init();
})();
