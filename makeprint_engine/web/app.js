// makeprint serve: the page's behaviour. No libraries, no external requests.
"use strict";

const $ = (id) => document.getElementById(id);
const EVENT_FIELDS = ["name", "street", "city", "region", "postal_code", "date", "hours", "phone"];

let catalog = null;
let version = 0;
let sequence = 0; // the newest preview request; older answers are ignored
let eventState = null; // {token, name, materials} of the last event made
let timer = null;

async function getJSON(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    return { ok: false, status: 0, body: { error: "makeprint is not answering. Is it still running?" } };
  }
  if (response.status === 401) {
    // Signed out (elsewhere, or the session ended): back to the sign-in page.
    window.location.assign("/signin");
    return { ok: false, status: 401, body: { error: "Sign in again." } };
  }
  let body;
  try {
    body = await response.json();
  } catch (error) {
    body = { error: `makeprint answered with an error (${response.status}).` };
  }
  return { ok: response.ok, status: response.status, body };
}

// With accounts, every POST carries the session's token (the server writes it into the page).
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function languageLabel(code) {
  const lang = catalog.languages.find((l) => l.code === code);
  if (!lang) return code;
  const name = lang.native_name === lang.name ? lang.name : `${lang.native_name} (${lang.name})`;
  return lang.status === "draft" ? `${name} — draft translation` : name;
}

function fillSelect(select, items, keep) {
  const before = keep ?? select.value;
  select.replaceChildren(...items.map(([value, label]) => element("option", { value, text: label })));
  if (items.some(([value]) => value === before)) select.value = before;
  else if (items.length) select.value = items[0][0];
}

function fillLocations() {
  const query = fold($("search").value.trim());
  const all = catalog.locations;
  const shown = all.filter((loc) =>
    !query || fold(`${loc.name} ${loc.slug} ${loc.city} ${loc.address}`).includes(query));
  // Directories (one document listing many locations) after the locations, as "dir:NAME".
  const directories = (catalog.directories || []).filter((d) =>
    !query || fold(`directory ${d.name} ${d.description}`).includes(query));
  fillSelect($("location"), [
    ...shown.map((loc) => [loc.slug, `${loc.name} — ${loc.city}`]),
    ...directories.map((d) => [`dir:${d.name}`,
      `Directory: ${d.name} — ${d.count} location${d.count === 1 ? "" : "s"} (${d.description})`]),
  ]);
  $("search-count").textContent = query
    ? `${shown.length} of ${all.length} locations match.`
    : `${all.length} locations.`;
}

function currentDirectory() {
  const value = $("location").value;
  if (!value.startsWith("dir:")) return null;
  return (catalog.directories || []).find((d) => d.name === value.slice(4)) || null;
}

function currentLocation() {
  return currentDirectory() || catalog.locations.find((loc) => loc.slug === $("location").value) || null;
}

function fillLanguages() {
  const loc = currentLocation();
  const codes = loc ? loc.languages : catalog.languages.map((l) => l.code);
  fillSelect($("lang"), codes.map((code) => [code, languageLabel(code)]));
}

function fillMaterials() {
  // A directory is made as a collection material (the directory), a location as the others.
  const collection = Boolean(currentDirectory());
  const materials = catalog.materials.filter((m) => Boolean(m.collection) === collection);
  fillSelect($("material"), materials.map((m) => [m.name, m.name.replace(/-/g, " ")]));
  fillVariants();
}

function fillVariants() {
  const material = catalog.materials.find((m) => m.name === $("material").value);
  const variants = material ? material.variants : [];
  fillSelect($("variant"), variants.map((v) => [v.name, v.label]));
  $("variant-field").hidden = variants.length < 2;
  $("material-note").textContent = material ? material.description : "";
}

function fillEventForm() {
  const select = $("ev-lang");
  const keep = select.value || catalog.organization.language;
  fillSelect(select, catalog.languages.map((l) => [l.code, languageLabel(l.code)]), keep);
  const list = $("ev-services-list");
  if (!list.childElementCount) {
    for (const service of catalog.event.services) {
      const id = `ev-service-${service.key}`;
      const box = element("input", { type: "checkbox", id, name: "services", value: service.key });
      list.append(element("label", { for: id }, box, document.createTextNode(service.label)));
    }
  }
  $("ev-date").min = catalog.event.today;
}

function showProjectProblems(problems) {
  const box = $("project-problems");
  if (!problems || !problems.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    element("p", { text: "The project has errors; the page shows the last version that loaded. Fix these and save:" }),
    element("ul", {}, ...problems.map((p) => element("li", { text: p }))),
  );
  box.hidden = false;
}

async function loadCatalog() {
  const { ok, body } = await getJSON("/api/catalog");
  if (!ok) {
    $("status").textContent = body.error;
    return false;
  }
  catalog = body;
  version = body.version;
  $("org").textContent = body.organization.name;
  showProjectProblems(body.problems);
  fillLocations();
  fillLanguages();
  fillMaterials();
  fillEventForm();
  return true;
}

// Every page as an image; a draft's alt text says what the red outlines are.
function pageFigures(doc) {
  const what = doc.draft ? ", with what does not fit outlined in red" : "";
  const figures = doc.images.map((src, index) => element("figure", {},
    element("img", { src, alt: `Page ${index + 1} of ${doc.pages}: ${doc.title}${what}`, loading: "lazy" }),
    element("figcaption", { text: `Page ${index + 1} of ${doc.pages}` })));
  return element("div", { class: `pages ${doc.material}${doc.draft ? " draft" : ""}` }, ...figures);
}

// A block for one document: title, links to download and print, warnings, every page.
// A document that does not fit shows its pages with each problem outlined, and no PDF.
function documentBlock(doc, headingTag) {
  const block = element("article", { class: "document" });
  block.append(element(headingTag, { class: "doc-title", text: doc.title }));
  if (!doc.ok) {
    block.append(
      element("p", { class: "problems", role: "alert", text: doc.error || "This document could not be made." }),
      element("ul", { class: "problems" }, ...(doc.problems || []).map((p) => element("li", { text: p }))),
    );
    if (doc.draft && doc.images && doc.images.length) block.append(pageFigures(doc));
    return block;
  }
  const pages = doc.pages === 1 ? "1 page" : `${doc.pages} pages`;
  block.append(
    element("p", { class: "actions" },
      element("a", { class: "button download", href: doc.download, download: doc.filename,
                     text: `Download PDF (${pages})` }),
      element("a", { class: "button secondary print", href: doc.pdf, target: "_blank", rel: "noopener",
                     text: "Open PDF to print" })),
  );
  for (const warning of doc.warnings || []) block.append(element("p", { class: "note", text: `Note: ${warning}` }));
  block.append(pageFigures(doc));
  return block;
}

async function showPreview() {
  const slug = $("location").value;
  const target = $("doc");
  if (!slug) {
    $("status").textContent = catalog.locations.length ? "Choose a location." : "There are no locations.";
    target.replaceChildren();
    return;
  }
  const mine = ++sequence;
  const directory = currentDirectory();
  const params = new URLSearchParams({
    ...(directory ? { directory: directory.name } : { location: slug }),
    lang: $("lang").value, material: $("material").value, variant: $("variant").value,
  });
  $("status").textContent = "Making the preview…";
  target.setAttribute("aria-busy", "true");
  const { ok, body } = await getJSON(`/api/document?${params}`);
  if (mine !== sequence) return;
  target.removeAttribute("aria-busy");
  if (!body.title) {
    $("status").textContent = body.error;
    target.replaceChildren();
    return;
  }
  $("status").textContent = ok
    ? `Ready: ${body.title}, ${body.pages} page${body.pages === 1 ? "" : "s"}.`
    : body.error;
  target.replaceChildren(documentBlock(body, "h3"));
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(showPreview, 200);
}

// ---- one-off event ---------------------------------------------------------------------

function clearEventErrors() {
  for (const node of document.querySelectorAll("#event-form .error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of document.querySelectorAll("#event-form [aria-invalid]")) node.removeAttribute("aria-invalid");
}

function showEventErrors(errors, general) {
  let first = null;
  const loose = [];
  for (const [key, messages] of Object.entries(errors || {})) {
    const box = $(`ev-${key}-error`);
    const control = key === "services" ? $("ev-services") : $(`ev-${key}`);
    if (!box || !control) {
      loose.push(...messages);
      continue;
    }
    box.textContent = messages.join(" ");
    box.hidden = false;
    control.setAttribute("aria-invalid", "true");
    first = first || (key === "services" ? control.querySelector("input") : control);
  }
  const summary = [general, ...loose].filter(Boolean).join(" ");
  if (summary) {
    $("event-error").textContent = summary;
    $("event-error").hidden = false;
  }
  if (first) first.focus();
}

function eventForm() {
  const form = { lang: $("ev-lang").value };
  for (const key of EVENT_FIELDS) form[key] = $(`ev-${key}`).value;
  form.services = [...document.querySelectorAll("#ev-services input:checked")].map((box) => box.value);
  return form;
}

async function submitEvent(event) {
  event.preventDefault();
  clearEventErrors();
  const button = $("ev-submit");
  button.disabled = true;
  const result = $("event-result");
  result.replaceChildren(element("p", { role: "status", text: "Making the flyer and wallet cards…" }));
  const { ok, body } = await getJSON("/api/event", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(eventForm()),
  });
  button.disabled = false;
  if (!ok && !body.documents) {
    result.replaceChildren();
    showEventErrors(body.errors, body.error);
    return;
  }
  eventState = { token: body.event, name: body.name, materials: body.documents.map((d) => d.material) };
  showEventDocuments(body.documents, ok ? null : body.error);
}

function showEventDocuments(documents, error) {
  const result = $("event-result");
  const heading = element("h3", { id: "event-result-h", tabindex: "-1", text: `${error ? "Not ready to print" : "Ready to print"}: ${eventState.name}` });
  const blocks = documents.map((doc) => documentBlock(doc, "h4"));
  result.replaceChildren(heading, element("p", { role: "status", class: "note",
    text: error || "Check every page, then download or print." }), element("div", { class: "event-docs" }, ...blocks));
  heading.focus();
}

async function refreshEvent() {
  if (!eventState) return;
  const documents = [];
  for (const material of eventState.materials) {
    const params = new URLSearchParams({ event: eventState.token, material });
    const { body } = await getJSON(`/api/document?${params}`);
    if (!body.title) return; // expired: leave what is shown
    documents.push(body);
  }
  const result = $("event-result");
  const blocks = documents.map((doc) => documentBlock(doc, "h4"));
  const list = result.querySelector(".event-docs");
  if (list) list.replaceChildren(...blocks);
}

// ---- refresh when templates or content change --------------------------------------------

async function poll() {
  const { ok, body } = await getJSON("/api/version");
  if (!ok || body.version === version) return;
  version = body.version;
  const keep = { location: $("location").value, lang: $("lang").value, material: $("material").value };
  if (await loadCatalog()) {
    $("location").value = keep.location;
    fillLanguages();
    fillMaterials();
    $("lang").value = keep.lang;
    $("material").value = keep.material;
    fillVariants();
    await showPreview();
    await refreshEvent();
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("choose").addEventListener("submit", (event) => event.preventDefault());
  $("search").addEventListener("input", () => {
    const before = $("location").value;
    fillLocations();
    if ($("location").value !== before) {
      fillLanguages();
      fillMaterials();
      schedule();
    }
  });
  $("location").addEventListener("change", () => { fillLanguages(); fillMaterials(); schedule(); });
  $("lang").addEventListener("change", schedule);
  $("material").addEventListener("change", () => { fillVariants(); schedule(); });
  $("variant").addEventListener("change", schedule);
  $("event-form").addEventListener("submit", submitEvent);
  if (await loadCatalog()) await showPreview();
  setInterval(poll, 1500);
});
