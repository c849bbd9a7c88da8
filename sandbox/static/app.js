// The sandbox page: act as anyone in the program, see what Slack would show them, move the clock.
"use strict";

(() => {
  const { el, blocks, plainText } = BlockKit;
  const POLL_MS = 800;
  const ROLE_TITLES = { coordinator: "Coordinators", faculty: "Faculty", resident: "Residents" };

  const state = {
    people: [],
    user: null,
    conversation: "app",
    tab: "home",
    snapshot: null,
    drawn: "",
    modalKey: "",
    busy: false,
    epoch: 0,
  };

  const $ = (id) => document.getElementById(id);

  async function api(path, body) {
    const response = await fetch(path, body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ error: "The sandbox did not answer." }));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  function say(message, isError = false) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("status-error", isError);
  }

  async function guarded(label, work) {
    if (state.busy) return;
    state.busy = true;
    state.epoch += 1; // a snapshot asked for before this action is out of date when it arrives
    document.body.classList.add("busy");
    if (label) say(label);
    try {
      await work();
    } catch (error) {
      say(error.message, true);
    } finally {
      state.busy = false;
      document.body.classList.remove("busy");
      await refresh();
    }
  }

  // --- people ------------------------------------------------------------------------------

  const person = (id) => state.people.find((p) => p.id === id);

  function describe(p) {
    const bits = [];
    if (p.pgy) bits.push(`PGY-${p.pgy}`);
    if (p.subspecialty) bits.push(p.subspecialty);
    bits.push(p.tz.replace(/_/g, " "));
    return bits.join(" · ");
  }

  function drawPeople() {
    const select = $("act-as");
    select.replaceChildren();
    const list = $("people");
    list.replaceChildren();
    for (const role of Object.keys(ROLE_TITLES)) {
      const members = state.people.filter((p) => p.role === role);
      const group = el("optgroup", { label: ROLE_TITLES[role] });
      members.forEach((p) => group.append(el("option", { value: p.id, text: p.name })));
      select.append(group);
      list.append(
        el("section", { class: "people-group", "aria-label": ROLE_TITLES[role] },
          el("h2", { text: `${ROLE_TITLES[role]} (${members.length})` }),
          el("ul", {}, members.map((p) =>
            el("li", {},
              el("button", {
                type: "button",
                class: "person" + (p.id === state.user ? " current" : ""),
                "aria-pressed": p.id === state.user ? "true" : "false",
                title: describe(p),
                onclick: () => actAs(p.id),
              }, el("span", { class: "person-name", text: p.name }), el("span", { class: "person-detail", text: describe(p) })))))),
      );
    }
    select.value = state.user;
  }

  function actAs(id) {
    if (!person(id)) return;
    state.epoch += 1;
    state.user = id;
    state.conversation = "app";
    state.tab = "home";
    state.drawn = "";
    state.modalKey = "";
    location.hash = id;
    drawPeople();
    openHome();
  }

  function openHome() {
    api("/api/home", { user: state.user }).then(refresh).catch((error) => say(error.message, true));
  }

  // --- acting on blocks ----------------------------------------------------------------------

  function surfaceContext({ viewId = null, channel = null, ts = null, errors = null }) {
    const getters = {};
    const values = () => {
      const out = {};
      for (const [blockId, actions] of Object.entries(getters)) {
        out[blockId] = {};
        for (const [actionId, get] of Object.entries(actions)) out[blockId][actionId] = get();
      }
      return out;
    };
    const ctx = {
      names: state.snapshot ? state.snapshot.names : {},
      channels: {},
      errors,
      register(block, element, get) {
        const blockId = block.block_id || "b";
        (getters[blockId] = getters[blockId] || {})[element.action_id] = get;
      },
      act(block, element, payload) {
        const action = { action_id: element.action_id, block_id: block.block_id || "b", ...payload };
        guarded("", () => api("/api/action", viewId
          ? { user: state.user, view_id: viewId, action, values: values() }
          : { user: state.user, channel, ts, action }));
      },
      async suggest(block, element, query) {
        if (!viewId) return [];
        try {
          const data = await api("/api/suggest", {
            user: state.user, view_id: viewId, action_id: element.action_id, block_id: block.block_id || "b", value: query,
          });
          return data.result || [];
        } catch (error) {
          say(error.message, true);
          return [];
        }
      },
      values,
    };
    return ctx;
  }

  // --- the main pane ---------------------------------------------------------------------------

  function conversationTitle(c) {
    return c.kind === "app" ? "Mentorbot" : c.title;
  }

  function drawConversations(snapshot) {
    const nav = $("conversations");
    nav.replaceChildren(
      ...snapshot.conversations.map((c) => {
        const count = c.messages.length;
        return el("li", {},
          el("button", {
            type: "button",
            class: "conversation" + (c.id === state.conversation ? " current" : ""),
            "aria-current": c.id === state.conversation ? "page" : null,
            onclick: () => { state.conversation = c.id; state.drawn = ""; if (c.kind === "app" && state.tab === "home") openHome(); draw(); },
          },
          el("span", { class: "conversation-kind", "aria-hidden": "true", text: c.kind === "channel" ? "#" : c.kind === "group" ? "◎" : "◉" }),
          el("span", { class: "conversation-title", text: c.kind === "channel" ? c.title.slice(1) : conversationTitle(c) }),
          count ? el("span", { class: "count", "aria-label": `${count} messages`, text: String(count) }) : null));
      }),
    );
  }

  function messageNode(message, conversation) {
    const ephemeral = message.kind === "ephemeral";
    const time = el("span", { class: "time", text: message.time || "" });
    if (message.kind === "command") {
      return el("li", { class: "message typed" },
        el("div", { class: "author" }, person(state.user).name, " ", time),
        el("div", { class: "typed-command", text: message.text }));
    }
    const ctx = surfaceContext({ channel: conversation.id === "app" ? null : conversation.id, ts: message.ts });
    if (conversation.kind === "app" && !ephemeral) {
      ctx.act = (block, element, payload) => {
        const action = { action_id: element.action_id, block_id: block.block_id || "b", ...payload };
        guarded("", () => api("/api/action", { user: state.user, channel: message.channel, ts: message.ts, action }));
      };
    }
    if (ephemeral) {
      ctx.act = () => say("Buttons in a reply only you can see are for show here.", true);
    }
    const body = message.blocks && message.blocks.length ? blocks(message.blocks, ctx) : BlockKit.mrkdwn(message.text, ctx);
    const files = (message.files || []).map((f) =>
      el("figure", { class: "file" },
        el("figcaption", { text: f.title || f.name }),
        /\.png$/i.test(f.name || "") ? el("img", { src: `/files/${encodeURIComponent(f.id)}`, alt: f.title || f.name, class: "block-image" })
          : el("a", { href: `/files/${encodeURIComponent(f.id)}`, text: f.name, download: f.name })));
    return el("li", { class: "message" + (ephemeral ? " ephemeral" : "") },
      el("div", { class: "author" }, "Mentorbot ", el("span", { class: "app-badge", text: "APP" }), " ", time,
        ephemeral ? el("span", { class: "only-you", text: " Only visible to you" }) : null,
        message.edited ? el("span", { class: "edited", text: " (edited)" }) : null),
      body,
      files);
  }

  function drawPane(snapshot) {
    const conversation = snapshot.conversations.find((c) => c.id === state.conversation) || snapshot.conversations[0];
    state.conversation = conversation.id;
    const pane = $("pane");
    const header = el("header", { class: "pane-header" }, el("h1", { id: "pane-title", text: conversation.kind === "channel" ? conversation.title : conversationTitle(conversation) }));
    const parts = [header];
    let showHome = false;
    if (conversation.kind === "app") {
      showHome = state.tab === "home";
      header.append(el("div", { class: "tabs", role: "tablist", "aria-label": "Mentorbot" },
        ["home", "messages"].map((tab) => el("button", {
          type: "button", role: "tab", "aria-selected": state.tab === tab ? "true" : "false", class: "tab",
          text: tab === "home" ? "Home" : "Messages",
          onclick: () => { state.tab = tab; state.drawn = ""; if (tab === "home") openHome(); draw(); },
        }))));
    } else if (conversation.kind === "group") {
      header.append(el("p", { class: "pane-sub", text: "Group DM" }));
    } else {
      header.append(el("p", { class: "pane-sub", text: "Private channel for the program coordinators" }));
    }
    if (showHome) {
      const home = snapshot.home;
      parts.push(home
        ? el("div", { class: "home", role: "region", "aria-label": "App Home" }, blocks(home.blocks, surfaceContext({ viewId: home.id })))
        : el("p", { class: "empty", text: "Opening the App Home…" }));
    } else {
      const messages = conversation.messages.map((m) => ({ ...m, channel: conversation.id === "app" ? snapshot.app_channel : conversation.id }));
      parts.push(el("ol", { class: "messages", "aria-label": "Messages", "aria-live": "polite" },
        messages.length ? messages.map((m) => messageNode(m, conversation)) : el("li", { class: "empty", text: "No messages yet." })));
      if (conversation.kind === "app") parts.push(composer());
    }
    pane.replaceChildren(...parts);
    const list = pane.querySelector(".messages");
    if (list) list.scrollTop = list.scrollHeight;
  }

  function composer() {
    const input = el("input", { id: "message-box", type: "text", autocomplete: "off", placeholder: "/mentor help", "aria-label": "Message Mentorbot (type a /mentor command)" });
    return el("form", {
      class: "composer",
      onsubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        input.value = ""; // as Slack does: the box empties at once
        guarded("", () => api("/api/command", { user: state.user, text }));
      },
    }, input, el("button", { type: "submit", class: "btn btn-primary", text: "Send" }));
  }

  // --- the modal ---------------------------------------------------------------------------------

  // Inline errors (the bot's response_action: errors, or a required field left empty) go next to
  // their inputs in place, so nothing the person typed is lost.
  function showErrors(form, errors) {
    form.querySelectorAll(".block.input").forEach((node) => {
      const message = errors[node.dataset.blockId];
      const control = node.querySelector("input, select, textarea, [role=combobox], [role=radiogroup], [role=group]");
      let shown = node.querySelector(".error");
      node.classList.toggle("has-error", Boolean(message));
      if (!message) {
        if (shown) shown.remove();
        if (control) { control.removeAttribute("aria-invalid"); control.removeAttribute("aria-describedby"); }
        return;
      }
      if (!shown) {
        shown = el("div", { class: "error", id: `err-${node.dataset.blockId}`, role: "alert" });
        node.append(shown);
      }
      shown.textContent = message;
      if (control) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", shown.id); }
    });
    const first = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (first) first.focus();
  }

  function missingRequired(view, values) {
    const missing = {};
    for (const block of view.blocks || []) {
      if (block.type !== "input" || block.optional) continue;
      const value = (values[block.block_id] || {})[block.element.action_id] || {};
      const empty = !(value.value || value.selected_option || value.selected_date || value.selected_time ||
        (value.selected_options && value.selected_options.length));
      if (empty) missing[block.block_id] = "Please complete this required field.";
    }
    return missing;
  }

  function drawModal(snapshot) {
    const modal = snapshot.modal;
    const key = modal ? `${modal.view.id}:${modal.view.hash}:${modal.depth}` : "";
    if (key === state.modalKey) {
      const errors = modal ? JSON.stringify(modal.errors) : "";
      if (modal && errors !== state.modalErrors) { state.modalErrors = errors; showErrors($("modal").firstChild, modal.errors); }
      return;
    }
    state.modalKey = key;
    state.modalErrors = modal ? JSON.stringify(modal.errors) : "";
    const overlay = $("modal");
    if (!modal) {
      overlay.hidden = true;
      overlay.replaceChildren();
      return;
    }
    const view = modal.view;
    const ctx = surfaceContext({ viewId: view.id, errors: modal.errors });
    let form = null;
    const close = () => guarded("", () => api("/api/close", { user: state.user, view_id: view.id }));
    form = el("form", {
      class: "modal",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "modal-title",
      onsubmit: (event) => {
        event.preventDefault();
        const values = ctx.values();
        const missing = missingRequired(view, values);
        if (Object.keys(missing).length) {
          showErrors(form, missing);
          return;
        }
        guarded("", async () => {
          const data = await api("/api/submit", { user: state.user, view_id: view.id, values });
          const ack = data.result || {};
          if (ack.response_action === "errors") say("Please check the form.", true);
        });
      },
      onkeydown: (event) => { if (event.key === "Escape") { event.preventDefault(); close(); } },
    },
    el("header", { class: "modal-header" },
      modal.depth > 1 ? el("button", { type: "button", class: "btn btn-link", "aria-label": "Back", text: "←", onclick: close }) : null,
      el("h2", { id: "modal-title", text: plainText(view.title) }),
      el("button", { type: "button", class: "btn btn-link modal-x", "aria-label": "Close", text: "×", onclick: close })),
    el("div", { class: "modal-body" }, blocks(view.blocks, ctx)),
    el("footer", { class: "modal-footer" },
      el("button", { type: "button", class: "btn", text: plainText(view.close) || "Cancel", onclick: close }),
      view.submit ? el("button", { type: "submit", class: "btn btn-primary", text: plainText(view.submit) }) : null));
    overlay.replaceChildren(form);
    overlay.hidden = false;
    const firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    const first = firstError || form.querySelector(".modal-body input, .modal-body select, .modal-body textarea, .modal-body button") || form.querySelector("button");
    if (first) first.focus();
  }

  // --- clock -------------------------------------------------------------------------------------

  function moveClock(how, extra = {}) {
    const labels = { day: "+1 day", week: "+1 week", quarter: "next quarter", date: "the chosen date" };
    guarded(`Running the scheduler's jobs up to ${labels[how]}…`, async () => {
      const started = performance.now();
      const data = await api("/api/clock", { how, ...extra });
      say(`Moved to ${labels[how]}: ${data.result.steps} hourly runs of the scheduler's jobs in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    });
  }

  function wireControls() {
    $("act-as").addEventListener("change", (event) => actAs(event.target.value));
    $("plus-day").addEventListener("click", () => moveClock("day"));
    $("plus-week").addEventListener("click", () => moveClock("week"));
    $("next-quarter").addEventListener("click", () => moveClock("quarter"));
    $("go-to-date").addEventListener("submit", (event) => {
      event.preventDefault();
      const day = $("date").value;
      if (!day) { say("Pick a date first.", true); return; }
      moveClock("date", { date: day });
    });
    $("autofill").addEventListener("click", () => guarded("Filling in answers for everyone who has not answered…", async () => {
      const data = await api("/api/autofill", {});
      const r = data.result;
      say(`Answered for ${r.answered} people (${r.already} had answered already; ${r.not_asked} had no form to fill in).`);
    }));
  }

  // --- refresh loop ----------------------------------------------------------------------------

  function draw() {
    const snapshot = state.snapshot;
    if (!snapshot) return;
    $("now").textContent = snapshot.now_label;
    $("now").setAttribute("datetime", snapshot.now);
    drawConversations(snapshot);
    const conversation = snapshot.conversations.find((c) => c.id === state.conversation);
    const fingerprint = JSON.stringify([state.conversation, state.tab, conversation, state.tab === "home" ? snapshot.home : null]);
    if (fingerprint !== state.drawn) {
      const active = document.activeElement;
      const typing = active && active.id === "message-box" ? active.value : null;
      drawPane(snapshot);
      state.drawn = fingerprint;
      if (typing !== null) { const box = $("message-box"); if (box) { box.value = typing; box.focus(); } }
    }
    drawModal(snapshot);
  }

  async function refresh() {
    if (!state.user) return;
    const epoch = state.epoch;
    const user = state.user;
    try {
      const snapshot = await api(`/api/state?user=${encodeURIComponent(user)}`);
      if (epoch !== state.epoch || user !== state.user) return; // stale: an action or a switch happened since
      const app = snapshot.conversations.find((c) => c.kind === "app");
      snapshot.app_channel = app ? app.channel : null;
      state.snapshot = snapshot;
      draw();
    } catch (error) {
      say(error.message, true);
    }
  }

  async function start() {
    wireControls();
    const data = await api("/api/people");
    state.people = data.people;
    const wanted = location.hash.slice(1);
    actAs(person(wanted) ? wanted : state.people[0].id);
    setInterval(() => { if (!state.busy && document.visibilityState !== "hidden") refresh(); }, POLL_MS);
  }

  start().catch((error) => say(error.message, true));
})();
