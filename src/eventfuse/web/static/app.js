// eventfuse page: map, timeline, filters, side-by-side sources, article view.
// Every string that comes from an article goes into the page as a text node (textContent /
// createTextNode), never through innerHTML, so a hostile article can only ever show as text.
"use strict";

(() => {
  const PLOVER = ["PROTEST", "ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION", "REQUEST",
    "ACCUSE", "REJECT", "CONSULT", "AGREE", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"];
  // Radius (m) drawn for places known only to a coarse level: an area, never a city pin.
  const AREA_RADIUS = { region: 30000, admin1: 90000, country: 350000 };
  const PAGE = 1000;
  const DAY_MS = 86400000;

  // Every filter lives in the page URL's query (?type=PROTEST&country=KE...): a view can be shared
  // and the back button walks through earlier views. The picked event or article is the #fragment.
  const FILTER_KEYS = ["type", "country", "actor", "start", "end", "q", "disputed"];
  const emptyFilters = () => ({ type: "", country: "", actor: "", start: "", end: "", q: "", disputed: false });
  // A timeline spans the bulk of the events: a date this many inter-quartile ranges (at least
  // MIN_FENCE_DAYS) away from it is an outlier, counted under the timeline instead of stretching it.
  const FENCE_IQR = 3;
  const MIN_FENCE_DAYS = 30;
  const PICK_ZOOM = 6;
  const COARSE_PRECISIONS = ["month", "year"];
  const TOP_ACTORS = 8;

  const state = {
    all: [],            // every event (facet choices)
    base: [],           // events matching the filters except the date range (timeline)
    shown: [],          // events matching every filter (map, list, facet counts)
    filters: emptyFilters(),
    picked: null,       // id of the event shown in the panel
    map: null, cluster: null, areas: null, legend: null, layers: new Map(),
  };

  // --- DOM helpers: text only --------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "href") node.setAttribute("href", value);
      else if (key === "title") node.title = String(value);
      else if (key.startsWith("data-")) node.setAttribute(key, String(value));
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // Only http(s) links from data become hrefs: no javascript:, data: or other schemes.
  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (_) { return null; }
  }

  const articleLink = (id) => "#/article/" + encodeURIComponent(id);
  const eventLink = (id) => "#/event/" + encodeURIComponent(id);

  function colorClass(type) {
    let index = PLOVER.indexOf(String(type || "").toUpperCase());
    if (index < 0) index = [...String(type)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 16, 7);
    return "c" + index;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && body.error ? body.error.message : response.statusText;
      throw new Error(message);
    }
    return body;
  }

  // --- event fields, tolerant of absent values ---------------------------------------------------

  const eventDate = (e) => e.date || e.when || {};
  const discrepancies = (e) => e.discrepancies || e.disagreements || [];
  const isDisputed = (e) => discrepancies(e).length > 0;

  function placeLabel(loc) {
    if (!loc) return "place unknown";
    const parts = [loc.canonical || loc.name, loc.admin1, countryName(loc)].filter(Boolean);
    return [...new Set(parts)].join(", ");
  }

  function dateLabel(e) {
    const d = eventDate(e);
    if (!d.start) return "date unknown";
    const span = d.end && d.end !== d.start ? d.start + " – " + d.end : d.start;
    return d.precision && d.precision !== "day" ? span + " (" + d.precision + ")" : span;
  }

  function valueText(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value !== "object") return String(value);
    if (Array.isArray(value)) return value.map(valueText).join(", ");
    if (value.text) return String(value.text);
    if (value.canonical || value.name) return String(value.canonical || value.name);
    if (value.start) return value.end && value.end !== value.start
      ? value.start + " – " + value.end : String(value.start);
    if ("low" in value) return value.low + "–" + (value.high === null ? "∞" : value.high);
    return JSON.stringify(value);
  }

  // A source's own wording where there is one ("Hundreds"), else the normalized value.
  const wording = (sv) => (sv.evidence && sv.evidence.text) ? sv.evidence.text : valueText(sv.value);

  function domainOf(url) {
    const safe = safeUrl(url);
    return safe ? new URL(safe).hostname.replace(/^www\./, "") : null;
  }

  // An outlet's name, else its web domain, else the article's title: never an internal id.
  const sourceName = (s) => s.outlet || domainOf(s.url) || s.title || "unnamed source";

  function outletOf(e, articleId) {
    const source = (e.sources || []).find((s) => s.article_id === articleId);
    return source ? sourceName(source) : "unnamed source";
  }

  // One entry per article: fusion may list an article under an event more than once.
  function uniqueSources(e) {
    const seen = new Set();
    return (e.sources || []).filter((s) => !seen.has(s.article_id) && seen.add(s.article_id));
  }

  // --- loading -----------------------------------------------------------------------------------

  function queryString(withDates) {
    const f = state.filters;
    const params = new URLSearchParams({ limit: String(PAGE), sort: "-date" });
    for (const key of ["type", "country", "actor", "q"]) if (f[key]) params.set(key, f[key]);
    if (f.disputed) params.set("disputed", "true");
    if (withDates && f.start) params.set("start", f.start);
    if (withDates && f.end) params.set("end", f.end);
    return params;
  }

  function filtersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const f = emptyFilters();
    for (const key of FILTER_KEYS) {
      const value = params.get(key) || "";
      f[key] = key === "disputed" ? value === "true" || value === "1" : value;
    }
    return f;
  }

  function urlOfFilters(f, hash) {
    const params = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      if (key === "disputed" ? f.disputed : f[key]) params.set(key, key === "disputed" ? "true" : f[key]);
    }
    const query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + (hash === undefined ? window.location.hash : hash);
  }

  // A new view: a new history entry (so Back returns to the previous one), then the data.
  function setFilters(changes) {
    state.filters = { ...state.filters, ...changes };
    const url = urlOfFilters(state.filters);
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.pushState(null, "", url);
    }
    showFilters();
    return refresh();
  }

  function showFilters() {
    const f = state.filters;
    for (const key of ["type", "country", "actor", "start", "end", "q"]) {
      const input = document.getElementById("f-" + key);
      if (key === "type" || key === "country") ensureOption(input, f[key]);
      input.value = f[key];
    }
    document.getElementById("f-disputed").checked = f.disputed;
  }

  // A shared link may name a value the choices do not list yet: keep it selectable.
  function ensureOption(select, value) {
    if (value && ![...select.options].some((o) => o.value === value)) {
      select.appendChild(el("option", { value, text: value }));
    }
  }

  async function fetchEvents(params) {
    const events = [];
    for (let offset = 0; ; offset += PAGE) {
      params.set("offset", String(offset));
      const page = await getJson("/api/events?" + params.toString());
      events.push(...page.events);
      if (events.length >= page.total || page.events.length === 0) return events;
    }
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      state.base = await fetchEvents(queryString(false));
      const ranged = state.filters.start || state.filters.end;
      state.shown = ranged ? await fetchEvents(queryString(true)) : state.base;
      status.textContent = state.shown.length + " of " + state.all.length + " events";
    } catch (error) {
      status.textContent = "Could not load events: " + error.message;
      return;
    }
    drawMarkers();
    drawTimeline();
    drawFacets();
    drawList();
    showRange();
    showDownloads();
    markPicked(false);
  }

  function showDownloads() {
    const params = queryString(true);
    params.delete("limit");
    const query = params.toString();
    document.getElementById("dl-csv").setAttribute("href", "/api/export.csv?" + query);
    document.getElementById("dl-geojson").setAttribute("href", "/api/export.geojson?" + query);
  }

  const countryName = (loc) => (loc && (loc.country_name || loc.country)) || null;
  const actorNames = (e) => [...new Set((e.actors || []).map((a) => a.canonical || a.name).filter(Boolean))];

  function countBy(events, keysOf) {
    const counts = new Map();
    for (const e of events) for (const key of keysOf(e)) counts.set(key, (counts.get(key) || 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  }

  function fillChoices() {
    const fill = (id, pairs, labelOf) => {
      const select = document.getElementById(id);
      while (select.options.length > 1) select.remove(1);
      for (const [value, n] of pairs) select.appendChild(el("option", { value, text: labelOf(value) + " (" + n + ")" }));
    };
    fill("f-type", countBy(state.all, (e) => [e.type]).sort((a, b) => a[0].localeCompare(b[0])), (v) => v);
    const names = new Map(state.all.filter((e) => e.location && e.location.country)
      .map((e) => [e.location.country, countryName(e.location)]));
    fill("f-country", countBy(state.all, (e) => (e.location && e.location.country ? [e.location.country] : []))
      .sort((a, b) => names.get(a[0]).localeCompare(names.get(b[0]))), (v) => names.get(v) || v);
    const list = document.getElementById("actor-names");
    clear(list);
    for (const [name] of countBy(state.all, actorNames)) list.appendChild(el("option", { value: name }));
  }

  // Counts of the events in view by type, country and actor (as datasette's facets); a click
  // narrows the view to that value, a second click on the chosen one widens it again.
  function drawFacets() {
    const box = document.getElementById("facets");
    clear(box);
    const facet = (key, title, pairs, labelOf) => {
      if (!pairs.length) return;
      box.appendChild(el("div", { className: "facet", "data-facet": key },
        el("span", { className: "facet-title", text: title }),
        pairs.map(([value, n]) => {
          const chosen = state.filters[key] === value;
          return el("button", { type: "button", className: "facet-value" + (chosen ? " chosen" : ""),
            "data-value": value, "aria-pressed": chosen ? "true" : "false",
            onclick: () => setFilters({ [key]: chosen ? "" : value }) },
          key === "type" ? el("span", { className: "swatch " + colorClass(value) }) : null,
          labelOf(value), " ", el("span", { className: "n", text: String(n) }));
        })));
    };
    facet("type", "Type", countBy(state.shown, (e) => [e.type]), (v) => v);
    const names = new Map(state.shown.filter((e) => e.location && e.location.country)
      .map((e) => [e.location.country, countryName(e.location)]));
    facet("country", "Country", countBy(state.shown, (e) => (e.location && e.location.country ? [e.location.country] : [])),
      (v) => names.get(v) || v);
    facet("actor", "Actor", countBy(state.shown, actorNames).slice(0, TOP_ACTORS), (v) => v);
  }

  // --- map ---------------------------------------------------------------------------------------

  async function initMap() {
    if (!window.L) {
      document.getElementById("map").appendChild(el("p", { className: "hint",
        text: "Map assets are missing: build them with `make assets`." }));
      return;
    }
    state.map = L.map("map", { worldCopyJump: true, minZoom: 1, maxZoom: 10 }).setView([20, 10], 2);
    state.map.attributionControl.addAttribution("Countries: Natural Earth via world-atlas");
    try {
      const topo = await getJson("/static/vendor/world-atlas/countries-110m.json");
      const land = topojson.feature(topo, topo.objects.countries);
      L.geoJSON(land, { interactive: false, style: () => ({ className: "country", weight: 0.6 }) })
        .addTo(state.map);
    } catch (_) { /* a blank sea still shows the events */ }
    state.cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    state.areas = L.featureGroup();
    state.map.addLayer(state.areas);
    state.map.addLayer(state.cluster);
  }

  function tooltipOf(e) {
    const loc = e.location || {};
    return el("div", { className: "tip" },
      el("strong", { text: e.type + (e.mode ? " / " + e.mode : "") }),
      el("div", { text: placeLabel(loc) + " · " + (loc.precision || "unknown") + " precision" }),
      el("div", { text: dateLabel(e) }),
      isDisputed(e) ? el("span", { className: "badge disputed", text: "disagreement" }) : null);
  }

  function drawMarkers() {
    if (!state.map) return;
    state.cluster.clearLayers();
    state.areas.clearLayers();
    state.layers.clear();
    const bounds = [];
    const labelled = new Set();
    for (const e of state.shown) {
      const loc = e.location;
      if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number") continue;
      const latlng = [loc.lat, loc.lon];
      const open = () => { pick(e.id); };
      const radius = AREA_RADIUS[loc.precision];
      let layer;
      if (radius) {
        layer = L.circle(latlng, { radius, className: "area " + colorClass(e.type),
          weight: 1, fillOpacity: 0.18 });
        state.areas.addLayer(layer);
      } else {
        const icon = L.divIcon({ className: "pin " + colorClass(e.type)
          + (isDisputed(e) ? " disputed" : ""), iconSize: [16, 16] });
        layer = L.marker(latlng, { icon, title: e.type + " · " + placeLabel(loc),
          alt: e.type, keyboard: true });
        state.cluster.addLayer(layer);
      }
      // The place's name beside its first marker; the details on hover.
      const name = loc.name || loc.text;
      const key = name + "@" + latlng.join(",");
      if (name && !labelled.has(key)) {
        labelled.add(key);
        // Leaflet renders a string tooltip as HTML: pass elements, whose text stays text.
        const label = () => el("span", { text: name });
        layer.bindTooltip(label(), { permanent: true, direction: "right", offset: [8, 0],
          className: "place-label", interactive: false });
        layer.on("mouseover", () => { layer.setTooltipContent(tooltipOf(e)); });
        layer.on("mouseout", () => { layer.setTooltipContent(label()); });
      } else {
        layer.bindTooltip(tooltipOf(e));
      }
      layer.on("click", open);
      layer.on("keypress", (ev) => { if (ev.originalEvent.key === "Enter") open(); });
      state.layers.set(e.id, layer);
      bounds.push(latlng);
    }
    if (bounds.length && !state.picked) state.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6 });
    drawLegend();
  }

  // Which colour is which type: the types on the map now.
  function drawLegend() {
    if (!state.map) return;
    if (!state.legend) {
      state.legend = L.control({ position: "bottomright" });
      state.legend.onAdd = () => el("div", { className: "legend-box", id: "legend" });
      state.legend.addTo(state.map);
    }
    const box = document.getElementById("legend");
    clear(box);
    const types = [...new Set(state.shown.filter((e) => e.location && typeof e.location.lat === "number")
      .map((e) => e.type))].sort();
    box.hidden = !types.length;
    for (const type of types) {
      box.appendChild(el("div", { className: "legend-item", "data-type": type },
        el("span", { className: "swatch " + colorClass(type) }), type));
    }
    box.appendChild(el("div", { className: "legend-item" }, el("span", { className: "swatch ring" }), "coarse place (area)"));
  }

  // The picked event: marked in the list, zoomed to on the map.
  function markPicked(zoom) {
    for (const item of document.querySelectorAll(".event-item.picked")) {
      item.classList.remove("picked");
      item.removeAttribute("aria-current");
    }
    if (!state.picked) return;
    const item = document.querySelector('.event-item[data-event-id="' + CSS.escape(state.picked) + '"]');
    if (item) {
      item.classList.add("picked");
      item.setAttribute("aria-current", "true");
      const group = item.closest("details");
      if (group) group.open = true;
      if (zoom) item.scrollIntoView({ block: "nearest" });
    }
    const layer = state.layers.get(state.picked);
    if (!zoom || !state.map || !layer) return;
    const ring = () => {
      for (const node of document.querySelectorAll(".picked-on-map")) node.classList.remove("picked-on-map");
      const node = layer.getElement ? layer.getElement() : null;
      if (node) node.classList.add("picked-on-map");
    };
    if (layer.getBounds) {
      state.map.fitBounds(layer.getBounds(), { maxZoom: PICK_ZOOM });
      ring();
    } else {
      const picked = state.picked;
      state.cluster.zoomToShowLayer(layer, () => {
        state.map.setView(layer.getLatLng(), Math.max(state.map.getZoom(), PICK_ZOOM));
        ring();
      });
      // Several events in one town sit at one point: their cluster never splits by zooming and
      // zoomToShowLayer may not call back. Then zoom in ourselves and open the cluster.
      setTimeout(() => {
        if (state.picked !== picked || (layer.getElement && layer.getElement())) return;
        state.map.setView(layer.getLatLng(), state.map.getMaxZoom(), { animate: false });
        const parent = state.cluster.getVisibleParent(layer);
        if (parent && parent !== layer && parent.spiderfy) parent.spiderfy();
        setTimeout(ring, 400);
      }, 1500);
    }
  }

  function pick(id) {
    window.location.hash = eventLink(id);
  }

  // --- timeline ----------------------------------------------------------------------------------

  const toDay = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
  const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);

  // Bars per day for short spans; per week or month when the events spread over a long time.
  const binDaysFor = (spanDays) => (spanDays <= 120 ? 1 : spanDays <= 1000 ? 7 : 30);

  // The dates without the far outliers (a stray 2007 event must not squash 2025 into one bar).
  function withoutOutliers(days) {
    if (days.length < 4) return days;
    const sorted = [...days].sort((a, b) => a - b);
    const at = (q) => sorted[Math.floor(q * (sorted.length - 1))];
    const fence = Math.max(FENCE_IQR * (at(0.75) - at(0.25)), MIN_FENCE_DAYS * DAY_MS);
    return days.filter((d) => d >= at(0.25) - fence && d <= at(0.75) + fence);
  }

  function drawTimeline() {
    const box = document.getElementById("timeline");
    clear(box);
    // A day scale draws the events dated to the day or week; "last year" is no bar on 1 January.
    const withDate = state.base.filter((e) => eventDate(e).start);
    const fine = withDate.filter((e) => COARSE_PRECISIONS.indexOf(eventDate(e).precision) < 0);
    const every = fine.map((e) => toDay(String(eventDate(e).start).slice(0, 10)));
    const dated = withoutOutliers(every);
    const note = document.getElementById("timeline-note");
    const plural = (n, one) => n + " " + one + (n === 1 ? "" : "s");
    const undated = state.base.length - withDate.length;
    const coarse = withDate.length - fine.length;
    const outside = every.length - dated.length;
    note.textContent = [outside ? plural(outside, "event") + " far outside this span not drawn" : "",
      coarse ? plural(coarse, "event") + " dated only to the month or year" : "",
      undated ? undated + " undated" : ""].filter(Boolean).join(" · ");
    const width = box.clientWidth || 600;
    const height = 90;
    box.setAttribute("viewBox", "0 0 " + width + " " + height);
    if (!dated.length) {
      const text = svg("text", { x: 8, y: 40, class: "axis" });
      text.appendChild(document.createTextNode("no dated events"));
      box.appendChild(text);
      return;
    }
    const binDays = binDaysFor((Math.max(...dated) - Math.min(...dated)) / DAY_MS);
    const bin = binDays * DAY_MS;
    const first = Math.min(...dated) - bin;
    const bins = Math.floor((Math.max(...dated) - first) / bin) + 2;
    const counts = new Map();
    for (const ms of dated) {
      const index = Math.floor((ms - first) / bin);
      counts.set(index, (counts.get(index) || 0) + 1);
    }
    const step = (width - 20) / bins;
    const x = (index) => 10 + index * step;
    const top = Math.max(...counts.values());
    const f = state.filters;
    const binStart = (index) => isoOf(first + index * bin);
    const binEnd = (index) => isoOf(first + (index + 1) * bin - DAY_MS);
    for (const [index, n] of counts) {
      const [from, to] = [binStart(index), binEnd(index)];
      const barHeight = (n / top) * (height - 30);
      const inRange = (!f.start || to >= f.start) && (!f.end || from <= f.end);
      const bar = svg("rect", { x: x(index) + 1, y: height - 18 - barHeight,
        width: Math.max(step - 2, 2), height: barHeight, class: "bar" + (inRange ? "" : " out"),
        "data-day": from });
      const label = svg("title");
      const period = binDays === 1 ? from : from + " – " + to;
      label.appendChild(document.createTextNode(period + ": " + n + " event" + (n > 1 ? "s" : "")));
      bar.appendChild(label);
      box.appendChild(bar);
    }
    for (const [index, anchor] of [[1, "start"], [bins - 1, "end"]]) {
      const tick = svg("text", { x: anchor === "end" ? x(bins) : x(index), y: height - 4,
        class: "axis", "text-anchor": anchor });
      tick.appendChild(document.createTextNode(binStart(index)));
      box.appendChild(tick);
    }
    const indexAt = (px) => Math.min(bins - 1, Math.max(0, Math.floor((px - 10) / step)));
    attachBrush(box, (a, b) => [binStart(indexAt(a)), binEnd(indexAt(b))], height);
  }

  // Drag across the timeline to keep only the events of those days.
  function attachBrush(box, rangeAt, height) {
    let origin = null;
    const brush = svg("rect", { class: "brush", y: 0, height: height - 16, x: 0, width: 0 });
    box.appendChild(brush);
    const px = (ev) => ev.clientX - box.getBoundingClientRect().left;
    box.onpointerdown = (ev) => {
      origin = px(ev);
      box.setPointerCapture(ev.pointerId);
      brush.setAttribute("x", origin);
      brush.setAttribute("width", 0);
    };
    box.onpointermove = (ev) => {
      if (origin === null) return;
      const now = px(ev);
      brush.setAttribute("x", Math.min(origin, now));
      brush.setAttribute("width", Math.abs(now - origin));
    };
    box.onpointerup = (ev) => {
      if (origin === null) return;
      const now = px(ev);
      const [a, b] = [Math.min(origin, now), Math.max(origin, now)];
      origin = null;
      const [from, to] = rangeAt(a, b);
      setFilters({ start: from, end: to });
    };
  }

  function showRange() {
    const range = document.getElementById("f-range");
    const f = state.filters;
    range.hidden = !(f.start || f.end);
    range.textContent = "dates " + (f.start || "…") + " – " + (f.end || "…");
  }

  // --- list --------------------------------------------------------------------------------------

  // Newest first; events with no place, then those with no date, in groups of their own.
  function drawList() {
    const box = document.getElementById("event-list");
    clear(box);
    const placed = (e) => Boolean(e.location && (e.location.name || e.location.text));
    const dated = (e) => Boolean(eventDate(e).start);
    const newestFirst = (a, b) => String(eventDate(b).start || "").localeCompare(String(eventDate(a).start || ""))
      || String(a.id).localeCompare(String(b.id));
    const groups = [
      ["dated", null, state.shown.filter((e) => dated(e) && placed(e))],
      ["unplaced", "Place unknown", state.shown.filter((e) => dated(e) && !placed(e))],
      ["undated", "Date unknown", state.shown.filter((e) => !dated(e))],
    ];
    for (const [key, title, events] of groups) {
      if (!events.length) continue;
      const list = el("ol", { className: "event-list" }, events.sort(newestFirst).map(listItem));
      box.appendChild(title
        ? el("details", { className: "event-group", "data-group": key, open: true },
          el("summary", { text: title + " (" + events.length + ")" }), list)
        : el("div", { className: "event-group", "data-group": key }, list));
    }
  }

  function listItem(e) {
    const sources = uniqueSources(e).length;
    return el("li", { className: "event-item", "data-event-id": e.id },
      el("a", { href: eventLink(e.id), className: "event-link" },
        el("span", { className: "type " + colorClass(e.type), text: e.type }),
        el("span", { className: "where", text: placeLabel(e.location) }),
        el("span", { className: "when", text: dateLabel(e) }),
        el("span", { className: "count", text: sources + (sources === 1 ? " source" : " sources") }),
        isDisputed(e) ? el("span", { className: "badge disputed", text: "disagreement" }) : null));
  }

  // --- highlighting ------------------------------------------------------------------------------

  // Text with spans highlighted: segments between every span boundary, each a text node, wrapped
  // in <mark> when spans cover it. Works for nested and overlapping spans.
  function highlighted(text, spans, base) {
    const offset = base || 0;
    const local = spans
      .map((s) => ({ ...s, start: s.start - offset, end: s.end - offset }))
      .filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end);
    const cuts = [...new Set([0, text.length, ...local.flatMap((s) => [s.start, s.end])])]
      .sort((a, b) => a - b);
    const out = document.createDocumentFragment();
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      const piece = text.slice(a, b);
      const covering = local.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) { out.appendChild(document.createTextNode(piece)); continue; }
      const fields = [...new Set(covering.map((s) => String(s.field).replace(/[^a-z]/g, "")))];
      const mark = el("mark", { className: "hl " + fields.map((f) => "f-" + f).join(" ")
        + (covering.some((s) => s.disputed) ? " disputed" : ""),
        title: covering.map((s) => s.field + ": " + (s.label || "")).join("\n") }, piece);
      out.appendChild(mark);
    }
    return out;
  }

  // --- event panel -------------------------------------------------------------------------------

  function fieldValues(e) {
    // Per-source values: the event's `fields` when given, plus every discrepancy's values.
    const rows = [];
    for (const [field, values] of Object.entries(e.fields || {})) {
      for (const v of values || []) rows.push({ field, ...v });
    }
    for (const d of discrepancies(e)) {
      for (const v of d.values || []) rows.push({ field: d.field, ...v, disputed: true });
    }
    return rows;
  }

  function renderEvent(e) {
    const panel = document.getElementById("panel");
    clear(panel);
    const loc = e.location || {};
    const acled = e.acled || {};
    const title = el("h2", { className: "event-title" },
      el("span", { className: "type " + colorClass(e.type), text: e.type }),
      e.mode ? " / " + e.mode : "", " — ", placeLabel(loc));
    const facts = el("dl", { className: "facts" },
      el("dt", { text: "When" }), el("dd", { text: dateLabel(e) }),
      el("dt", { text: "Where" }), el("dd", {},
        placeLabel(loc), " ", el("span", { className: "precision", text: (loc.precision || "unknown") + " precision" }),
        loc.note ? el("div", { className: "note", text: loc.note }) : null),
      acled.event_type ? el("dt", { text: "ACLED" }) : null,
      acled.event_type ? el("dd", { text: acled.event_type + (acled.sub_event_type ? " / " + acled.sub_event_type : "") }) : null,
      el("dt", { text: "Actors" }), el("dd", {},
        (e.actors || []).map((a) => el("span", { className: "actor " + (a.role || ""),
          text: (a.role ? a.role + ": " : "") + (a.canonical || a.name) }))),
      el("dt", { text: "Status" }), el("dd", { text: e.status || "reported" }),
      el("dt", { text: "Confidence" }), el("dd", { text: typeof e.confidence === "number" ? e.confidence.toFixed(2) : "—" }));
    append(panel, title, facts, renderDisagreements(e), renderSources(e), renderQuotes(e));
  }

  // Element.append would write a null child as the text "null": skip absent parts.
  function append(parent, ...children) {
    parent.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  }

  // One version per article and wording: a comparison never shows the same article twice.
  function uniqueVersions(values) {
    const seen = new Set();
    return values.filter((v) => {
      const key = v.article_id + "\u0000" + wording(v);
      return !seen.has(key) && seen.add(key);
    });
  }

  function renderDisagreements(e) {
    const list = discrepancies(e);
    const box = el("section", { className: "disagreements" }, el("h3", { text: "Where the sources disagree" }));
    if (!list.length) { box.appendChild(el("p", { className: "hint", text: "The sources agree on every field." })); return box; }
    for (const d of list) {
      box.appendChild(el("div", { className: "disagreement", "data-field": d.field },
        el("div", { className: "head" }, el("span", { className: "badge disputed", text: "disagreement" }),
          " ", el("strong", { text: d.field })),
        d.reason ? el("p", { className: "reason", text: d.reason }) : null,
        el("div", { className: "versus" }, uniqueVersions(d.values || []).map((v) =>
          el("a", { className: "version", href: articleLink(v.article_id) },
            el("span", { className: "outlet", text: outletOf(e, v.article_id) }),
            el("q", { className: "wording", text: wording(v) }))))));
    }
    return box;
  }

  function renderSources(e) {
    const values = fieldValues(e);
    const box = el("section", { className: "sources" }, el("h3", { text: "Sources side by side" }));
    const grid = el("div", { className: "source-grid" });
    for (const s of uniqueSources(e)) {
      const mine = values.filter((v) => v.article_id === s.article_id && v.evidence);
      const ev = s.evidence;
      const disputedAt = new Set(mine.filter((v) => v.disputed).map((v) => v.evidence.start + ":" + v.evidence.end));
      // What extraction read in this article for this event (trigger, actors, place, time, counts).
      const read = ((e.evidence_spans || {})[s.article_id] || []).filter((sp) => sp.field !== "sentence")
        .map((sp) => ({ ...sp, disputed: disputedAt.has(sp.start + ":" + sp.end) }));
      const spans = read.concat(mine.map((v) => ({ ...v.evidence, field: v.field, label: valueText(v.value), disputed: v.disputed })));
      const inside = ev ? spans.filter((sp) => sp.start >= ev.start && sp.end <= ev.end) : [];
      const outside = spans.filter((sp) => !inside.includes(sp));
      const seen = new Set();
      grid.appendChild(el("article", { className: "source", "data-article-id": s.article_id },
        el("header", {},
          el("span", { className: "outlet", text: sourceName(s) }),
          s.published ? el("span", { className: "published", text: s.published }) : null,
          s.copy_of ? el("span", { className: "badge copy", text: "wire copy" }) : null),
        s.title ? el("div", { className: "title", text: s.title }) : null,
        ev ? el("blockquote", { className: "evidence" }, highlighted(ev.text || "", inside, ev.start)) : null,
        outside.length ? el("ul", { className: "more-evidence" }, outside
          .filter((sp) => { const k = sp.field + sp.start; if (seen.has(k)) return false; seen.add(k); return true; })
          .map((sp) => el("li", { className: sp.disputed ? "disputed" : "" },
            el("span", { className: "field", text: sp.field + ": " }), el("mark", { className: "hl", text: sp.text || "" })))) : null,
        el("a", { className: "article-link", href: articleLink(s.article_id), text: "Read the article with every extracted span" })));
    }
    box.appendChild(grid);
    return box;
  }

  function renderQuotes(e) {
    const box = el("section", { className: "quotes" }, el("h3", { text: "Quotes, aligned by speaker" }));
    const groups = new Map();
    for (const q of e.quotes || []) {
      // DESIGN §5 gives flat {speaker, text, article_id}; QuoteGroup-shaped input is accepted too.
      const renderings = q.renderings
        ? q.renderings.map((r) => ({ ...r, article_id: r.article_id || (r.evidence && r.evidence.article_id) })) : [q];
      for (const r of renderings) {
        const key = q.speaker || r.speaker || "unattributed";
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(r);
      }
    }
    if (!groups.size) { box.appendChild(el("p", { className: "hint", text: "No quotes." })); return box; }
    for (const [speaker, renderings] of groups) {
      box.appendChild(el("div", { className: "quote-group" },
        el("div", { className: "speaker", text: speaker }),
        el("div", { className: "renderings" }, renderings.map((r) =>
          el("figure", { className: "rendering" },
            el("blockquote", { text: r.text || "" }),
            el("figcaption", {}, el("a", { href: articleLink(r.article_id || ""), text: outletOf(e, r.article_id) })))))));
    }
    return box;
  }

  // --- article view ------------------------------------------------------------------------------

  function renderArticle(a) {
    const panel = document.getElementById("panel");
    clear(panel);
    const url = safeUrl(a.url);
    append(panel,
      el("h2", { className: "article-title", text: a.title || "(untitled article)" }),
      el("div", { className: "byline" },
        el("span", { className: "outlet", text: a.outlet || domainOf(a.url) || "unnamed source" }), " · ",
        el("span", { text: a.published ? a.published + (a.published_source ? " (from " + a.published_source + ")" : "") : "publication date unknown" }),
        url ? el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank", text: " original" }) : null),
      el("p", { className: "legend", text: (a.spans || []).length + " extracted spans highlighted; hover one to see what was read there." }),
      el("div", { className: "article-text" }, highlighted(a.text || "", (a.spans || []).filter((s) => s.field !== "sentence"), 0)),
      (a.posts || []).length ? el("section", { className: "posts" }, el("h3", { text: "Embedded posts" }),
        a.posts.map((p) => el("figure", { className: "post" }, el("blockquote", { text: p.text || "" }),
          el("figcaption", { text: [p.author, p.handle ? "@" + String(p.handle).replace(/^@/, "") : null, p.date].filter(Boolean).join(" · ") })))) : null,
      el("section", { className: "article-events" }, el("h3", { text: "Events reported here" }),
        el("ul", {}, (a.events || []).map((ev) => el("li", {}, el("a", { href: eventLink(ev.id), text: ev.type + " " + ev.id }))))));
  }

  // --- routing -----------------------------------------------------------------------------------

  async function route() {
    const panel = document.getElementById("panel");
    const match = window.location.hash.match(/^#\/(event|article)\/(.+)$/);
    state.picked = match && match[1] === "event" ? decodeURIComponent(match[2]) : null;
    document.body.classList.toggle("has-pick", Boolean(match));
    if (!match) {
      clear(panel);
      panel.appendChild(el("p", { className: "hint", text: "Pick an event on the map or in the list to compare its sources." }));
      markPicked(false);
      return;
    }
    const [, kind, rawId] = match;
    const id = decodeURIComponent(rawId);
    try {
      const data = await getJson("/api/" + kind + "s/" + encodeURIComponent(id));
      (kind === "event" ? renderEvent : renderArticle)(data);
      panel.scrollTop = 0;
      markPicked(kind === "event");
      // On a narrow screen the panel sits under the map: bring it into view.
      if (window.matchMedia("(max-width: 800px)").matches) panel.scrollIntoView({ block: "start" });
    } catch (error) {
      clear(panel);
      panel.appendChild(el("p", { className: "error", text: "Could not load " + kind + " " + id + ": " + error.message }));
    }
  }

  // Back/forward: the URL says which filters and which event; follow it.
  async function followUrl() {
    const wanted = filtersFromUrl();
    if (JSON.stringify(wanted) !== JSON.stringify(state.filters)) {
      state.filters = wanted;
      showFilters();
      await refresh();
    }
    if (window.location.hash !== state.routed) {
      state.routed = window.location.hash;
      await route();
    }
  }

  function bindFilters() {
    const form = document.getElementById("filters");
    const read = () => setFilters({
      type: document.getElementById("f-type").value,
      country: document.getElementById("f-country").value,
      actor: document.getElementById("f-actor").value.trim(),
      start: document.getElementById("f-start").value,
      end: document.getElementById("f-end").value,
      disputed: document.getElementById("f-disputed").checked,
      q: document.getElementById("f-q").value.trim(),
    });
    form.addEventListener("change", read);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); read(); });
    let timer = null;
    for (const id of ["f-q", "f-actor"]) {
      document.getElementById(id).addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(read, 300); });
    }
    document.getElementById("f-clear").addEventListener("click", () => {
      form.reset();
      setFilters(emptyFilters());
    });
  }

  async function start() {
    bindFilters();
    await initMap();
    try { state.all = await fetchEvents(new URLSearchParams({ limit: String(PAGE) })); } catch (_) { state.all = []; }
    fillChoices();
    state.filters = filtersFromUrl();
    showFilters();
    await refresh();
    window.addEventListener("popstate", followUrl);
    window.addEventListener("hashchange", followUrl);
    state.routed = window.location.hash;
    await route();
    document.body.setAttribute("data-ready", "true"); // lets browser tests wait for the first render
  }

  window.addEventListener("DOMContentLoaded", start);
})();
