import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, postJson, streamChat } from "../api.js";
import { html } from "../html.js";
import { RouteExplanation } from "./route-explanation.js";

/** Tool-call deltas folded into whole calls, by index, as they stream. */
function foldToolCalls(calls, deltas) {
  const next = [...calls];
  for (const d of deltas) {
    const i = d.index ?? 0;
    const call = next[i] ?? { name: "", arguments: "" };
    next[i] = { name: call.name + (d.function?.name ?? ""), arguments: call.arguments + (d.function?.arguments ?? "") };
  }
  return next;
}

export function Playground({ projects }) {
  const [project, setProject] = useState(projects[0]?.id ?? "");
  const [models, setModels] = useState([]);
  const [model, setModel] = useState("");
  const [turns, setTurns] = useState([]);
  const [draft, setDraft] = useState("");
  const [route, setRoute] = useState(undefined);
  const [answer, setAnswer] = useState(undefined);
  const [error, setError] = useState(undefined);
  const abort = useRef(undefined);

  useEffect(() => {
    if (!project) return;
    getJson(`/v1/projects/${project}/models`).then((list) => {
      setModels(list.data);
      setModel((list.data.find((m) => m.default) ?? list.data[0])?.id ?? "");
    }, (e) => setError(e.message));
  }, [project]);

  const conversation = () => [...turns, ...(draft.trim() ? [{ role: "user", content: draft }] : [])];
  // "Why this model", before anything is sent: the route explanation of the conversation as typed.
  useEffect(() => {
    const messages = conversation();
    if (!model || messages.length === 0) return setRoute(undefined);
    const timer = setTimeout(() => {
      postJson(`/v1/projects/${project}/route`, { model, messages }).then(setRoute, (e) => setRoute({ error: e.message }));
    }, 250);
    return () => clearTimeout(timer);
  }, [project, model, draft, turns]);

  const send = async (event) => {
    event.preventDefault();
    const messages = conversation();
    if (messages.length === 0) return;
    abort.current?.abort();
    abort.current = new AbortController();
    setError(undefined);
    setTurns(messages);
    setDraft("");
    let current = { text: "", toolCalls: [], model: undefined, done: false };
    setAnswer(current);
    try {
      const answered = await streamChat(project, { model, messages }, (delta) => {
        current = {
          ...current,
          text: current.text + (delta.content ?? ""),
          toolCalls: delta.tool_calls ? foldToolCalls(current.toolCalls, delta.tool_calls) : current.toolCalls,
        };
        setAnswer(current);
      }, abort.current.signal);
      current = { ...current, model: answered.model, attempts: answered.attempts, done: true };
      setAnswer(current);
      setTurns([...messages, { role: "assistant", content: current.text }]);
    } catch (e) {
      setError(e.message);
      setAnswer({ ...current, done: true });
    }
  };

  return html`<section class="playground">
    <form onSubmit=${send}>
      <div class="filters">
        <select name="project" onChange=${(e) => setProject(e.target.value)}>${projects.map((p) => html`<option value=${p.id} selected=${p.id === project}>${p.id}</option>`)}</select>
        <select name="model" onChange=${(e) => setModel(e.target.value)}>${models.map((m) => html`<option value=${m.id} selected=${m.id === model}>${m.id}${m.router ? ` (router: ${m.router})` : ""}</option>`)}</select>
        <button type="button" onClick=${() => (setTurns([]), setAnswer(undefined))}>New conversation</button>
      </div>
      <div class="conversation">
        ${turns.map((t) => html`<div class=${`message ${t.role}`}><b>${t.role}</b> ${t.content}</div>`)}
        ${answer && !answer.done && html`<div class="message assistant streaming"><b>assistant</b> <span class="answer">${answer.text}</span></div>`}
      </div>
      ${answer && html`<div class="answer-meta">
        ${answer.toolCalls.length > 0 && html`<ul class="tools">${answer.toolCalls.map((c) => html`<li>tool call <code>${c.name}</code> <code>${c.arguments}</code></li>`)}</ul>`}
        ${answer.done && answer.model && html`<p class="muted small answered-by">answered by <strong>${answer.model}</strong> after ${answer.attempts} call(s)</p>`}
      </div>`}
      <textarea name="message" rows="3" placeholder="Type a message" value=${draft} onInput=${(e) => setDraft(e.target.value)}></textarea>
      <button type="submit" disabled=${!model}>Send</button>
    </form>
    ${error && html`<p class="error">${error}</p>`}
    <div class="why-model">
      <h3>Why this model</h3>
      ${!route && html`<p class="muted">Type a message to see where it would go.</p>`}
      ${route?.error && html`<p class="error">${route.error}</p>`}
      ${route && !route.error && html`<${RouteExplanation} report=${route} />`}
    </div>
  </section>`;
}
