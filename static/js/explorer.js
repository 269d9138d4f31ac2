// The explorer's filters apply as soon as they change. Progressive enhancement of the plain GET form: the same
// query string is fetched and the page's main content replaced, the URL pushed to the history (back and forward
// show each state again); if anything fails, the browser simply goes to that URL. Without JavaScript, the form
// and its "Apply the filters" button work as before.
(() => {
  const main = () => document.getElementById("main");
  const form = () => document.querySelector("form.explorer");

  function urlOf(explorer) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(explorer)) {
      const defaultMode = name.endsWith("_match") && value === "any";
      if (typeof value === "string" && value.trim() !== "" && !defaultMode) params.append(name, value);
    }
    const query = params.toString();
    return explorer.action.split("?")[0] + (query ? `?${query}` : "");
  }

  async function show(url, push, focused) {
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(response.status);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const content = page.getElementById("main");
      if (!content) throw new Error("no main");
      main().replaceChildren(...content.childNodes);
      document.title = page.title;
      if (push) history.pushState({ explorer: true }, "", url);
      enhance();
      restoreFocus(focused);
      announce();
    } catch (error) {
      window.location.assign(url);
    }
  }

  function restoreFocus(focused) {
    if (!focused) return;
    const same = [...document.querySelectorAll("form.explorer input, form.explorer select")].find(
      (element) => element.name === focused.name && element.value === focused.value,
    );
    if (same) same.focus();
  }

  function announce() {
    // A live region outside the replaced content: screen readers hear the new number of entries.
    let status = document.getElementById("explorer-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "explorer-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.append(status);
    }
    const heading = document.getElementById("results-heading");
    if (heading) status.textContent = heading.textContent.trim();
  }

  // « Show the N other options »: the facet's own page (a link without JavaScript) lists them; fetched into the
  // facet the first time they are wanted, they are ticked like the others.
  function loadOthers(facet) {
    const all = facet.querySelector(".facet__all[data-options]");
    if (!all) return Promise.resolve();
    if (!all.loading) {
      all.loading = fetch(all.dataset.options, { headers: { Accept: "text/html" } })
        .then((response) => {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then((text) => {
          const list = new DOMParser().parseFromString(text, "text/html").getElementById("facet-others");
          if (!list) throw new Error("no options");
          list.removeAttribute("id");
          all.querySelector(".facet__all-link").replaceWith(list);
          all.removeAttribute("data-options");
        })
        .catch(() => {
          all.loading = null; // the link stays: it leads to the same options
        });
    }
    return all.loading;
  }

  function filterBox(facet) {
    const all = facet.querySelector(".facet__all");
    if (all) all.addEventListener("toggle", () => all.open && loadOthers(facet));
    if (facet.querySelectorAll(".facet__options li").length <= 8 && !all) return;
    if (facet.querySelector(".facet__filter")) return;
    const label = document.createElement("label");
    label.className = "facet__filter";
    const text = document.createElement("span");
    text.className = "visually-hidden";
    text.textContent = facet.dataset.filterLabel;
    const input = document.createElement("input");
    input.type = "search";
    input.placeholder = facet.dataset.filterPlaceholder;
    const apply = () => {
      const wanted = fold(input.value);
      for (const option of facet.querySelectorAll(".facet__options li")) {
        const chosen = option.querySelector("input:checked");
        option.hidden = Boolean(wanted) && !chosen && !fold(option.textContent).includes(wanted);
      }
    };
    input.addEventListener("input", () => {
      apply();
      if (all && input.value.trim()) {
        all.open = true;
        loadOthers(facet).then(apply);
      }
    });
    label.append(text, input);
    facet.querySelector("legend").after(label);
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance() {
    const explorer = form();
    if (!explorer || explorer.dataset.enhanced) return;
    explorer.dataset.enhanced = "1";
    for (const button of explorer.querySelectorAll(".explorer-apply")) button.hidden = true;
    for (const facet of explorer.querySelectorAll(".facet[data-facet]")) filterBox(facet);
    explorer.addEventListener("change", (event) => {
      const target = event.target;
      if (target.closest(".facet__filter") || target.name === "q") return;
      show(urlOf(explorer), true, { name: target.name, value: target.value });
    });
    explorer.addEventListener("submit", (event) => {
      event.preventDefault();
      show(urlOf(explorer), true, null);
    });
  }

  window.addEventListener("popstate", () => show(window.location.href, false, null));
  document.addEventListener("DOMContentLoaded", enhance);
})();
