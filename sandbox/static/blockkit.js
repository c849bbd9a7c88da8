// Block Kit and mrkdwn, rendered the way Slack shows them. Everything is built with DOM nodes and
// textContent (never innerHTML), so names and notes typed by people can never inject markup.
"use strict";

const BlockKit = (() => {
  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // The emoji shortcodes the bot uses (and a few common ones); others stay as typed, as in Slack
  // when a custom emoji is missing.
  const EMOJI = { wave: "👋", tada: "🎉", white_check_mark: "✅", calendar: "📅", warning: "⚠️", thumbsup: "👍", "+1": "👍" };
  const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);

  // Slack escapes only these three in mrkdwn.
  const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

  // --- mrkdwn ---------------------------------------------------------------------------------

  function special(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return el("span", { class: "mention", text: "@" + (ctx.names[id] || label || id) });
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      return el("span", { class: "mention", text: "#" + (label || ctx.channels[id] || id) });
    }
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^")[0];
      return el("span", { class: "mention", text: "@" + (label || word) });
    }
    const url = unescape(target);
    const safe = /^(https?:|mailto:)/i.test(url) ? url : null;
    const text = unescape(label || target);
    return safe ? el("a", { href: safe, target: "_blank", rel: "noopener noreferrer", text }) : el("span", { text });
  }

  function splitOnce(s, sep) {
    const at = s.indexOf(sep);
    return at < 0 ? [s, ""] : [s.slice(0, at), s.slice(at + 1)];
  }

  const DELIMS = { "*": "strong", _: "em", "~": "del" };
  const boundaryBefore = (s, i) => i === 0 || /[\s([{"'>.,;:!?-]/.test(s[i - 1]);
  const boundaryAfter = (s, i) => i >= s.length || /[\s)\]}"'<.,;:!?-]/.test(s[i]);

  function inline(s, ctx) {
    const out = [];
    let text = "";
    const flush = () => {
      if (text) out.push(document.createTextNode(emoji(unescape(text))));
      text = "";
    };
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === "<") {
        const end = s.indexOf(">", i + 1);
        if (end > i + 1) {
          flush();
          out.push(special(s.slice(i + 1, end), ctx));
          i = end + 1;
          continue;
        }
      } else if (c === "`") {
        const end = s.indexOf("`", i + 1);
        if (end > i + 1) {
          flush();
          out.push(el("code", { text: unescape(s.slice(i + 1, end)) }));
          i = end + 1;
          continue;
        }
      } else if (DELIMS[c] && boundaryBefore(s, i) && s[i + 1] && s[i + 1] !== " " && s[i + 1] !== c) {
        let end = s.indexOf(c, i + 1);
        while (end > 0 && (s[end - 1] === " " || !boundaryAfter(s, end + 1))) end = s.indexOf(c, end + 1);
        if (end > i + 1) {
          flush();
          out.push(el(DELIMS[c], {}, inline(s.slice(i + 1, end), ctx)));
          i = end + 1;
          continue;
        }
      }
      text += c;
      i += 1;
    }
    flush();
    return out;
  }

  function mrkdwn(source, ctx) {
    const root = el("div", { class: "mrkdwn" });
    const lines = String(source || "").split("\n");
    let quote = null;
    for (let n = 0; n < lines.length; n += 1) {
      const line = lines[n];
      if (line.startsWith("```")) {
        const body = [line.slice(3)];
        let closed = line.length > 3 && line.endsWith("```");
        if (closed) body[0] = body[0].slice(0, -3);
        while (!closed && n + 1 < lines.length) {
          n += 1;
          if (lines[n].endsWith("```")) {
            body.push(lines[n].slice(0, -3));
            closed = true;
          } else body.push(lines[n]);
        }
        quote = null;
        root.append(el("pre", { text: unescape(body.join("\n").replace(/^\n|\n$/g, "")) }));
        continue;
      }
      const quoted = line.match(/^(?:>|&gt;) ?(.*)$/);
      if (quoted) {
        if (!quote) {
          quote = el("blockquote");
          root.append(quote);
        }
        quote.append(el("div", { class: "line" }, inline(quoted[1], ctx)));
        continue;
      }
      quote = null;
      const item = line.match(/^(\s*)(•|-|\d+\.)\s+(.*)$/);
      if (item) {
        root.append(el("div", { class: "line list-item" }, el("span", { class: "bullet", text: item[2] }), " ", inline(item[3], ctx)));
      } else {
        root.append(el("div", { class: "line" }, line ? inline(line, ctx) : "\u00a0"));
      }
    }
    return root;
  }

  function text(obj, ctx, tag = "div") {
    if (!obj) return el(tag);
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    return el(tag, { class: "plain", text: obj.text || "" });
  }

  const plainText = (obj) => (obj && obj.text) || "";

  // --- interactive elements --------------------------------------------------------------------
  //
  // ctx.interactive(block, element) -> {onAction(actionPayload), register(blockId, actionId, getState), suggest(...)}

  function optionPayload(option) {
    return { text: option.text, value: option.value };
  }

  function button(element, block, ctx) {
    const classes = ["btn"];
    if (element.style) classes.push("btn-" + element.style);
    return el("button", {
      type: "button",
      class: classes.join(" "),
      text: plainText(element.text),
      "aria-label": element.accessibility_label || null,
      onclick: () => ctx.act(block, element, { type: "button", value: element.value }),
    });
  }

  function staticSelect(element, block, ctx, { labelledBy, inInput }) {
    const id = nextId("sel");
    const options = element.option_groups ? element.option_groups.flatMap((g) => g.options) : element.options || [];
    const select = el("select", { id, "aria-labelledby": labelledBy || null, "aria-label": labelledBy ? null : plainText(element.placeholder) || "Choose" });
    select.append(el("option", { value: "", text: plainText(element.placeholder) || "Choose an option" }));
    options.forEach((o, index) => select.append(el("option", { value: String(index), text: plainText(o.text) })));
    const initial = element.initial_option && options.findIndex((o) => o.value === element.initial_option.value);
    if (initial !== undefined && initial !== null && initial >= 0) select.value = String(initial);
    const selected = () => (select.value === "" ? null : optionPayload(options[Number(select.value)]));
    ctx.register(block, element, () => ({ type: element.type, selected_option: selected() }));
    if (!inInput || block.dispatch_action) {
      select.addEventListener("change", () => ctx.act(block, element, { type: element.type, selected_option: selected() }));
    }
    return select;
  }

  function multiStaticSelect(element, block, ctx, { labelledBy }) {
    const options = element.options || [];
    const initial = new Set((element.initial_options || []).map((o) => o.value));
    const select = el("select", { multiple: true, size: Math.min(6, Math.max(3, options.length)), "aria-labelledby": labelledBy || null });
    options.forEach((o, index) => {
      const option = el("option", { value: String(index), text: plainText(o.text) });
      option.selected = initial.has(o.value);
      select.append(option);
    });
    ctx.register(block, element, () => ({
      type: element.type,
      selected_options: Array.from(select.selectedOptions).map((o) => optionPayload(options[Number(o.value)])),
    }));
    return el("div", { class: "multi" }, select, el("div", { class: "hint", text: "Ctrl-click (⌘-click) to choose several." }));
  }

  // A searchable pick list: asks the bot's options handler (block_suggestion) as the person types.
  function externalSelect(element, block, ctx, { labelledBy, inInput }) {
    const multi = element.type === "multi_external_select";
    const max = element.max_selected_items || (multi ? 100 : 1);
    let chosen = multi ? [...(element.initial_options || [])] : element.initial_option ? [element.initial_option] : [];
    const listId = nextId("list");
    const input = el("input", {
      type: "text",
      role: "combobox",
      autocomplete: "off",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      "aria-labelledby": labelledBy || null,
      "aria-label": labelledBy ? null : plainText(element.placeholder) || "Search",
      placeholder: plainText(element.placeholder) || "Search",
    });
    const list = el("ul", { id: listId, role: "listbox", class: "suggestions", hidden: true });
    const chips = el("div", { class: "chips" });
    const drawChips = () => {
      chips.replaceChildren(
        ...chosen.map((o) =>
          el("span", { class: "chip" }, plainText(o.text),
            el("button", { type: "button", class: "chip-remove", "aria-label": "Remove " + plainText(o.text), text: "×",
              onclick: () => { chosen = chosen.filter((c) => c.value !== o.value); drawChips(); changed(); } })),
        ),
      );
    };
    const changed = () => {
      if (!inInput || block.dispatch_action) {
        const payload = multi ? { type: element.type, selected_options: chosen.map(optionPayload) }
          : { type: element.type, selected_option: chosen[0] ? optionPayload(chosen[0]) : null };
        ctx.act(block, element, payload);
      }
    };
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
    let asked = 0;
    let timer = null;
    const choose = (option) => {
      chosen = multi ? [...chosen.filter((c) => c.value !== option.value), option].slice(0, max) : [option];
      clearTimeout(timer);
      asked += 1; // a search still on its way is no longer wanted
      input.value = "";
      close();
      drawChips();
      changed();
      input.focus();
    };
    const search = async () => {
      const query = input.value;
      if (query.length < (element.min_query_length ?? 3)) { close(); return; }
      const ticket = ++asked;
      const options = await ctx.suggest(block, element, query);
      // Only the latest search, and only while the person is still in this box.
      if (ticket !== asked || !(document.activeElement === input || list.contains(document.activeElement))) return;
      list.replaceChildren(
        ...(options.length ? options.map((o, index) =>
          el("li", { role: "option", id: `${listId}-${index}`, tabindex: "-1", class: "suggestion", text: plainText(o.text),
            onmousedown: (event) => { event.preventDefault(); choose(o); },
            onkeydown: (event) => {
              if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(o); }
              else if (event.key === "ArrowDown") { event.preventDefault(); (event.target.nextSibling || event.target).focus(); }
              else if (event.key === "ArrowUp") { event.preventDefault(); (event.target.previousSibling || input).focus(); }
              else if (event.key === "Escape") { close(); input.focus(); }
            } })) : [el("li", { class: "no-match", text: "No matches" })]),
      );
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 150); });
    input.addEventListener("click", () => { if (list.hidden) search(); }); // like Slack: a click shows the list
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && list.hidden) { event.preventDefault(); search(); }
      else if (event.key === "ArrowDown" && list.firstChild && list.firstChild.focus) { event.preventDefault(); list.firstChild.focus(); }
      else if (event.key === "Escape" && !list.hidden) { event.stopPropagation(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(() => { if (!list.contains(document.activeElement)) close(); }, 150));
    ctx.register(block, element, () => multi
      ? { type: element.type, selected_options: chosen.map(optionPayload) }
      : { type: element.type, selected_option: chosen[0] ? optionPayload(chosen[0]) : null });
    drawChips();
    return el("div", { class: "combo" + (multi ? " multi" : "") }, chips, input, list);
  }

  function textInput(element, block, ctx, { labelledBy }) {
    const attrs = {
      "aria-labelledby": labelledBy || null,
      placeholder: plainText(element.placeholder) || null,
      maxlength: element.max_length || null,
      minlength: element.min_length || null,
    };
    const input = element.multiline ? el("textarea", { rows: 4, ...attrs }) : el("input", { type: "text", ...attrs });
    input.value = element.initial_value || "";
    ctx.register(block, element, () => ({ type: element.type, value: input.value === "" ? null : input.value }));
    return input;
  }

  function numberInput(element, block, ctx, { labelledBy }) {
    const input = el("input", {
      type: "number",
      "aria-labelledby": labelledBy || null,
      step: element.is_decimal_allowed ? "any" : "1",
      min: element.min_value ?? null,
      max: element.max_value ?? null,
      placeholder: plainText(element.placeholder) || null,
    });
    input.value = element.initial_value || "";
    ctx.register(block, element, () => ({ type: element.type, value: input.value === "" ? null : input.value }));
    return input;
  }

  function datePicker(element, block, ctx, { labelledBy, inInput }) {
    const input = el("input", { type: "date", "aria-labelledby": labelledBy || null, "aria-label": labelledBy ? null : "Date" });
    input.value = element.initial_date || "";
    ctx.register(block, element, () => ({ type: element.type, selected_date: input.value || null }));
    if (!inInput) input.addEventListener("change", () => ctx.act(block, element, { type: element.type, selected_date: input.value || null }));
    return input;
  }

  function timePicker(element, block, ctx, { labelledBy }) {
    const input = el("input", { type: "time", "aria-labelledby": labelledBy || null });
    input.value = element.initial_time || "";
    ctx.register(block, element, () => ({ type: element.type, selected_time: input.value || null }));
    return input;
  }

  function choices(element, block, ctx, { labelledBy }, kind) {
    const name = nextId("choice");
    const initial = new Set(
      kind === "radio" ? (element.initial_option ? [element.initial_option.value] : []) : (element.initial_options || []).map((o) => o.value),
    );
    const inputs = [];
    const group = el("div", { role: kind === "radio" ? "radiogroup" : "group", class: "choices", "aria-labelledby": labelledBy || null });
    (element.options || []).forEach((o) => {
      const input = el("input", { type: kind, name, value: o.value });
      input.checked = initial.has(o.value);
      inputs.push([input, o]);
      const label = el("label", { class: "choice" }, input, " ", el("span", {}, text(o.text, ctx, "span")));
      if (o.description) label.append(el("span", { class: "hint" }, text(o.description, ctx, "span")));
      group.append(label);
    });
    const picked = () => inputs.filter(([input]) => input.checked).map(([, o]) => optionPayload(o));
    ctx.register(block, element, () =>
      kind === "radio" ? { type: element.type, selected_option: picked()[0] || null } : { type: element.type, selected_options: picked() },
    );
    return group;
  }

  function image(element, small) {
    const src = element.image_url || (element.slack_file && element.slack_file.url) || "";
    const local = src.startsWith("/files/") || src.startsWith("data:image/");
    return local
      ? el("img", { src, alt: element.alt_text || "", class: small ? "context-image" : "block-image" })
      : el("span", { class: "image-placeholder", role: "img", "aria-label": element.alt_text || "image", text: "🖼 " + (element.alt_text || "image") });
  }

  function element(elementSpec, block, ctx, options = {}) {
    switch (elementSpec.type) {
      case "button": return button(elementSpec, block, ctx);
      case "static_select": case "users_select": case "conversations_select": case "channels_select":
        return staticSelect(elementSpec, block, ctx, options);
      case "multi_static_select": return multiStaticSelect(elementSpec, block, ctx, options);
      case "external_select": case "multi_external_select": return externalSelect(elementSpec, block, ctx, options);
      case "plain_text_input": return textInput(elementSpec, block, ctx, options);
      case "number_input": return numberInput(elementSpec, block, ctx, options);
      case "datepicker": return datePicker(elementSpec, block, ctx, options);
      case "timepicker": return timePicker(elementSpec, block, ctx, options);
      case "checkboxes": return choices(elementSpec, block, ctx, options, "checkbox");
      case "radio_buttons": return choices(elementSpec, block, ctx, options, "radio");
      case "image": return image(elementSpec, false);
      case "overflow":
        return staticSelect({ ...elementSpec, placeholder: { text: "More" } }, block, ctx, options);
      default: return el("span", { class: "unsupported", text: `[${elementSpec.type}]` });
    }
  }

  // --- blocks ----------------------------------------------------------------------------------

  function block(spec, ctx) {
    switch (spec.type) {
      case "section": {
        const body = el("div", { class: "section-body" });
        if (spec.text) body.append(text(spec.text, ctx));
        if (spec.fields) body.append(el("div", { class: "fields" }, spec.fields.map((f) => text(f, ctx))));
        const node = el("div", { class: "block section" }, body);
        if (spec.accessory) node.append(el("div", { class: "accessory" }, element(spec.accessory, spec, ctx)));
        return node;
      }
      case "context":
        return el("div", { class: "block context" },
          (spec.elements || []).map((e) => (e.type === "image" ? image(e, true) : text(e, ctx, "span"))));
      case "header":
        return el("h3", { class: "block header", text: plainText(spec.text) });
      case "divider":
        return el("hr", { class: "block divider" });
      case "image": {
        const figure = el("figure", { class: "block image" });
        if (spec.title) figure.append(el("figcaption", { text: plainText(spec.title) }));
        figure.append(image(spec, false));
        return figure;
      }
      case "actions":
        return el("div", { class: "block actions" }, (spec.elements || []).map((e) => element(e, spec, ctx, { inInput: false })));
      case "input": {
        const labelId = nextId("label");
        const error = ctx.errors && ctx.errors[spec.block_id];
        const errorId = error ? nextId("err") : null;
        const control = element(spec.element, spec, ctx, { labelledBy: labelId, inInput: true });
        if (errorId) control.setAttribute("aria-describedby", errorId);
        if (error) control.setAttribute("aria-invalid", "true");
        return el("div", { class: "block input" + (error ? " has-error" : ""), "data-block-id": spec.block_id },
          el("div", { class: "input-label", id: labelId }, plainText(spec.label), spec.optional ? el("span", { class: "optional", text: " (optional)" }) : null),
          control,
          spec.hint ? el("div", { class: "hint", text: plainText(spec.hint) }) : null,
          error ? el("div", { class: "error", id: errorId, role: "alert", text: error }) : null);
      }
      case "rich_text":
        return el("div", { class: "block", text: (spec.elements || []).map((e) => (e.elements || []).map((x) => x.text || "").join("")).join("\n") });
      default:
        return el("div", { class: "block unsupported", text: `[${spec.type} block]` });
    }
  }

  function blocks(list, ctx) {
    return el("div", { class: "blocks" }, (list || []).map((b) => block(b, ctx)));
  }

  return { blocks, mrkdwn, el, plainText };
})();
