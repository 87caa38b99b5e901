/* citekg graph page.
 *
 * Every string that comes from a paper (names, titles, abstracts, evidence sentences, URLs) is untrusted.
 * It only ever reaches the page as DOM text (textContent, text nodes) or, for URLs checked to be http(s),
 * as an anchor's href property: this file never assigns innerHTML, outerHTML or insertAdjacentHTML.
 */
(function () {
  "use strict";

  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("citekg-data").textContent);
  marks.parsed = performance.now();
  var styles = data.styles;
  var OPENS_ON_CLICK = { code_repository: true, project_page: true };
  var state = { hiddenTypes: new Set(), hiddenRelations: new Set(), minConfidence: 0 };
  var api = (window.citekg = { ready: false, readyAt: null, data: data, marks: marks });

  // ---- small DOM helpers -------------------------------------------------------------------------
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function link(value) {
    var url = safeUrl(value);
    if (!url) return el("span", value);
    var a = el("a", url);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function openUrl(value) {
    var url = safeUrl(value);
    if (!url) return false;
    var a = document.createElement("a");
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.click();
    return true;
  }

  function clip(text, limit) {
    var chars = Array.from(String(text));
    return chars.length <= limit ? String(text) : chars.slice(0, limit - 1).join("") + "\u2026";
  }

  function typeStyle(type) { return styles.types[type] || styles.types.other; }
  function relationStyle(relation) { return styles.relations[relation] || styles.relations.other; }

  // ---- the network ----------------------------------------------------------------------------------
  // With physics off, a large graph is first drawn with its nodes and first edges, and the other edges
  // are added after that first frame, in as few batches as possible (each costs vis-network a full redraw).
  var FIRST_EDGES = data.first_edges, EDGE_BATCH = 20000;
  var nodes = new vis.DataSet(data.nodes);
  var batched = !data.physics && FIRST_EDGES > 0 && data.edges.length > FIRST_EDGES;
  var edges = new vis.DataSet(batched ? data.edges.slice(0, FIRST_EDGES) : data.edges);
  api.edgesLoaded = !batched;
  api.edgesLoadedAt = null;
  var nodeType = new Map();
  data.nodes.forEach(function (n) { nodeType.set(n.id, n.type); });
  data.focus.forEach(function (id) { nodes.update({ id: id, borderWidth: 4 }); });

  var big = !data.physics;
  var container = document.getElementById("graph");
  var options = {
    autoResize: true,
    nodes: { borderWidth: 1, font: { size: 12, face: "system-ui, sans-serif" } },
    edges: { smooth: false, selectionWidth: 2, arrows: { to: { scaleFactor: 0.5 } } },
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: {
      hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false, multiselect: false
    },
    physics: data.physics
      ? {
          enabled: true,
          solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -60, springLength: 80, avoidOverlap: 0.2 },
          stabilization: { enabled: true, iterations: 200, updateInterval: 50, fit: true }
        }
      : { enabled: false }
  };
  marks.datasets = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  marks.network = performance.now();
  api.network = network;
  api.nodes = nodes;
  api.edges = edges;

  function loadEdges(from) {
    var batch = data.edges.slice(from, from + EDGE_BATCH).map(function (e) {
      return Object.assign({}, e, { hidden: edgeHidden(e) });
    });
    edges.add(batch);
    if (from + EDGE_BATCH < data.edges.length) {
      setTimeout(function () { loadEdges(from + EDGE_BATCH); }, 0);
    } else {
      api.edgesLoaded = true;
      api.edgesLoadedAt = performance.now();
      document.body.setAttribute("data-edges-loaded", "1");
    }
  }

  function markReady() {
    if (api.ready) return;
    api.ready = true;
    api.readyAt = performance.now();
    if (data.focus.length) network.selectNodes(data.focus);
    document.body.setAttribute("data-ready", "1");
    if (!api.edgesLoaded) setTimeout(function () { loadEdges(FIRST_EDGES); }, 0);
  }
  if (data.physics && data.nodes.length) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      markReady();
    });
    network.once("stabilized", markReady);
  } else {
    network.once("afterDrawing", markReady);
  }

  // ---- cards: the text shown in tooltips and in the details panel -------------------------------
  function nodeCard(n, full) {
    var box = document.createDocumentFragment();
    box.append(el("p", n.name, "name"));
    var kind = typeStyle(n.type).label + (typeof n.year === "number" ? " \u00b7 " + n.year : "");
    box.append(el("p", kind + " \u00b7 " + n.degree + (n.degree === 1 ? " link" : " links"), "kind"));
    if (n.paper_title) box.append(el("p", n.paper_title));
    if (n.aliases && n.aliases.length) box.append(el("p", "Also: " + n.aliases.join(", ")));
    if (n.url) {
      var p = el("p", "Link: ");
      p.append(full ? link(n.url) : document.createTextNode(n.url));
      box.append(p);
    }
    if (n.abstract) box.append(el("p", full ? n.abstract : clip(n.abstract, 300), "abstract"));
    if (!full && OPENS_ON_CLICK[n.type] && n.url) box.append(el("p", "Click to open in a new tab", "kind"));
    if (full) {
      var p2 = el("p", "IRI: ", "kind");
      p2.append(link(n.id));
      box.append(p2);
    }
    return box;
  }

  function evidence(e) {
    var p = el("p", null, "evidence");
    var chars = Array.from(e.evidence); // offsets count code points, as Python does
    var s = e.evidence_start, t = e.evidence_end;
    if (typeof s === "number" && typeof t === "number" && s >= 0 && s < t && t <= chars.length) {
      p.append(
        document.createTextNode(chars.slice(0, s).join("")),
        el("mark", chars.slice(s, t).join("")),
        document.createTextNode(chars.slice(t).join(""))
      );
    } else {
      p.textContent = e.evidence;
    }
    return p;
  }

  function nodeName(id) {
    var n = nodes.get(id);
    return n ? n.name : String(id);
  }

  function edgeCard(e) {
    var box = document.createDocumentFragment();
    box.append(el("p", nodeName(e.from), "name"));
    box.append(el("p", relationStyle(e.relation).label, "kind"));
    box.append(el("p", nodeName(e.to), "name"));
    var facts = [];
    if (typeof e.confidence === "number") facts.push("confidence " + e.confidence.toFixed(2));
    if (typeof e.weight === "number") facts.push("weight " + e.weight);
    if (facts.length) box.append(el("p", facts.join(" \u00b7 "), "kind"));
    if (e.evidence) box.append(evidence(e));
    return box;
  }

  // ---- tooltip ---------------------------------------------------------------------------------------
  var tooltip = document.getElementById("tooltip");
  function showTooltip(content, pointer) {
    tooltip.replaceChildren(content);
    tooltip.hidden = false;
    var rect = container.getBoundingClientRect();
    var x = rect.left + pointer.x + 14, y = rect.top + pointer.y + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, rect.left + pointer.x - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, rect.top + pointer.y - h - 14);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTooltip() { tooltip.hidden = true; tooltip.replaceChildren(); }
  network.on("hoverNode", function (params) { showTooltip(nodeCard(nodes.get(params.node), false), params.pointer.DOM); });
  network.on("hoverEdge", function (params) { showTooltip(edgeCard(edges.get(params.edge)), params.pointer.DOM); });
  network.on("blurNode", hideTooltip);
  network.on("blurEdge", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);

  // ---- details panel and clicks ----------------------------------------------------------------------
  var details = document.getElementById("details");
  var detailsBody = document.getElementById("details-body");
  function showDetails(content) { detailsBody.replaceChildren(content); details.hidden = false; }
  function hideDetails() { details.hidden = true; detailsBody.replaceChildren(); }
  network.on("click", function (params) {
    if (params.nodes.length) {
      var n = nodes.get(params.nodes[0]);
      showDetails(nodeCard(n, true));
      if (OPENS_ON_CLICK[n.type] && n.url) openUrl(n.url);
    } else if (params.edges.length) {
      showDetails(edgeCard(edges.get(params.edges[0])));
    } else {
      hideDetails();
    }
  });

  // ---- filters ---------------------------------------------------------------------------------------
  function edgeHidden(e) {
    return state.hiddenRelations.has(e.relation) ||
      (typeof e.confidence === "number" && e.confidence < state.minConfidence) ||
      state.hiddenTypes.has(nodeType.get(e.from)) || state.hiddenTypes.has(nodeType.get(e.to));
  }
  function applyEdgeFilter() {
    var updates = [];
    edges.forEach(function (e) {
      var hide = edgeHidden(e);
      if (Boolean(e.hidden) !== hide) updates.push({ id: e.id, hidden: hide });
    });
    if (updates.length) edges.update(updates);
  }
  function applyNodeFilter() {
    var updates = [];
    nodes.forEach(function (n) {
      var hide = state.hiddenTypes.has(n.type);
      if (Boolean(n.hidden) !== hide) updates.push({ id: n.id, hidden: hide });
    });
    if (updates.length) nodes.update(updates);
    applyEdgeFilter();
  }

  function counts(items, key) {
    var c = new Map();
    items.forEach(function (item) { c.set(item[key], (c.get(item[key]) || 0) + 1); });
    return c;
  }

  function legendRow(kind, name, style, count, onChange) {
    var label = el("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset[kind] = name;
    box.addEventListener("change", function () { onChange(box.checked); });
    var mark;
    if (kind === "type") {
      mark = el("span", null, "swatch " + style.shape);
      mark.style.background = style.color;
    } else {
      mark = el("span", null, "line" + (style.dashes ? " dashed" : ""));
      mark.style.borderTopColor = style.color;
    }
    label.append(box, mark, el("span", style.label), el("span", String(count), "count"));
    return label;
  }

  var typeCounts = counts(data.nodes, "type");
  var typeBox = document.getElementById("type-filters");
  Object.keys(styles.types).forEach(function (type) {
    if (!typeCounts.has(type)) return;
    typeBox.append(legendRow("type", type, typeStyle(type), typeCounts.get(type), function (on) {
      if (on) state.hiddenTypes.delete(type); else state.hiddenTypes.add(type);
      applyNodeFilter();
    }));
  });
  var relationCounts = counts(data.edges, "relation");
  var relationBox = document.getElementById("relation-filters");
  Object.keys(styles.relations).forEach(function (relation) {
    if (!relationCounts.has(relation)) return;
    relationBox.append(legendRow("relation", relation, relationStyle(relation), relationCounts.get(relation),
      function (on) {
        if (on) state.hiddenRelations.delete(relation); else state.hiddenRelations.add(relation);
        applyEdgeFilter();
      }));
  });

  var slider = document.getElementById("confidence");
  var sliderValue = document.getElementById("confidence-value");
  slider.addEventListener("input", function () {
    state.minConfidence = Number(slider.value);
    sliderValue.textContent = state.minConfidence.toFixed(2);
    applyEdgeFilter();
  });

  document.getElementById("summary").textContent =
    data.nodes.length + " nodes, " + data.edges.length + " edges" +
    (data.physics ? "" : " \u00b7 layout computed in advance");

  // ---- search ----------------------------------------------------------------------------------------
  var index = [];
  data.nodes.forEach(function (n) {
    index.push([n.name.toLowerCase(), n.id, n.degree]);
    (n.aliases || []).forEach(function (a) { index.push([String(a).toLowerCase(), n.id, n.degree]); });
    index.push([n.id.toLowerCase(), n.id, n.degree]);
  });
  var names = document.getElementById("search-names");
  var optionList = document.createDocumentFragment();
  data.nodes.slice(0, 5000).forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.name;
    optionList.append(option);
  });
  names.append(optionList);

  function find(query) {
    var q = String(query).trim().toLowerCase();
    if (!q) return null;
    var tests = [
      function (s) { return s === q; },
      function (s) { return s.startsWith(q); },
      function (s) { return s.includes(q); }
    ];
    for (var i = 0; i < tests.length; i++) {
      var best = null;
      for (var j = 0; j < index.length; j++) {
        if (tests[i](index[j][0]) && (best === null || index[j][2] > best[2])) best = index[j];
      }
      if (best) return best[1];
    }
    return null;
  }

  function focusNode(id) {
    var type = nodeType.get(id);
    if (state.hiddenTypes.has(type)) {
      state.hiddenTypes.delete(type);
      var box = typeBox.querySelector("input[data-type='" + CSS.escape(type) + "']");
      if (box) box.checked = true;
      applyNodeFilter();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 400 } });
    showDetails(nodeCard(nodes.get(id), true));
  }

  var status = document.getElementById("search-status");
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("search").value;
    var id = find(query);
    if (id === null) {
      status.textContent = "No node matches \u201c" + query + "\u201d.";
      return;
    }
    status.textContent = "";
    focusNode(id);
  });

  marks.panel = performance.now();
  api.find = find;
  api.focusNode = focusNode;
  api.safeUrl = safeUrl;
})();
