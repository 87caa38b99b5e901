// The citekg query page: plain JavaScript, no external requests. Everything shown from a result is set with
// textContent, never parsed as markup: paper titles and abstracts are untrusted text.
(function () {
  "use strict";
  var ENDPOINT = "/sparql";
  var EXAMPLES_URL = "/api/examples";
  var VIZ_URL = "/viz";  // mounted by `citekg serve` when the viz route exists; the link is built regardless
  var RESULTS_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  var $ = function (id) { return document.getElementById(id); };
  var examples = [];

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  function formUrl(query, format) {
    return ENDPOINT + "?query=" + encodeURIComponent(query) + "&format=" + encodeURIComponent(format);
  }

  function clearResults() {
    var table = $("table");
    table.tHead.replaceChildren();
    table.tBodies[0].replaceChildren();
    $("raw").hidden = true;
    $("raw").textContent = "";
    $("truncated").hidden = true;
  }

  function cellText(term) {
    if (!term) { return ""; }
    if (term.type === "uri") { return term.value; }
    if (term.type === "bnode") { return "_:" + term.value; }
    if (term.type === "triple") { return "<< triple >>"; }
    var text = term.value;
    if (term["xml:lang"]) { text += " @" + term["xml:lang"]; }
    return text;
  }

  function renderTable(json) {
    var head = $("table").tHead, body = $("table").tBodies[0];
    if (typeof json.boolean === "boolean") {
      var row = head.insertRow(); var th = document.createElement("th");
      th.textContent = "ASK"; row.appendChild(th);
      body.insertRow().insertCell().textContent = String(json.boolean);
      return 1;
    }
    var vars = json.head.vars || [];
    var hrow = head.insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; hrow.appendChild(th); });
    json.results.bindings.forEach(function (binding) {
      var tr = body.insertRow();
      vars.forEach(function (v) {
        var td = tr.insertCell(); var term = binding[v];
        td.textContent = cellText(term);
        if (term) { td.className = term.type; }
      });
    });
    return json.results.bindings.length;
  }

  function run() {
    var query = $("query").value;
    clearResults();
    setStatus("running…", false);
    var started = performance.now();
    fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      return response.text().then(function (text) { return { response: response, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.response.ok) { setStatus("Error " + r.response.status + ": " + r.text, true); return; }
      var type = r.response.headers.get("Content-Type") || "";
      var isGraph = type.indexOf("sparql-results") < 0;
      var count;
      if (isGraph) {
        $("raw").textContent = r.text; $("raw").hidden = false;
        count = r.text.split("\n").filter(function (l) { return l.trim(); }).length + " lines";
      } else {
        count = renderTable(JSON.parse(r.text)) + " rows";
      }
      if (r.response.headers.get("X-Citekg-Truncated") === "true") {
        $("truncated").textContent = "Results truncated at the server's row limit.";
        $("truncated").hidden = false;
      }
      setStatus(count + " in " + ms + " ms", false);
      showLinks(query, isGraph);
    }).catch(function (err) { setStatus("Request failed: " + err, true); });
  }

  function showLinks(query, isGraph) {
    $("dl-csv").href = formUrl(query, "csv");
    $("dl-tsv").href = formUrl(query, "tsv");
    $("dl-json").href = formUrl(query, "json");
    $("dl-turtle").href = formUrl(query, "turtle");
    $("view-graph").href = VIZ_URL + "?query=" + encodeURIComponent(query);
    ["dl-csv", "dl-tsv", "dl-json"].forEach(function (id) { $(id).hidden = isGraph; });
    $("dl-turtle").hidden = !isGraph;
    $("view-graph").hidden = !isGraph;
    $("downloads").hidden = false;
  }

  function loadExamples() {
    fetch(EXAMPLES_URL, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        examples = data.examples || [];
        var select = $("examples");
        examples.forEach(function (example, i) {
          var option = document.createElement("option");
          option.value = String(i); option.textContent = example.name;
          select.appendChild(option);
        });
      })
      .catch(function () { /* the page still works without examples */ });
  }

  $("examples").addEventListener("change", function (event) {
    var example = examples[Number(event.target.value)];
    if (example) { $("query").value = example.query; }
  });
  $("run").addEventListener("click", run);
  $("query").addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { run(); }
  });
  $("endpoint").textContent = window.location.origin + ENDPOINT;
  loadExamples();
}());
