// The ticket list's "tick all" box ticks every row's box on the page (bulk actions for managers).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-tick-all]");
  if (!all) return;
  for (const box of document.querySelectorAll('input[type="checkbox"][name="ticket"]')) {
    box.checked = all.checked;
  }
});
