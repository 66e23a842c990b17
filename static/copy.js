// Copy buttons for a secret shown once (the new API token, the authenticator key): a button with
// data-copy="<id>" copies that element's value (or its data-copy-text, or its text). The buttons are hidden in
// the markup and shown here, so a browser without JavaScript shows no dead button: the secret stays in a
// read-only box to select and copy by hand. No inline script: the CSP allows only files from the desk.
(() => {
  const said = (button, text) => {
    const status = document.getElementById(button.dataset.copyStatus || "");
    if (status) status.textContent = text;
  };

  const copied = async (source) => {
    const text = source.dataset.copyText || ("value" in source ? source.value : source.textContent.trim());
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // Refused (no permission, the page not focused): fall back to a selection below.
      }
    }
    // A page served over plain http has no clipboard API: select the text and ask for a copy.
    if ("select" in source) {
      source.focus();
      source.select();
    } else {
      window.getSelection().selectAllChildren(source);
    }
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  };

  const start = () => {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) continue;
      button.hidden = false;
      button.addEventListener("click", async () => {
        const ok = await copied(source);
        said(button, ok ? "Copied." : "Select it and press Ctrl+C (⌘C) to copy.");
      });
    }
    // One click in a read-only secret selects it whole, ready for Ctrl+C.
    for (const box of document.querySelectorAll("textarea[data-select-all], input[data-select-all]")) {
      box.addEventListener("focus", () => box.select());
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
