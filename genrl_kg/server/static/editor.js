"use strict";
// YASGUI on our own endpoint, with nothing fetched from elsewhere: no prefix.cc lookups, no
// Linked Open Vocabularies completions, no chart plugins, no endpoint catalogue but ours.
(function () {
  const $ = (id) => document.getElementById(id);
  const endpoint = $("endpoint").textContent.trim();
  // completers that stay on this page: variable names and the bundled prefix list
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  function defaultQuery(prefixes) {
    const lines = Object.entries(prefixes).map(([p, iri]) => "PREFIX " + p + ": <" + iri + ">");
    return lines.join("\n") + "\n\nSELECT ?paper ?title WHERE {\n  ?paper a genrl:Paper ; dcterms:title ?title .\n}\nORDER BY ?title\nLIMIT 20\n";
  }

  async function init() {
    let data = { queries: [], prefixes: {} };
    try {
      const response = await fetch("/api/queries");
      data = await response.json();
    } catch (error) {
      $("status").textContent = "Saved queries unavailable: " + error;
    }
    const yasgui = new Yasgui($("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      persistenceId: null,
      populateFromUrl: false,
      autoAddOnInit: true,
      corsProxy: undefined,
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
      yasqe: { value: defaultQuery(data.prefixes), autocompleters: ["variables", "prefixes"], prefixCcApi: null },
      yasr: { pluginOrder: ["table", "response"], defaultPlugin: "table" },
    });
    const select = $("examples");
    data.queries.forEach((q) => {
      const option = document.createElement("option");
      option.value = q.name;
      option.textContent = q.name + " — " + q.summary;
      select.appendChild(option);
    });
    select.addEventListener("change", () => {
      const query = data.queries.find((q) => q.name === select.value);
      if (!query) return;
      const tab = yasgui.addTab(true, { name: query.name, yasqe: { value: query.example },
        requestConfig: { endpoint: endpoint, method: "POST" } });
      tab.show();
      document.body.dataset.tab = query.name;
    });
    window.genrlYasgui = yasgui;
    document.body.dataset.ready = "true";
  }

  init();
})();
