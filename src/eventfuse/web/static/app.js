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

  const state = {
    all: [],            // every event (facets)
    base: [],           // events matching the filters except the date range (timeline)
    shown: [],          // events matching every filter (map, list)
    filters: { type: "", country: "", disputed: false, q: "", start: "", end: "" },
    map: null, cluster: null, areas: null,
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
    const parts = [loc.canonical || loc.name, loc.admin1, loc.country].filter(Boolean);
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

  // An outlet's name, else the article's title, else its id: seeds and pastes may have neither.
  const sourceName = (s) => s.outlet || s.title || "article " + String(s.article_id).slice(0, 12);

  function outletOf(e, articleId) {
    const source = (e.sources || []).find((s) => s.article_id === articleId);
    return source ? sourceName(source) : "article " + String(articleId).slice(0, 12);
  }

  // --- loading -----------------------------------------------------------------------------------

  function queryString(withDates) {
    const f = state.filters;
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (f.type) params.set("type", f.type);
    if (f.country) params.set("country", f.country);
    if (f.disputed) params.set("disputed", "true");
    if (f.q) params.set("q", f.q);
    if (withDates && f.start) params.set("start", f.start);
    if (withDates && f.end) params.set("end", f.end);
    return params;
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
    drawList();
    showRange();
  }

  function fillFacets() {
    const fill = (id, values) => {
      const select = document.getElementById(id);
      for (const value of [...new Set(values.filter(Boolean))].sort()) {
        select.appendChild(el("option", { value, text: value }));
      }
    };
    fill("f-type", state.all.map((e) => e.type));
    fill("f-country", state.all.map((e) => e.location && e.location.country));
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
    const bounds = [];
    for (const e of state.shown) {
      const loc = e.location;
      if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number") continue;
      const latlng = [loc.lat, loc.lon];
      const open = () => { window.location.hash = eventLink(e.id); };
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
      layer.bindTooltip(tooltipOf(e));
      layer.on("click", open);
      layer.on("keypress", (ev) => { if (ev.originalEvent.key === "Enter") open(); });
      bounds.push(latlng);
    }
    if (bounds.length) state.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6 });
  }

  // --- timeline ----------------------------------------------------------------------------------

  const toDay = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
  const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);

  // Bars per day for short spans; per week or month when the events spread over a long time.
  const binDaysFor = (spanDays) => (spanDays <= 120 ? 1 : spanDays <= 1000 ? 7 : 30);

  function drawTimeline() {
    const box = document.getElementById("timeline");
    clear(box);
    const dated = state.base.map((e) => eventDate(e).start).filter(Boolean).map((d) => toDay(d.slice(0, 10)));
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
      [state.filters.start, state.filters.end] = rangeAt(a, b);
      refresh();
    };
  }

  function showRange() {
    const range = document.getElementById("f-range");
    const f = state.filters;
    range.hidden = !(f.start || f.end);
    range.textContent = "dates " + (f.start || "…") + " – " + (f.end || "…");
  }

  // --- list --------------------------------------------------------------------------------------

  function drawList() {
    const list = document.getElementById("event-list");
    clear(list);
    for (const e of state.shown) {
      const sources = e.sources ? e.sources.length : 0;
      list.appendChild(el("li", { className: "event-item", "data-event-id": e.id },
        el("a", { href: eventLink(e.id), className: "event-link" },
          el("span", { className: "type " + colorClass(e.type), text: e.type }),
          el("span", { className: "where", text: placeLabel(e.location) }),
          el("span", { className: "when", text: dateLabel(e) }),
          el("span", { className: "count", text: sources + (sources === 1 ? " source" : " sources") }),
          isDisputed(e) ? el("span", { className: "badge disputed", text: "disagreement" }) : null)));
    }
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
    panel.append(title, facts, renderDisagreements(e), renderSources(e), renderQuotes(e));
    if (state.map && typeof loc.lat === "number" && typeof loc.lon === "number") {
      state.map.panTo([loc.lat, loc.lon]);
    }
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
        el("div", { className: "versus" }, (d.values || []).map((v) =>
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
    for (const s of e.sources || []) {
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
          el("span", { className: "outlet", text: s.outlet || "unknown outlet" }),
          s.outlet ? null : el("span", { className: "article-id", text: String(s.article_id).slice(0, 12) }),
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
    panel.append(
      el("h2", { className: "article-title", text: a.title || "(untitled article)" }),
      el("div", { className: "byline" },
        el("span", { className: "outlet", text: a.outlet || "unknown outlet" }), " · ",
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
    if (!match) {
      clear(panel);
      panel.appendChild(el("p", { className: "hint", text: "Pick an event on the map or in the list to compare its sources." }));
      return;
    }
    const [, kind, rawId] = match;
    const id = decodeURIComponent(rawId);
    try {
      const data = await getJson("/api/" + kind + "s/" + encodeURIComponent(id));
      (kind === "event" ? renderEvent : renderArticle)(data);
      panel.scrollTop = 0;
    } catch (error) {
      clear(panel);
      panel.appendChild(el("p", { className: "error", text: "Could not load " + kind + " " + id + ": " + error.message }));
    }
  }

  function bindFilters() {
    const form = document.getElementById("filters");
    const read = () => {
      state.filters.type = document.getElementById("f-type").value;
      state.filters.country = document.getElementById("f-country").value;
      state.filters.disputed = document.getElementById("f-disputed").checked;
      state.filters.q = document.getElementById("f-q").value.trim();
      refresh();
    };
    form.addEventListener("change", read);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); read(); });
    let timer = null;
    document.getElementById("f-q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(read, 300); });
    document.getElementById("f-clear").addEventListener("click", () => {
      form.reset();
      state.filters = { type: "", country: "", disputed: false, q: "", start: "", end: "" };
      refresh();
    });
  }

  async function start() {
    bindFilters();
    await initMap();
    try { state.all = await fetchEvents(new URLSearchParams({ limit: String(PAGE) })); } catch (_) { state.all = []; }
    fillFacets();
    await refresh();
    window.addEventListener("hashchange", route);
    await route();
    document.body.setAttribute("data-ready", "true"); // lets browser tests wait for the first render
  }

  window.addEventListener("DOMContentLoaded", start);
})();
