// The visual call-flow editor of an inbound topic (Uzor admin).
//
// Drawflow draws the graph; this module maps it to the flow JSON the server checks
// (callcenter/callflow/graph.py). Every change writes the flow as JSON into the form's
// "Flow" text field and selects "Custom", so saving the form posts it and the server validates
// it; its problems come back per node and are shown on the nodes. User text only ever reaches
// the page through textContent / attribute setters, never as HTML.
import Drawflow from "drawflow";
import "drawflow/dist/drawflow.min.css";
import "./editor.css";

const KINDS = ["start", "play", "schedule", "menu", "queue", "transfer", "voicemail", "set", "hangup"];
const ID_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The output keys of a node, in the order of Drawflow's output_1, output_2, ... */
export function outputKeys(node) {
  switch (node.kind) {
    case "schedule":
      return ["open", "closed"];
    case "menu":
      return [...(node.choices || []).map((_c, i) => `choice:${i}`), "on_timeout", "on_invalid"];
    case "transfer":
      return node.target === "external" ? [] : ["next"];
    case "voicemail":
    case "hangup":
      return [];
    default:
      return ["next"];
  }
}

function getTarget(node, key) {
  if (key.startsWith("choice:")) return node.choices[Number(key.slice(7))].next ?? null;
  return node[key] ?? null;
}

function setTarget(node, key, target) {
  if (key.startsWith("choice:")) node.choices[Number(key.slice(7))].next = target;
  else node[key] = target;
}

function blankNode(kind, id, refs) {
  const first = (list) => (list && list.length ? list[0] : "");
  const node = { id, kind };
  if (kind === "play") node.sound = first(refs.sounds);
  if (kind === "schedule") node.schedules = refs.schedules.length ? [refs.schedules[0]] : [];
  if (kind === "menu") Object.assign(node, { prompt: first(refs.sounds), choices: [{ digit: "1", next: null }], timeout: 5, retries: 3 });
  if (kind === "queue") node.group = first(refs.groups);
  if (kind === "transfer") Object.assign(node, { target: "workplace", number: first(refs.workplaces), ring: 30 });
  if (kind === "voicemail") Object.assign(node, { mailbox: "office", max_seconds: 120 });
  if (kind === "set") Object.assign(node, { caller_id_prefix: "", variable: null, value: "" });
  if (kind === "hangup") node.answer = false;
  for (const key of outputKeys(node)) if (!key.startsWith("choice:")) node[key] = null;
  return node;
}

function element(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text) el.textContent = text;
  return el;
}

class FlowEditor {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.labels = config.labels;
    this.refs = config.refs;
    this.readonly = config.readonly;
    this.props = new Map(); // Drawflow id -> node (without positions; outputs filled on export)
    this.history = [];
    this.loading = false;
    this.build();
    this.load(config.flow);
    this.showProblems(config.problems || {});
    this.history.push(JSON.stringify(this.toFlow()));
  }

  t(key) {
    return this.labels[key] || key;
  }

  build() {
    const bar = element("div", { class: "uzor-flow-toolbar" });
    if (!this.readonly) {
      for (const kind of KINDS.filter((k) => k !== "start")) {
        const button = element("button", { type: "button", class: "button uzor-flow-palette", draggable: "true", "data-kind": kind }, this.t(`kind.${kind}`));
        button.addEventListener("click", () => this.addKind(kind));
        button.addEventListener("dragstart", (event) => event.dataTransfer.setData("text/uzor-kind", kind));
        bar.append(button);
      }
      const undo = element("button", { type: "button", class: "button uzor-flow-undo" }, this.t("undo"));
      undo.addEventListener("click", () => this.undo());
      bar.append(undo);
    }
    for (const [name, action] of [["zoom_in", "+"], ["zoom_out", "−"], ["zoom_reset", "1:1"]]) {
      const button = element("button", { type: "button", class: "button", title: this.t(name) }, action);
      button.addEventListener("click", () => this.editor[name]());
      bar.append(button);
    }
    this.general = element("ul", { class: "errorlist uzor-flow-general" });
    const body = element("div", { class: "uzor-flow-body" });
    this.canvas = element("div", { class: "uzor-flow-canvas" });
    this.panel = element("div", { class: "uzor-flow-panel" });
    this.panel.append(element("p", { class: "help" }, this.t(this.readonly ? "readonly" : "select")));
    body.append(this.canvas, this.panel);
    this.root.append(bar, this.general, body);

    this.editor = new Drawflow(this.canvas);
    this.editor.reroute = false;
    this.editor.start();
    this.editor.editor_mode = this.readonly ? "view" : "edit";
    this.editor.on("nodeSelected", (id) => this.showPanel(Number(id)));
    this.editor.on("nodeUnselected", () => this.clearPanel());
    this.editor.on("connectionCreated", (c) => this.connected(c));
    for (const event of ["connectionRemoved", "nodeRemoved", "nodeMoved"]) {
      this.editor.on(event, (arg) => {
        if (event === "nodeRemoved") this.props.delete(Number(arg));
        this.changed();
      });
    }
    if (this.readonly) {
      // Drawflow selects nothing in view mode: show a clicked node's properties ourselves.
      this.canvas.addEventListener("click", (event) => {
        const box = event.target.closest(".drawflow-node");
        if (box) this.showPanel(Number(box.id.replace("node-", "")));
      });
    }
    this.canvas.addEventListener("dragover", (event) => event.preventDefault());
    this.canvas.addEventListener("drop", (event) => {
      const kind = event.dataTransfer.getData("text/uzor-kind");
      if (!kind || this.readonly) return;
      event.preventDefault();
      const rect = this.editor.precanvas.getBoundingClientRect();
      const zoom = this.editor.zoom;
      this.addKind(kind, (event.clientX - rect.x) / zoom, (event.clientY - rect.y) / zoom);
    });
    this.root.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "z" && !this.readonly) {
        event.preventDefault();
        this.undo();
      }
    });
  }

  // ---- graph <-> Drawflow ----------------------------------------------------------------

  load(flow) {
    this.loading = true;
    this.editor.clear();
    this.props.clear();
    this.clearPanel();
    const ids = new Map();
    for (const node of flow.nodes || []) ids.set(node.id, this.addNode(node));
    for (const node of flow.nodes || []) {
      outputKeys(node).forEach((key, index) => {
        const target = getTarget(node, key);
        if (target && ids.has(target)) {
          this.editor.addConnection(ids.get(node.id), ids.get(target), `output_${index + 1}`, "input_1");
        }
      });
    }
    this.standard = Boolean(flow.standard);
    this.loading = false;
  }

  addNode(node) {
    const copy = structuredClone(node);
    const inputs = copy.kind === "start" ? 0 : 1;
    const outputs = outputKeys(copy).length;
    const dfId = this.editor.addNode(copy.kind, inputs, outputs, copy.x || 0, copy.y || 0, `uzor-node uzor-kind-${copy.kind}`, {}, "");
    delete copy.x;
    delete copy.y;
    this.props.set(dfId, copy);
    this.decorate(dfId);
    return dfId;
  }

  /** The node's box: kind, id, a summary, its outputs' names, its problems (all as text). */
  decorate(dfId) {
    const node = this.props.get(dfId);
    const box = this.canvas.querySelector(`#node-${dfId}`);
    if (!box) return;
    box.dataset.nodeId = node.id;
    const content = box.querySelector(".drawflow_content_node");
    content.replaceChildren(
      element("div", { class: "uzor-node-kind" }, this.t(`kind.${node.kind}`)),
      element("div", { class: "uzor-node-id" }, node.id),
      element("div", { class: "uzor-node-summary" }, this.summary(node)),
      element("ul", { class: "uzor-node-errors" }),
    );
    const outs = box.querySelectorAll(".outputs .output");
    outputKeys(node).forEach((key, index) => {
      const name = key.startsWith("choice:") ? node.choices[Number(key.slice(7))].digit : this.t(`out.${key}`);
      if (outs[index]) {
        outs[index].dataset.label = name;
        outs[index].title = name;
      }
    });
  }

  summary(node) {
    switch (node.kind) {
      case "play":
        return node.sound || "";
      case "menu":
        return `${node.prompt || ""} [${(node.choices || []).map((c) => c.digit).join(" ")}]`;
      case "queue":
        return node.group + (node.max_wait ? ` ≤ ${node.max_wait} s` : "");
      case "schedule":
        return (node.schedules || []).join(", ");
      case "transfer":
        return `${this.t(`target.${node.target}`)} ${node.number || ""}`;
      case "voicemail":
        return node.mailbox || "";
      case "set":
        return [node.caller_id_prefix, node.variable && `${node.variable}=${node.value || ""}`].filter(Boolean).join(" ");
      default:
        return node.label || "";
    }
  }

  toFlow() {
    const data = this.editor.export().drawflow.Home.data;
    const nodes = [];
    for (const item of Object.values(data)) {
      const node = structuredClone(this.props.get(Number(item.id)));
      if (!node) continue;
      outputKeys(node).forEach((key, index) => {
        const connections = item.outputs[`output_${index + 1}`]?.connections || [];
        const target = connections.length ? this.props.get(Number(connections[0].node)) : null;
        setTarget(node, key, target ? target.id : null);
      });
      node.x = Math.round(item.pos_x);
      node.y = Math.round(item.pos_y);
      nodes.push(node);
    }
    nodes.sort((a, b) => (a.kind === "start" ? -1 : b.kind === "start" ? 1 : 0));
    return { version: 1, nodes };
  }

  // ---- editing -------------------------------------------------------------------------

  freeId(kind) {
    const taken = new Set([...this.props.values()].map((n) => n.id));
    if (!taken.has(kind)) return kind;
    for (let i = 2; ; i += 1) if (!taken.has(`${kind}_${i}`)) return `${kind}_${i}`;
  }

  addKind(kind, x, y) {
    const count = this.props.size;
    const node = blankNode(kind, this.freeId(kind), this.refs);
    node.x = x ?? 60 + (count % 4) * 230;
    node.y = y ?? 120 + Math.floor(count / 4) * 150;
    const dfId = this.addNode(node);
    this.changed();
    return dfId;
  }

  /** One connection per output: a new one replaces the old. */
  connected(c) {
    if (this.loading) return;
    const item = this.editor.getNodeFromId(c.output_id);
    const connections = item.outputs[c.output_class].connections;
    for (const old of connections.slice(0, -1)) {
      this.editor.removeSingleConnection(c.output_id, old.node, c.output_class, old.output);
    }
    this.changed();
  }

  changed() {
    if (this.loading) return;
    const flow = this.toFlow();
    const json = JSON.stringify(flow);
    if (this.history[this.history.length - 1] !== json) this.history.push(json);
    if (this.history.length > 200) this.history.shift();
    this.writeForm(flow);
  }

  writeForm(flow) {
    const text = document.getElementById("id_flow_text");
    if (text) text.value = JSON.stringify(flow, null, 2);
    const custom = document.querySelector('input[name="flow_mode"][value="custom"]');
    if (custom) custom.checked = true;
  }

  undo() {
    if (this.history.length < 2) return;
    this.history.pop();
    const flow = JSON.parse(this.history[this.history.length - 1]);
    this.load(flow);
    this.writeForm(flow);
  }

  /** Redraw after a change of a node's outputs (menu digits, transfer target). */
  reshape(dfId, change) {
    const flow = this.toFlow();
    const id = this.props.get(dfId).id;
    const node = flow.nodes.find((n) => n.id === id);
    change(node);
    this.load(flow);
    this.changed();
    const again = [...this.props.entries()].find(([, n]) => n.id === node.id);
    if (again) this.showPanel(again[0]);
  }

  // ---- the side form -------------------------------------------------------------------

  clearPanel() {
    this.panel.replaceChildren(element("p", { class: "help" }, this.t(this.readonly ? "readonly" : "select")));
  }

  showPanel(dfId) {
    const node = this.props.get(dfId);
    if (!node) return;
    const form = element("div", { class: "uzor-flow-form", "data-node": node.id });
    form.append(element("h3", {}, `${this.t(`kind.${node.kind}`)}: ${node.id}`));
    const field = (name, control) => {
      const row = element("div", { class: "form-row" });
      const label = element("label", { for: `uzor-flow-${name}` }, this.t(`field.${name}`));
      control.id = `uzor-flow-${name}`;
      control.name = `uzor-flow-${name}`;
      if (this.readonly) control.disabled = true;
      row.append(label, control);
      form.append(row);
      return control;
    };
    const update = (apply) => (event) => {
      apply(event.target);
      this.decorate(dfId);
      this.changed();
    };
    const text = (name, value = node[name] ?? "") => {
      const input = element("input", { type: "text", class: "vTextField" });
      input.value = value;
      return field(name, input);
    };
    const number = (name) => {
      const input = element("input", { type: "number", class: "vIntegerField" });
      input.value = node[name] ?? "";
      return field(name, input);
    };
    const select = (name, options, multiple = false, empty = false) => {
      const control = element("select", multiple ? { multiple: "multiple" } : {});
      if (empty) control.append(element("option", { value: "" }, "—"));
      for (const option of options) {
        const value = typeof option === "string" ? option : option[0];
        const label = typeof option === "string" ? option : option[1];
        const opt = element("option", { value }, label);
        const current = node[name];
        opt.selected = multiple ? (current || []).includes(value) : current === value;
        control.append(opt);
      }
      return field(name, control);
    };

    text("id").addEventListener("change", update((el) => {
      const value = el.value.trim();
      if (ID_RE.test(value) && ![...this.props.values()].some((n) => n !== node && n.id === value)) node.id = value;
      else el.value = node.id;
    }));
    text("label").addEventListener("change", update((el) => { node.label = el.value; }));
    if (node.kind === "play") select("sound", this.refs.sounds).addEventListener("change", update((el) => { node.sound = el.value; }));
    if (node.kind === "schedule") select("schedules", this.refs.schedules, true).addEventListener("change", update((el) => { node.schedules = [...el.selectedOptions].map((o) => o.value); }));
    if (node.kind === "menu") {
      select("prompt", this.refs.sounds).addEventListener("change", update((el) => { node.prompt = el.value; }));
      const digits = text("digits", (node.choices || []).map((c) => c.digit).join(" "));
      digits.addEventListener("change", (event) => {
        const wanted = [...new Set(event.target.value.split(/[\s,]+/).filter((d) => /^[0-9*]$/.test(d)))];
        this.reshape(dfId, (n) => {
          const old = new Map(n.choices.map((c) => [c.digit, c.next]));
          n.choices = wanted.map((digit) => ({ digit, next: old.get(digit) ?? null }));
        });
      });
      number("timeout").addEventListener("change", update((el) => { node.timeout = Number(el.value); }));
      number("retries").addEventListener("change", update((el) => { node.retries = Number(el.value); }));
    }
    if (node.kind === "queue") {
      select("group", this.refs.groups).addEventListener("change", update((el) => { node.group = el.value; }));
      number("max_wait").addEventListener("change", update((el) => { node.max_wait = el.value ? Number(el.value) : null; }));
    }
    if (node.kind === "transfer") {
      select("target", [["workplace", this.t("target.workplace")], ["operator", this.t("target.operator")], ["external", this.t("target.external")]]).addEventListener("change", (event) => {
        const target = event.target.value;
        this.reshape(dfId, (n) => {
          n.target = target;
          if (target === "external") delete n.next;
          else n.next = n.next ?? null;
        });
      });
      text("number").addEventListener("change", update((el) => { node.number = el.value.trim(); }));
      number("ring").addEventListener("change", update((el) => { node.ring = Number(el.value); }));
    }
    if (node.kind === "voicemail") {
      text("mailbox").addEventListener("change", update((el) => { node.mailbox = el.value.trim(); }));
      select("greeting", this.refs.sounds, false, true).addEventListener("change", update((el) => { node.greeting = el.value || null; }));
      number("max_seconds").addEventListener("change", update((el) => { node.max_seconds = Number(el.value); }));
    }
    if (node.kind === "set") {
      text("caller_id_prefix").addEventListener("change", update((el) => { node.caller_id_prefix = el.value; }));
      text("variable").addEventListener("change", update((el) => { node.variable = el.value.trim() || null; }));
      text("value").addEventListener("change", update((el) => { node.value = el.value; }));
    }
    if (node.kind === "hangup") {
      const box = element("input", { type: "checkbox" });
      box.checked = Boolean(node.answer);
      field("answer", box).addEventListener("change", update((el) => { node.answer = el.checked; }));
    }
    this.panel.replaceChildren(form);
  }

  // ---- the server's problems -----------------------------------------------------------

  showProblems(problems) {
    for (const message of problems[""] || []) this.general.append(element("li", {}, message));
    for (const [dfId, node] of this.props.entries()) {
      const messages = problems[node.id] || [];
      const box = this.canvas.querySelector(`#node-${dfId}`);
      if (!box || !messages.length) continue;
      box.classList.add("uzor-node-invalid");
      const list = box.querySelector(".uzor-node-errors");
      for (const message of messages) list.append(element("li", {}, message));
    }
  }
}

function start() {
  const root = document.getElementById("uzor-flow-editor");
  const data = document.getElementById("uzor-flow-config");
  if (!root || !data) return;
  const config = JSON.parse(data.textContent);
  window.uzorFlowEditor = new FlowEditor(root, config);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
