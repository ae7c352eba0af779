import type { ChatWire } from "../wires/chat-wire.js";
import { openAIChatWire } from "../wires/openai-chat/index.js";
import type { ChatScope } from "./chat-target.js";

/** A chat route: matched once, before any framework, for every client dialect and both route forms. */
interface ChatRoute {
  pattern: RegExp;
  wire: ChatWire;
  /** The project of a project-scoped path; none for the root form. */
  scope(match: RegExpExecArray): ChatScope;
}

const projectScope = (match: RegExpExecArray): ChatScope => ({ kind: "project", namespace: decodeURIComponent(match[1]!), project: decodeURIComponent(match[2]!) });
const globalScope = (): ChatScope => ({ kind: "global" });
const END = "\\/?(?:\\?|$)";
const PROJECT = "^\\/v1\\/projects\\/([^/?#]+)\\/([^/?#]+)";

/** Paths are matched case-insensitively, as express matches the other routes. */
const CHAT_ROUTES: readonly ChatRoute[] = [
  { pattern: new RegExp(`${PROJECT}\\/chat\\/completions${END}`, "i"), wire: openAIChatWire, scope: projectScope },
  { pattern: new RegExp(`^\\/v1\\/chat\\/completions${END}`, "i"), wire: openAIChatWire, scope: globalScope },
];

/** The chat route a POST to `url` is for, if any. */
export function matchChatRoute(url: string): { wire: ChatWire; scope: ChatScope } | undefined {
  for (const route of CHAT_ROUTES) {
    const match = route.pattern.exec(url);
    if (match !== null) return { wire: route.wire, scope: route.scope(match) };
  }
  return undefined;
}
