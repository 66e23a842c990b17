// The Answers panel (templates/answers/_answers.html): its buttons put an earlier answer or a saved reply where
// the cursor is in the reply box, and `;` typed at the start of a word in the reply box opens the saved
// replies picker (type to filter, ↑/↓ to choose, Enter inserts, Esc closes and types nothing). Without
// JavaScript the same buttons post the composer's form (with the reply box's text) to their own address, which
// puts the text after it in the draft; here their click is taken before that post, and only the use is told to
// the desk (JSON). The story panel's Insert works the same way. Texts are set as text, never as HTML.
// The panel comes in the deferred panels' answer, after the page: `;` typed before it is here still opens the
// picker, which says it is loading and fills when the panel arrives, so neither the `;` nor the words typed to
// filter land in the reply.
(() => {
  "use strict";

  const keys = window.deskKeys;
  let picker = null;
  let caret = null; // where `;` was typed: the picker inserts there

  function replyBox() {
    return document.querySelector("#composer-reply textarea[name=body]");
  }

  function insert(text) {
    const box = replyBox();
    if (!box || !text) return;
    const at = caret !== null ? caret : box.selectionStart ?? box.value.length;
    const end = caret !== null ? caret : box.selectionEnd ?? at;
    caret = null;
    const before = box.value.slice(0, at);
    const gap = before && !/\s$/.test(before) ? " " : "";
    box.value = before + gap + text + box.value.slice(end);
    box.focus();
    const start = at + gap.length;
    // A {link} left in the text is selected: the advocate types the link over it.
    const link = text.indexOf("{link}");
    if (link >= 0) box.setSelectionRange(start + link, start + link + "{link}".length);
    else box.setSelectionRange(start + text.length, start + text.length);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // The button's own address, for JSON: the text (an earlier answer's), and the use counted. Not the composer's
  // fields: the draft is the reply box's business here.
  function post(button) {
    const body = new FormData();
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) body.set("csrfmiddlewaretoken", token.value);
    if (button.name) body.set(button.name, button.value);
    return fetch(button.formAction, { method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin" });
  }

  // On click, in the capture phase: taken before the browser posts the composer's form (and before htmx, which
  // sends that form, sees a submit).
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest && event.target.closest("button[data-saved-insert], button[data-answer-use]");
      if (!button || !replyBox()) return; // no reply box on this page: the button's own way (into the draft)
      event.preventDefault();
      if (button.hasAttribute("data-saved-insert")) {
        insert(savedText(button.parentElement.querySelector("[data-saved-text]")));
        post(button).catch(() => {}); // only counts the use
        return;
      }
      post(button)
        .then((r) => r.json())
        .then((data) => {
          if (data.text) insert(data.text);
          else if (data.error) button.parentElement.insertAdjacentText("afterend", data.error);
        })
        .catch(() => button.parentElement.insertAdjacentText("afterend", "The desk did not answer: try again."));
    },
    true,
  );

  // Our knowledge sources' results: their link into the reply.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-insert-link]");
    if (button && replyBox()) insert(button.dataset.insertLink);
  });

  // The panel's own search box filters its list.
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("[data-saved-search]")) {
      const words = event.target.value.toLowerCase().trim();
      const items = [...document.querySelectorAll("#saved-list [data-saved]")];
      let shown = 0;
      items.forEach((li) => {
        const hit = !words || (li.dataset.words + " " + li.textContent.toLowerCase()).includes(words);
        li.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      const empty = document.querySelector("[data-saved-empty]");
      if (empty) empty.hidden = shown > 0;
    }
  });

  // --- ; in the reply box: the saved replies picker -------------------------------------------------
  // The answers panel is not here yet while a deferred panels' slot still waits for its answer (mentions.ticket_page.panels).
  function answersPending() {
    return !document.querySelector("#panel-answers:not(.panel-slot)") && !!document.querySelector(".panel-slot[hx-trigger=load]");
  }

  // A saved reply's text: in its button (the panel's list, shown two lines high) or in a <template> (a story's answer).
  function savedText(node) {
    return node.content ? node.content.textContent : node.textContent;
  }

  function savedItems() {
    return [...document.querySelectorAll("#saved-list [data-saved]")].map((li) => {
      const text = savedText(li.querySelector("[data-saved-text]"));
      return {
        button: li.querySelector("button[data-saved-insert]"),
        title: li.querySelector("strong").textContent,
        words: li.dataset.words + " " + text.toLowerCase(),
        text,
      };
    });
  }

  function buildPicker() {
    const { box, open } = keys.dialog("saved-replies-picker", "Insert a saved reply");
    box.classList.add("keys-picker");
    const filter = keys.el("input", {
      type: "text",
      role: "combobox",
      "aria-label": "Filter saved replies",
      "aria-controls": "saved-picker-list",
      "aria-expanded": "true",
      autocomplete: "off",
      placeholder: "Type to filter saved replies",
    });
    const list = keys.el("ul", { role: "listbox", id: "saved-picker-list", "aria-label": "Saved replies" });
    const empty = keys.el("p", { class: "muted" }, "No saved reply matches.");
    const loading = keys.el("p", { class: "muted", role: "status" }, "Loading the saved replies…");
    const hint = keys.el("p", { class: "muted" }, "↑/↓ choose · Enter inserts · Esc closes");
    box.append(filter, list, loading, empty, hint);
    picker = { box, open, filter, list, empty, loading, items: [], pending: false };
    filter.addEventListener("input", render);
    filter.addEventListener("keydown", (event) => {
      if (event.isComposing) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        const active = list.querySelector("[aria-selected=true]");
        if (active) choose(Number(active.dataset.index));
      }
    });
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) choose(Number(option.dataset.index));
    });
    // Closed without a choice (Esc): nothing is typed, and the next insert goes where the cursor is then.
    box.addEventListener("close", () => {
      caret = null;
    });
  }

  // The first `most` characters, cut at a word's end.
  function short(text, most) {
    if (text.length <= most) return text;
    const cut = text.slice(0, most);
    return cut.slice(0, cut.lastIndexOf(" ") > most / 2 ? cut.lastIndexOf(" ") : most) + "…";
  }

  function render() {
    const words = picker.filter.value.toLowerCase().trim();
    picker.list.replaceChildren();
    picker.items.forEach((item, index) => {
      if (words && !item.words.includes(words) && !item.title.toLowerCase().includes(words)) return;
      const option = keys.el("li", { role: "option", id: `saved-pick-${index}`, "aria-selected": "false" });
      option.dataset.index = String(index);
      option.append(keys.el("strong", {}, item.title), keys.el("span", { class: "muted" }, " " + short(item.text, 140)));
      picker.list.appendChild(option);
    });
    const first = picker.list.querySelector("[role=option]");
    if (first) select(first);
    picker.loading.hidden = !picker.pending;
    picker.empty.hidden = !!first || picker.pending;
    picker.empty.textContent = picker.items.length ? "No saved reply matches." : "No saved replies yet.";
  }

  // The deferred panels arrived (or failed): the waiting picker fills with what the filter already holds.
  function panelsArrived() {
    if (!picker || !picker.pending || answersPending()) return;
    picker.pending = false;
    picker.items = savedItems();
    if (picker.box.open) render();
  }
  document.addEventListener("htmx:load", panelsArrived);
  document.addEventListener("htmx:afterSettle", panelsArrived);
  ["htmx:responseError", "htmx:sendError"].forEach((name) =>
    document.addEventListener(name, (event) => {
      if (picker && picker.pending && event.target.matches && event.target.matches(".panel-slot")) {
        picker.loading.textContent = "The saved replies did not load: Esc, then reload the page.";
      }
    }),
  );

  function select(option) {
    picker.list.querySelectorAll("[aria-selected=true]").forEach((o) => o.setAttribute("aria-selected", "false"));
    option.setAttribute("aria-selected", "true");
    picker.filter.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const options = [...picker.list.querySelectorAll("[role=option]")];
    if (!options.length) return;
    const at = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    select(options[(at + step + options.length) % options.length]);
  }

  function choose(index) {
    const item = picker.items[index];
    picker.box.close();
    if (!item) return;
    insert(item.text);
    post(item.button).catch(() => {});
  }

  document.addEventListener("keydown", (event) => {
    const box = replyBox();
    if (event.key !== ";" || event.target !== box || event.ctrlKey || event.metaKey || event.altKey) return;
    const before = box.value.slice(0, box.selectionStart);
    if (before && !/\s$/.test(before)) return; // "a;b" is punctuation, not the picker
    const pending = answersPending();
    const items = pending ? [] : savedItems();
    // No saved reply at all (the panel is here and has none): `;` is the character.
    if ((!items.length && !pending) || !keys) return;
    event.preventDefault();
    caret = box.selectionStart;
    if (!picker) buildPicker();
    picker.items = items;
    picker.pending = pending;
    picker.loading.textContent = "Loading the saved replies…";
    picker.filter.value = "";
    render();
    picker.open();
    picker.filter.focus();
  });
})();
