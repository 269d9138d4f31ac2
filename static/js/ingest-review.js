// The review screen works without this: it only brings the highlighted source lines into view beside the entry.
document.addEventListener("DOMContentLoaded", () => {
  const line = document.querySelector(".ingest-source li.highlight");
  if (line) {
    const pane = line.closest(".ingest-source");
    pane.scrollTop = line.offsetTop - pane.clientHeight / 3;
  }
});
