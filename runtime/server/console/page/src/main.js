import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { getJson, KeyRefused, setKey, storedKey } from "./api.js";
import { html } from "./html.js";
import { startEvents, useStore } from "./store.js";
import { Config } from "./views/config.js";
import { Overview } from "./views/overview.js";
import { Playground } from "./views/playground.js";
import { Requests } from "./views/requests.js";
import { Usage } from "./views/usage.js";

const VIEWS = [
  { path: "overview", title: "Overview", view: Overview },
  { path: "requests", title: "Requests", view: Requests },
  { path: "usage", title: "Usage", view: Usage },
  { path: "playground", title: "Playground", view: Playground },
  { path: "config", title: "Config", view: Config },
];

function currentView() {
  const name = location.pathname.replace(/^\/console\/?/, "").split("/")[0] || "overview";
  return VIEWS.find((v) => v.path === name) ?? VIEWS[0];
}

function go(event, path) {
  event.preventDefault();
  history.pushState(null, "", `/console/${path}`);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** Asks for an API key when the server wants one; a refused key is said so and asked again. */
function KeyPrompt({ refused, onKey }) {
  const [value, setValue] = useState("");
  const submit = (event) => {
    event.preventDefault();
    onKey(value.trim());
  };
  return html`<form class="key-prompt" onSubmit=${submit}>
    <h1>lf console</h1>
    <p>This server needs an API key (one of <code>server.api_keys</code>). It is kept in this tab only.</p>
    <input id="api-key" type="password" autocomplete="off" placeholder="API key" value=${value} onInput=${(e) => setValue(e.target.value)} autofocus />
    <button type="submit">Open</button>
    ${refused && html`<p class="error" role="alert">${refused}</p>`}
  </form>`;
}

function Shell({ projects }) {
  const [view, setView] = useState(currentView());
  const store = useStore();
  useEffect(() => {
    const update = () => setView(currentView());
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  const View = view.view;
  return html`<div class="shell">
    <nav>
      <span class="brand">lf</span>
      ${VIEWS.map((v) => html`<a href=${`/console/${v.path}`} class=${v === view ? "active" : ""} onClick=${(e) => go(e, v.path)}>${v.title}</a>`)}
      <span class=${`connection ${store.connection}`} title="events stream">${store.connection}</span>
    </nav>
    <main><${View} projects=${projects} /></main>
  </div>`;
}

function App() {
  const [phase, setPhase] = useState({ name: "loading" });
  const open = async () => {
    try {
      const list = await getJson("/v1/projects");
      setPhase({ name: "open", projects: list.data });
      startEvents();
    } catch (error) {
      if (error instanceof KeyRefused) setPhase({ name: "key", refused: storedKey() ? "That key was refused: " + error.message : undefined });
      else setPhase({ name: "error", message: error.message });
    }
  };
  useEffect(() => void open(), []);
  if (phase.name === "loading") return html`<p class="muted">Loading…</p>`;
  if (phase.name === "error") return html`<p class="error">${phase.message}</p>`;
  if (phase.name === "key") return html`<${KeyPrompt} refused=${phase.refused} onKey=${(key) => (setKey(key), void open())} />`;
  return html`<${Shell} projects=${phase.projects} />`;
}

render(html`<${App} />`, document.getElementById("app"));
