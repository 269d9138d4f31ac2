// Copy buttons: a button with data-copy="<id>" copies that element's text. The button stays hidden without
// JavaScript or a clipboard, where the text can still be selected by hand.
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copy-status");
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) status.textContent = status.dataset.copied;
    });
  }
});
