/// The status page's script (`/ui/app.js`): sign-in with a token kept in sessionStorage,
/// hash routes for each page, reads through the API, polling while something runs. Plain
/// JavaScript, no libraries, no build step.
enum StatusPageScript {
    static let text = #"""
"use strict";
// vmib's status page: reads the Azure-shaped API with the token the person gives, and draws
// galleries, image definitions, versions (with their replication on a world map, live while
// it runs), image templates and their runs. It never writes. Every value from the API goes
// into the page as text (textContent, attributes), never as markup.
(() => {
  const VERSIONS = { compute: "2025-03-03", resources: "2022-12-01", builder: "2025-10-01" };
  const TOKEN = "vmib.token", SUBSCRIPTION = "vmib.subscription";
  const FAST = 1000, SLOW = 5000, LOG_LINES = 100;
  const session = window.sessionStorage;
  const $ = (id) => document.getElementById(id);

  // Every navigation bumps this; an answer that arrives for an older page is dropped.
  let generation = 0;
  let timer = null;
  let regionCache = null;

  // ---- elements -----------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    return build(document.createElement(tag), attrs, children);
  }
  function svg(tag, attrs, ...children) {
    return build(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);
  }
  function build(el, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k === "class") el.setAttribute("class", v);
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const STATES = {
    Completed: ["✔", "ok"], Succeeded: ["✔", "ok"], Active: ["✔", "ok"],
    Replicating: ["⟳", "busy"], Creating: ["⟳", "busy"], Updating: ["⟳", "busy"], Deleting: ["⟳", "busy"],
    InProgress: ["⟳", "busy"], Running: ["⟳", "busy"], Canceling: ["⟳", "busy"],
    Pending: ["○", "idle"], Queued: ["○", "idle"],
    Failed: ["✖", "bad"], Obsolete: ["✖", "bad"],
    PartiallySucceeded: ["◑", "warn"], Deprecated: ["▲", "warn"], Canceled: ["⊘", "idle"],
  };
  // A state as an icon and its word: never colour alone.
  function badge(state, extra) {
    const [icon, tone] = STATES[state] || ["?", "idle"];
    return h("span", { class: `state tone-${tone}`, "data-state": state },
      h("span", { class: "icon", "aria-hidden": "true", text: icon }), " ", state || "unknown", extra ? ` ${extra}` : "");
  }

  function bytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0, v = Number(n);
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  }
  function when(text) {
    if (!text) return "–";
    const d = new Date(text);
    return isNaN(d) ? text : d.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
  }
  function table(caption, headers, rows, attrs) {
    return h("table", attrs || {},
      h("caption", { text: caption }),
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows));
  }
  function empty(columns, text) {
    return h("tr", {}, h("td", { colspan: columns, class: "none", text }));
  }
  function alert(text) {
    return h("p", { class: "alert", role: "alert", text });
  }
  function link(href, text) {
    return h("a", { href, text });
  }
  function announce(text) {
    $("announce").textContent = text;
  }

  // ---- the API ------------------------------------------------------------------------

  class APIError extends Error {
    constructor(status, code, message, target) {
      super(message);
      this.status = status; this.code = code; this.target = target;
    }
    get text() { return `${this.message} (${this.code}${this.status ? `, HTTP ${this.status}` : ""})`; }
  }
  class SignedOut extends Error {}

  const subscription = () => session.getItem(SUBSCRIPTION) || "";
  const sub = () => `/subscriptions/${encodeURIComponent(subscription())}`;
  const rgPath = (rg) => `${sub()}/resourceGroups/${encodeURIComponent(rg)}`;
  const galleryPath = (p) => `${rgPath(p.rg)}/providers/Microsoft.Compute/galleries/${encodeURIComponent(p.gallery)}`;
  const imagePath = (p) => `${galleryPath(p)}/images/${encodeURIComponent(p.image)}`;
  const versionPath = (p) => `${imagePath(p)}/versions/${encodeURIComponent(p.version)}`;
  const templatePath = (p) => `${rgPath(p.rg)}/providers/Microsoft.VirtualMachineImages/imageTemplates/${encodeURIComponent(p.template)}`;

  // GET `path` with the session's token (or `token`). A 401 signs the page out: whatever was
  // shown goes, and the sign-in form says why.
  async function get(path, { api = VERSIONS.compute, query = {}, etag = null, token = null } = {}) {
    const bearer = token || session.getItem(TOKEN);
    if (!bearer) throw new SignedOut();
    // Keys as they are (`$expand`: the server reads the key undecoded), values encoded.
    const url = `${path}?` + Object.entries({ "api-version": api, ...query })
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    const headers = { Authorization: `Bearer ${bearer}`, Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    let r;
    try {
      r = await fetch(url, { headers, cache: "no-store", credentials: "omit", redirect: "error" });
    } catch (e) {
      throw new APIError(0, "NoAnswer", `The server did not answer (${e.message}).`);
    }
    if (r.status === 304) return { notModified: true, etag };
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch (_) { /* an error page that is not JSON */ }
    const err = (body && body.error) || {};
    if (r.status === 401) {
      const e = new APIError(401, err.code || "Unauthorized", err.message || "Authentication failed.");
      if (token) throw e;
      signOut(refusedMessage(e));
      throw new SignedOut();
    }
    if (!r.ok) throw new APIError(r.status, err.code || `HTTP${r.status}`, err.message || text.slice(0, 300), err.target);
    return { body, etag: r.headers.get("ETag") };
  }

  function refusedMessage(e) {
    return `The server refused the token: ${e.message} (${e.code}). It is wrong, expired or revoked; `
      + "nothing is shown until you sign in with a valid one.";
  }

  async function regions(token) {
    if (regionCache && !token) return regionCache;
    const r = await get(`${sub()}/locations`, { api: VERSIONS.resources, token });
    const byName = {};
    for (const l of r.body.value || []) byName[l.name] = l;
    regionCache = { byName, list: r.body.value || [], home: r.body.vmib && r.body.vmib.home, topology: r.body.vmib && r.body.vmib.topology };
    return regionCache;
  }
  const regionName = (name) => (regionCache && regionCache.byName[name] ? regionCache.byName[name].displayName : name);

  // ---- signing in and out -------------------------------------------------------------

  function showLogin(message, isError) {
    clearView();
    document.title = "Sign in · vmib status";
    $("session").hidden = true;
    $("crumbs").replaceChildren();
    $("login").hidden = false;
    const box = $("login-error");
    box.replaceChildren();
    if (message) box.append(h("p", { class: isError ? "alert" : "note", text: message }));
    $("subscription").value = subscription() || $("subscription").value;
    $("token").value = "";
    $("token").focus();
  }

  function signOut(message) {
    session.removeItem(TOKEN);
    regionCache = null;
    showLogin(message || "Signed out: the token is forgotten.", Boolean(message));
  }

  async function signIn(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    const subscriptionId = $("subscription").value.trim();
    const box = $("login-error");
    box.replaceChildren();
    if (!token || !subscriptionId) {
      box.append(alert(token ? "Give the subscription id." : "Give an access token."));
      (token ? $("subscription") : $("token")).focus();
      return;
    }
    $("signin").disabled = true;
    try {
      session.setItem(SUBSCRIPTION, subscriptionId);
      await regions(token);
      session.setItem(TOKEN, token);
      $("token").value = "";
      $("login").hidden = true;
      if (!window.location.hash || window.location.hash === "#") window.location.hash = "#/";
      else route();
    } catch (e) {
      regionCache = null;
      const text = e instanceof APIError && e.status === 401 ? refusedMessage(e)
        : e instanceof APIError && e.status === 403 ? `This token may not read subscription ${subscriptionId}: ${e.message} (${e.code}).`
        : e instanceof APIError && e.status === 404 ? `This server does not serve subscription ${subscriptionId}: ${e.message}`
        : `Could not sign in: ${e.message}`;
      box.append(alert(text));
      $("token").focus();
    } finally {
      $("signin").disabled = false;
    }
  }

  // ---- navigation -----------------------------------------------------------------------

  function clearView() {
    generation++;
    if (timer) { clearTimeout(timer); timer = null; }
    $("view").replaceChildren();
    $("updated").textContent = "";
  }

  function parse(hash) {
    const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    const [a, rg, b, gallery, c, image, d, version] = parts;
    if (a === "rg" && b === "templates" && gallery) return { page: "template", rg, template: gallery };
    if (a === "rg" && b === "galleries" && gallery) {
      if (c === "images" && image) {
        if (d === "versions" && version) return { page: "version", rg, gallery, image, version };
        return { page: "image", rg, gallery, image };
      }
      return { page: "gallery", rg, gallery };
    }
    return { page: "home" };
  }

  const enc = encodeURIComponent;
  const href = {
    gallery: (p) => `#/rg/${enc(p.rg)}/galleries/${enc(p.gallery)}`,
    image: (p) => `${href.gallery(p)}/images/${enc(p.image)}`,
    version: (p) => `${href.image(p)}/versions/${enc(p.version)}`,
    template: (p) => `#/rg/${enc(p.rg)}/templates/${enc(p.template)}`,
  };

  function crumbs(p) {
    const items = [link("#/", "Home")];
    if (p.gallery) items.push(link(href.gallery(p), `Gallery ${p.gallery}`));
    if (p.image) items.push(link(href.image(p), `Image ${p.image}`));
    if (p.version) items.push(link(href.version(p), `Version ${p.version}`));
    if (p.template) items.push(link(href.template(p), `Template ${p.template}`));
    items[items.length - 1].setAttribute("aria-current", "page");
    $("crumbs").replaceChildren(h("ol", {}, items.map((a) => h("li", {}, a))));
  }

  function route() {
    if (!session.getItem(TOKEN)) { showLogin(); return; }
    clearView();
    $("login").hidden = true;
    $("session").hidden = false;
    $("who").textContent = `Subscription ${subscription()}`;
    const p = parse(window.location.hash);
    crumbs(p);
    // Screen readers announce the title of each page the person moves to.
    const what = p.version ? `Version ${p.version} of ${p.image}` : p.image ? `Image ${p.image}` : p.gallery ? `Gallery ${p.gallery}`
      : p.template ? `Template ${p.template}` : "Galleries and image templates";
    document.title = `${what} · vmib status`;
    const gen = generation;
    const pages = { home, gallery, image, version, template };
    pages[p.page](gen, p).catch((e) => failed(gen, e));
    $("main").focus();
  }

  function failed(gen, e) {
    if (e instanceof SignedOut || gen !== generation) return;
    $("view").append(alert(e instanceof APIError ? e.text : `The page failed: ${e.message}`));
  }

  // Runs `tick` again after `ms`, unless the person has moved on.
  function again(gen, tick, ms) {
    if (gen !== generation) return;
    timer = setTimeout(() => { if (gen === generation) tick(); }, ms);
  }

  function updated(live) {
    $("updated").textContent = `Updated ${new Date().toLocaleTimeString()}` + (live ? " · live: refreshing every second" : "");
  }

  function section(id, title, ...children) {
    return h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, text: title }), children);
  }

  // Fills `target` with what `load` returns, or with its error: one failed part of a page
  // does not hide the others.
  async function part(gen, target, load) {
    try {
      const content = await load();
      if (gen === generation) target.replaceChildren(...[content].flat());
    } catch (e) {
      if (e instanceof SignedOut || gen !== generation) return;
      target.replaceChildren(alert(e instanceof APIError ? e.text : e.message));
    }
  }

  // ---- pages ----------------------------------------------------------------------------

  const resourceGroupOf = (id) => (id.match(/\/resourceGroups\/([^/]+)/i) || [])[1] || "";

  async function home(gen) {
    const galleries = h("div", {}, h("p", { text: "Loading…" }));
    const templates = h("div", {}, h("p", { text: "Loading…" }));
    const usage = h("div", {}, h("p", { text: "Loading…" }));
    const where = h("p", { class: "help" });
    $("view").append(h("h1", { text: "Galleries and image templates" }), where,
      section("galleries", "Galleries", galleries), section("templates", "Image templates", templates),
      section("usage", "Usage", usage));
    regions().then((r) => {
      if (gen === generation) where.textContent = `Topology ${r.topology}: ${r.list.length} regions; the server's home region is ${regionName(r.home)}.`;
    }).catch(() => {});
    await Promise.all([
      part(gen, galleries, async () => {
        const r = await get(`${sub()}/providers/Microsoft.Compute/galleries`);
        const rows = (r.body.value || []).map((g) => {
          const p = { rg: resourceGroupOf(g.id), gallery: g.name };
          return h("tr", {}, h("th", { scope: "row" }, link(href.gallery(p), g.name)), h("td", { text: p.rg }),
            h("td", { text: regionName(g.location) }), h("td", { text: (g.properties && g.properties.description) || "" }));
        });
        return table("Galleries you may read", ["Gallery", "Resource group", "Location", "Description"],
          rows.length ? rows : [empty(4, "No galleries.")]);
      }),
      part(gen, templates, async () => {
        const r = await get(`${sub()}/providers/Microsoft.VirtualMachineImages/imageTemplates`, { api: VERSIONS.builder });
        const rows = (r.body.value || []).map((t) => {
          const p = { rg: resourceGroupOf(t.id), template: t.name };
          const run = (t.properties && t.properties.lastRunStatus) || null;
          return h("tr", {}, h("th", { scope: "row" }, link(href.template(p), t.name)), h("td", { text: p.rg }),
            h("td", {}, run ? badge(run.runState) : "never run"), h("td", { text: run ? run.runSubState || "–" : "–" }),
            h("td", { text: run ? when(run.startTime) : "–" }), h("td", { text: run ? when(run.endTime) : "–" }));
        });
        return table("Image templates you may read", ["Template", "Resource group", "Last run", "Phase", "Started", "Ended"],
          rows.length ? rows : [empty(6, "No image templates.")]);
      }),
      part(gen, usage, async () => usageView((await get(`${sub()}/providers/Microsoft.Compute/vmibUsage`)).body)),
    ]);
    updated(false);
  }

  // `vmib usage`: what the regions store now and what moved over each link.
  function usageView(u) {
    const stored = (u.storage || []).map((s) => h("tr", {}, h("th", { scope: "row", text: regionName(s.region) }),
      h("td", { text: s.storageAccountType }), h("td", { text: String(s.replicas) }),
      h("td", { text: bytes(s.bytes), title: `${s.bytes} bytes` })));
    const links = (u.links || []).map((l) => h("tr", {},
      h("th", { scope: "row", text: l.inRegion ? `${regionName(l.to)} (in-region copy)` : `${l.from === "origin" ? "origin" : regionName(l.from)} → ${regionName(l.to)}` }),
      h("td", { text: String(l.transfers) }), h("td", { text: bytes(l.bytes), title: `${l.bytes} bytes` })));
    const e = u.estimate;
    const money = (n) => `${Number(n).toFixed(2)} ${e.currency}`;
    return [
      table("Stored now (Completed replicas × size)", ["Region", "Storage type", "Replicas", "Bytes"],
        stored.length ? stored : [empty(4, "Nothing stored.")], { id: "usage-storage" }),
      table("Moved over each link", ["Link", "Transfers", "Bytes"], links.length ? links : [empty(3, "Nothing moved yet.")],
        { id: "usage-links" }),
      e ? h("p", { id: "usage-estimate" }, h("strong", { text: "Estimate (not a bill): " }),
            `${money(e.total)}: storage ${money(e.storagePerMonth)} per month, transfers ${money(e.transfers)}, run minutes ${money(e.builds)}. ${e.note}.`)
        : h("p", { class: "help", text: "No price sheet in the topology: no estimate." }),
    ];
  }

  async function gallery(gen, p) {
    const info = h("div", {}), images = h("div", {}, h("p", { text: "Loading…" }));
    $("view").append(h("h1", { text: `Gallery ${p.gallery}` }), info, section("images", "Image definitions", images));
    await Promise.all([
      part(gen, info, async () => {
        const g = (await get(galleryPath(p))).body;
        return facts([["Resource group", p.rg], ["Location", regionName(g.location)],
          ["Description", (g.properties && g.properties.description) || "–"]]);
      }),
      part(gen, images, async () => {
        const r = await get(`${galleryPath(p)}/images`);
        const rows = (r.body.value || []).map((i) => {
          const pr = i.properties || {}, id = pr.identifier || {};
          return h("tr", {}, h("th", { scope: "row" }, link(href.image({ ...p, image: i.name }), i.name)),
            h("td", { text: pr.osType }), h("td", { text: pr.osState }), h("td", { text: pr.hyperVGeneration || "–" }),
            h("td", { text: [id.publisher, id.offer, id.sku].join(" / ") }));
        });
        return table(`Image definitions in ${p.gallery}`, ["Image definition", "OS", "OS state", "Hyper-V generation", "Publisher / offer / SKU"],
          rows.length ? rows : [empty(5, "No image definitions.")]);
      }),
    ]);
    updated(false);
  }

  function facts(pairs) {
    return h("dl", { class: "facts" }, pairs.map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]));
  }

  function endOfLife(date) {
    if (!date) return "none";
    return when(date) + (new Date(date) < new Date() ? " (past: not latest)" : "");
  }

  async function image(gen, p) {
    const info = h("div", {}), versions = h("div", {}, h("p", { text: "Loading…" }));
    const latest = h("div", {}, h("p", { text: "Loading…" })), history = h("div", {}, h("p", { text: "Loading…" }));
    $("view").append(h("h1", { text: `Image definition ${p.image}` }), info,
      section("versions", "Versions", versions), section("latest", "Latest, per region", latest),
      section("history", "Rollback history", history));
    let list = [];
    await Promise.all([
      part(gen, info, async () => {
        const i = (await get(imagePath(p))).body.properties || {};
        const id = i.identifier || {};
        return facts([["Gallery", p.gallery], ["OS", `${i.osType} (${i.osState})`], ["Hyper-V generation", i.hyperVGeneration || "–"],
          ["Publisher / offer / SKU", [id.publisher, id.offer, id.sku].join(" / ")]]);
      }),
      part(gen, versions, async () => {
        list = (await get(`${imagePath(p)}/versions`)).body.value || [];
        const rows = list.map((v) => {
          const pr = v.properties || {}, pub = pr.publishingProfile || {}, life = pr.lifecycle || {};
          const excluded = (pub.targetRegions || []).filter((t) => t.excludeFromLatest).map((t) => t.name);
          return h("tr", { "data-version": v.name },
            h("th", { scope: "row" }, link(href.version({ ...p, version: v.name }), v.name)),
            h("td", {}, badge(pr.provisioningState)),
            h("td", {}, badge(life.state || "Active", life.replacement ? `(use ${life.replacement})` : "")),
            h("td", { text: pub.excludeFromLatest ? "yes, everywhere" : excluded.length ? `in ${excluded.join(", ")}` : "no" }),
            h("td", { text: when(pub.publishedDate) }), h("td", { text: endOfLife(pub.endOfLifeDate) }),
            h("td", { text: (pub.targetRegions || []).map((t) => `${t.name} ×${t.regionalReplicaCount}`).join(", ") }));
        });
        return table(`Versions of ${p.image}`, ["Version", "Provisioning", "Lifecycle", "Excluded from latest", "Published", "End of life", "Target regions × replicas"],
          rows.length ? rows : [empty(7, "No versions.")]);
      }),
      part(gen, history, async () => {
        const entries = (await get(`${imagePath(p)}/rollbackHistory`)).body.value || [];
        const rows = entries.map((e) => h("tr", {},
          h("td", { text: when(e.at) }), h("td", { text: e.kind === "undo" ? "undo" : "rollback" }), h("td", { text: e.principal }),
          h("td", { text: `${e.from || "none"} → ${e.to}` }), h("td", { text: e.region || "every region" }),
          h("td", { text: (e.changes || []).map((c) => `${c.version}${c.region ? ` in ${c.region}` : ""} ${c.to ? "excluded from latest" : "back in latest"}`).join("; ") || "–" }),
          h("td", { text: e.undoneBy ? `undone (entry ${e.undoneBy})` : "–" })));
        return table(`Rollbacks of ${p.image}, oldest first`, ["When", "Kind", "Who", "Latest", "Region", "Changes", "Undone"],
          rows.length ? rows : [empty(7, "No rollbacks.")]);
      }),
    ]);
    if (gen !== generation) return;
    await part(gen, latest, async () => {
      const names = [...new Set(list.flatMap((v) => ((v.properties || {}).publishingProfile || {}).targetRegions || []).map((t) => t.name))].sort();
      const ask = async (region) => {
        try {
          const r = await get(`${imagePath(p)}/latest`, { query: region ? { region } : {} });
          return { region, version: r.body.name };
        } catch (e) {
          if (e instanceof APIError && e.status === 404) return { region, none: e.message };
          throw e;
        }
      };
      const answers = await Promise.all([null, ...names].map(ask));
      const rows = answers.map((a) => h("tr", { "data-region": a.region || "" },
        h("th", { scope: "row", text: a.region ? regionName(a.region) : "Any region (the definition's latest)" }),
        h("td", {}, a.version ? link(href.version({ ...p, version: a.version }), a.version) : h("span", { class: "none", text: "none" })),
        h("td", { text: a.none || "" })));
      return table("What latest resolves to", ["Region", "Latest", "Why none"], rows);
    });
    updated(false);
  }

  // ---- a version's replication -----------------------------------------------------------

  async function version(gen, p) {
    await regions();
    if (gen !== generation) return;
    const head = h("div", {}), mapBox = h("div", { id: "map" }), regionsBox = h("div", {}), replicasBox = h("div", {});
    const problem = h("div", {});
    $("view").append(h("h1", { text: `Version ${p.version} of ${p.image}` }), problem, head,
      section("replication", "Replication", mapBox, regionsBox), replicasBox);
    let etag = null, before = null, openReplicas = false;
    const tick = async () => {
      let live = true;
      try {
        const r = await get(versionPath(p), { query: { $expand: "ReplicationStatus" }, etag });
        if (gen !== generation) return;
        problem.replaceChildren();
        if (!r.notModified) {
          etag = r.etag;
          const view = versionView(r.body);
          head.replaceChildren(versionFacts(r.body, view));
          mapBox.replaceChildren(worldMap(view));
          regionsBox.replaceChildren(regionTable(view));
          const details = replicaTable(view, openReplicas);
          details.addEventListener("toggle", () => { openReplicas = details.open; });
          replicasBox.replaceChildren(details);
          if (before) for (const row of view.rows) {
            const old = before.rows.find((x) => x.name === row.name);
            if (old && old.state !== row.state) announce(`${row.display}: ${row.state}`);
          }
          before = view;
        }
        live = before ? before.live : true;
      } catch (e) {
        if (e instanceof SignedOut || gen !== generation) return;
        problem.replaceChildren(alert(e instanceof APIError ? e.text : e.message));
        if (e instanceof APIError && e.status === 404) { updated(false); return; }
      }
      updated(live);
      again(gen, tick, live ? FAST : SLOW);
    };
    await tick();
  }

  // What the page shows of a version, per target region.
  function versionView(v) {
    const pr = v.properties || {}, pub = pr.publishingProfile || {};
    const status = pr.replicationStatus || { summary: [] };
    const replicas = ((pr.vmib || {}).replicas) || [];
    const size = ((pr.storageProfile || {}).osDiskImage || {}).sizeInBytes || 0;
    const rows = (pub.targetRegions || []).map((t) => {
      const s = (status.summary || []).find((x) => x.region === t.name) || {};
      const mine = replicas.filter((x) => x.region === t.name);
      const errors = [...new Set(mine.map((x) => x.lastError).filter(Boolean))];
      const state = s.state || "Pending";
      return {
        name: t.name, display: regionName(t.name), state, progress: s.progress || 0, details: s.details || "",
        wanted: t.regionalReplicaCount, done: mine.filter((x) => x.state === "Completed").length,
        moved: mine.reduce((n, x) => n + (x.bytesDone || 0), 0), target: size * t.regionalReplicaCount,
        retries: mine.reduce((n, x) => n + (x.retries || 0), 0), attempts: mine.reduce((n, x) => n + (x.attempts || 0), 0),
        error: errors.join("; ") || (state === "Failed" ? s.details : ""), excluded: t.excludeFromLatest,
        storage: t.storageAccountType, lastVerifiedAt: s.lastVerifiedAt,
      };
    });
    const busy = ["Creating", "Updating", "Deleting"].includes(pr.provisioningState) || rows.some((r) => r.state === "Replicating" || r.state === "Pending");
    return { v, pr, pub, status, replicas, size, rows, live: busy };
  }

  function versionFacts(v, view) {
    const life = view.pr.lifecycle || {};
    const counts = {};
    for (const r of view.rows) counts[r.state] = (counts[r.state] || 0) + 1;
    return facts([
      ["Provisioning", h("span", { id: "provisioning" }, badge(view.pr.provisioningState))],
      ["Replication", h("span", { id: "aggregated" }, badge(view.status.aggregatedState || "Pending",
        `— ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ")}`))],
      ["Lifecycle", badge(life.state || "Active", life.replacement ? `(use ${life.replacement})` : "")],
      ["Excluded from latest", view.pub.excludeFromLatest ? "yes, everywhere" : (view.rows.filter((r) => r.excluded).map((r) => r.display).join(", ") || "no")],
      ["Published", when(view.pub.publishedDate)], ["End of life", endOfLife(view.pub.endOfLifeDate)],
      ["Disk", `${bytes(view.size)} · SHA-256 ${(((view.pr.storageProfile || {}).osDiskImage || {}).sha256 || "").slice(0, 16)}…`],
    ]);
  }

  function regionTable(view) {
    const rows = view.rows.map((r) => h("tr", { "data-region": r.name, "data-state": r.state },
      h("th", { scope: "row" }, h("span", { text: r.display }), h("span", { class: "sub", text: ` ${r.name} · ${r.storage}` })),
      h("td", {}, badge(r.state)),
      h("td", { class: "num", "data-col": "replicas", text: `${r.done} / ${r.wanted}` }),
      h("td", { class: "num", "data-col": "progress" }, h("progress", { max: 100, value: r.progress, "aria-label": `${r.display}: ${r.progress}% replicated` }), ` ${r.progress}%`),
      h("td", { class: "num", "data-col": "bytes", text: `${bytes(r.moved)} of ${bytes(r.target)}` }),
      h("td", { class: "num", "data-col": "retries", text: String(r.retries) }),
      h("td", { "data-col": "error", class: r.error ? "error" : "none", text: r.error || "–" })));
    return table("Every target region: state, replicas completed of wanted, bytes moved, retries and the last error",
      ["Region", "State", "Replicas done / wanted", "Progress", "Bytes moved", "Retries", "Last error"],
      rows.length ? rows : [empty(7, "No target regions.")], { id: "regions" });
  }

  function replicaTable(view, open) {
    const rows = view.replicas.map((x) => h("tr", {},
      h("td", { text: regionName(x.region) }), h("td", { class: "num", text: String(x.index) }), h("td", {}, badge(x.state)),
      h("td", { class: "num", text: bytes(x.bytesDone) }), h("td", { class: "num", text: String(x.attempts) }),
      h("td", { class: "num", text: String(x.retries) }), h("td", { text: x.lastError || "–" }),
      h("td", { text: when(x.lastVerifiedAt) })));
    return h("details", { open: open || null, id: "replicas" }, h("summary", { text: `Every replica (${view.replicas.length})` }),
      table("Replicas as the controller tracks them", ["Region", "Replica", "State", "Bytes", "Attempts", "Retries", "Last error", "Last verified"],
        rows.length ? rows : [empty(8, "No replicas yet.")]));
  }

  // The target regions on a world map, coloured by state and marked by shape and icon too;
  // the other regions the server serves as small grey dots. The table above says the same
  // in words.
  function worldMap(view) {
    const world = window.VMIB_WORLD || { north: 84, south: -60, land: "" };
    const height = world.north - world.south;
    const place = (name) => {
      const m = (regionCache.byName[name] || {}).metadata || {};
      const lat = parseFloat(m.latitude), lon = parseFloat(m.longitude);
      return isNaN(lat) || isNaN(lon) ? null : { x: lon + 180, y: world.north - lat };
    };
    const counts = {};
    for (const r of view.rows) counts[r.state] = (counts[r.state] || 0) + 1;
    const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ") || "no target regions";
    // The view: every region the server serves, with room for the labels, at least a third of
    // the world wide, no wider than it.
    const all = regionCache.list.map((r) => place(r.name)).filter(Boolean);
    let x0 = Math.min(...all.map((a) => a.x)) - 12, x1 = Math.max(...all.map((a) => a.x)) + 28;
    let y0 = Math.min(...all.map((a) => a.y)) - 10, y1 = Math.max(...all.map((a) => a.y)) + 10;
    if (!all.length) { x0 = 0; x1 = 360; y0 = 0; y1 = height; }
    let w = Math.min(Math.max(x1 - x0, 120), 360), ht = Math.min(Math.max(y1 - y0, 40), height);
    if (w / ht < 2.4) w = Math.min(ht * 2.4, 360); else ht = Math.min(w / 2.4, height);
    const cx = Math.min(Math.max((x0 + x1) / 2, w / 2), 360 - w / 2), cy = Math.min(Math.max((y0 + y1) / 2, ht / 2), height - ht / 2);
    const box = [cx - w / 2, cy - ht / 2, w, ht].map((n) => n.toFixed(1));
    const u = w / 90; // one unit: about 12 px on a map 1000 px wide, whatever the zoom
    const map = svg("svg", { viewBox: box.join(" "), role: "img", "aria-labelledby": "map-title map-desc", class: "world" },
      svg("title", { id: "map-title", text: `Where version ${view.v.name} is replicated` }),
      svg("desc", { id: "map-desc", text: `${view.rows.length} target regions: ${summary}. The table below lists each one.` }),
      svg("rect", { x: 0, y: 0, width: 360, height, class: "sea" }),
      svg("path", { d: world.land, class: "land", "stroke-width": (u / 20).toFixed(2) }));
    const targets = new Set(view.rows.map((r) => r.name));
    for (const r of regionCache.list) {
      const at = place(r.name);
      if (!at || targets.has(r.name)) continue;
      map.append(svg("circle", { cx: at.x, cy: at.y, r: 0.25 * u, class: "other" }, svg("title", { text: `${r.displayName}: not a target of this version` })));
    }
    const labels = [];
    const rows = [...view.rows].map((r) => ({ r, at: place(r.name) })).filter((x) => x.at).sort((a, b) => a.at.y - b.at.y || a.at.x - b.at.x);
    for (const { r, at } of rows) {
      const tone = (STATES[r.state] || ["?", "idle"])[1];
      const g = svg("g", { class: `marker tone-${tone}`, "data-region": r.name, "data-state": r.state },
        svg("title", { text: `${r.display}: ${r.state}, ${r.done} of ${r.wanted} replicas${r.error ? `; ${r.error}` : ""}` }));
      const stroke = { "stroke-width": (u / 6).toFixed(2) };
      if (r.state === "Failed") {
        const d = 0.55 * u;
        g.append(svg("rect", { x: at.x - d, y: at.y - d, width: 2 * d, height: 2 * d, transform: `rotate(45 ${at.x} ${at.y})`, ...stroke }));
      } else if (r.state === "Completed") g.append(svg("circle", { cx: at.x, cy: at.y, r: 0.6 * u, ...stroke }));
      else {
        g.append(svg("circle", { cx: at.x, cy: at.y, r: 0.6 * u, class: "ring", "stroke-width": (u / 2.6).toFixed(2),
          "stroke-dasharray": tone === "idle" ? `${(u / 2).toFixed(2)} ${(u / 3).toFixed(2)}` : null }));
      }
      // Labels go right of the marker, moved down past any label already there.
      const line = 1.25 * u, x = at.x + u;
      let y = at.y + 0.4 * u;
      const text = `${(STATES[r.state] || ["?"])[0]} ${r.name} ${r.done}/${r.wanted}`;
      const width = text.length * 0.6 * u;
      while (labels.some((l) => Math.abs(l.y - y) < line && x < l.x + l.w && l.x < x + width)) y += line;
      labels.push({ x, y, w: width });
      g.append(svg("text", { x, y, class: "label", "font-size": u.toFixed(2), "stroke-width": (u / 5).toFixed(2), "aria-hidden": "true", text }));
      map.append(g);
    }
    const legend = h("ul", { class: "legend", "aria-label": "Map legend" },
      [["Completed", "filled circle"], ["Replicating", "ring"], ["Pending", "dashed ring"], ["Failed", "diamond"]].map(([s, shape]) =>
        h("li", {}, badge(s), h("span", { class: "sub", text: ` ${shape}` }))),
      h("li", {}, h("span", { class: "dot-other", "aria-hidden": "true", text: "•" }), " other regions of the topology"));
    return h("figure", {}, map, h("figcaption", {}, legend));
  }

  // ---- a template's runs -----------------------------------------------------------------

  const PHASES = ["Queued", "Building", "Customizing", "Validating", "Distributing"];

  async function template(gen, p) {
    const head = h("div", {}), phases = h("div", {}), outputs = h("div", {}), log = h("div", {}), problem = h("div", {});
    $("view").append(h("h1", { text: `Image template ${p.template}` }), problem, head,
      section("run", "Last run", phases), section("outputs", "Run outputs", outputs), section("log", "Log tail", log));
    const tick = async () => {
      let live = false;
      try {
        const t = (await get(templatePath(p), { api: VERSIONS.builder })).body;
        if (gen !== generation) return;
        problem.replaceChildren();
        const pr = t.properties || {}, run = pr.lastRunStatus || null;
        live = Boolean(run && (run.runState === "Running" || run.runState === "Canceling"));
        const src = pr.source || {};
        head.replaceChildren(facts([["Resource group", p.rg], ["Location", regionName(t.location)],
          ["Source", [src.type, src.publisher, src.offer, src.sku, src.version, src.imageVersionId, src.imageId].filter(Boolean).join(" ")],
          ["Distributes to", (pr.distribute || []).map((d) => `${d.type} ${d.runOutputName || ""}`.trim()).join(", ") || "–"]]));
        phases.replaceChildren(...(run ? runView(run) : [h("p", { text: "This template has not run." })]));
        if (run) {
          await Promise.all([
            part(gen, outputs, async () => {
              const list = (await get(`${templatePath(p)}/runOutputs`, { api: VERSIONS.builder })).body.value || [];
              const rows = list.map((o) => h("tr", {}, h("th", { scope: "row", text: o.name }), h("td", {}, badge((o.properties || {}).provisioningState)),
                h("td", { text: (o.properties || {}).artifactId || (o.properties || {}).artifactUri || "–" }),
                h("td", { text: (o.properties || {}).message || "" })));
              return table("What the last run produced", ["Output", "State", "Artifact", "Message"], rows.length ? rows : [empty(4, "No outputs yet.")]);
            }),
            part(gen, log, async () => {
              const l = (await get(`${templatePath(p)}/logs`, { api: VERSIONS.builder })).body;
              const lines = (l.content || "").replace(/\n$/, "").split("\n");
              const tail = lines.slice(-LOG_LINES).join("\n");
              return [h("p", { class: "help", text: `customization.log of run ${l.runId} (${l.runState}): the last ${Math.min(lines.length, LOG_LINES)} of ${lines.length} lines.` }),
                h("pre", { class: "log", tabindex: 0, "aria-label": `Last lines of the customization log of run ${l.runId}`, text: tail || "(empty)" })];
            }),
          ]);
        }
      } catch (e) {
        if (e instanceof SignedOut || gen !== generation) return;
        problem.replaceChildren(alert(e instanceof APIError ? e.text : e.message));
        if (e instanceof APIError && e.status === 404) { updated(false); return; }
      }
      updated(live);
      again(gen, tick, live ? FAST * 2 : SLOW * 2);
    };
    await tick();
  }

  function runView(run) {
    const ended = !["Running", "Canceling"].includes(run.runState);
    const at = PHASES.indexOf(run.runSubState);
    const steps = PHASES.map((phase, i) => {
      let status;
      if (run.runState === "Succeeded" || run.runState === "PartiallySucceeded") status = "done";
      else if (i < at) status = "done";
      else if (i === at) status = ended ? (run.runState === "Canceled" ? "canceled here" : "failed here") : "now";
      else status = ended ? "not reached" : "to come";
      const icon = { done: "✔", now: "⟳", "failed here": "✖", "canceled here": "⊘", "not reached": "–", "to come": "○" }[status];
      return h("li", { class: `phase phase-${status.replace(" ", "-")}`, "aria-current": status === "now" ? "step" : null },
        h("span", { class: "icon", "aria-hidden": "true", text: icon }), ` ${phase}: ${status}`);
    });
    const known = at >= 0 || run.runState === "Succeeded" || run.runState === "PartiallySucceeded";
    return [facts([["State", h("span", { id: "run-state" }, badge(run.runState))], ["Phase", run.runSubState || "–"],
      ["Message", h("span", { id: "run-message", text: run.message || "–" })], ["Started", when(run.startTime)], ["Ended", when(run.endTime)],
      ["Run", run.runId || "–"]]),
    known ? h("ol", { class: "phases", "aria-label": "Phases of the run" }, steps)
      : h("p", { class: "help", text: `The run ended ${run.runState} without a phase on record: the message above and the log below say where it stopped.` })];
  }

  // ---- start --------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", signIn);
    $("signout").addEventListener("click", () => signOut());
    window.addEventListener("hashchange", route);
    route();
  });
})();
"""#
}
