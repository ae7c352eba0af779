import type { ChatWire } from "../wires/chat-wire.js";
import { anthropicMessagesWire } from "../wires/anthropic-messages/index.js";
import { openAIChatWire } from "../wires/openai-chat/index.js";
import { openAIResponsesWire } from "../wires/openai-responses/index.js";
import type { ChatScope } from "./chat-target.js";

/**
 * What a route serves: a chat wire enters the chat pipeline; embeddings enter their own, and `wire`
 * is then only the shape their errors are written in.
 */
export type RouteEndpoint = { kind: "chat"; wire: ChatWire } | { kind: "embeddings"; wire: ChatWire };

/** A model route: matched once, before any framework, for every client dialect and both route forms. */
interface ChatRoute {
  pattern: RegExp;
  endpoint: RouteEndpoint;
  /** The project of a project-scoped path; none for the root form. */
  scope(match: RegExpExecArray): ChatScope;
}

const projectScope = (match: RegExpExecArray): ChatScope => ({ kind: "project", namespace: decodeURIComponent(match[1]!), project: decodeURIComponent(match[2]!) });
const globalScope = (): ChatScope => ({ kind: "global" });
const END = "\\/?(?:\\?|$)";
const PROJECT = "^\\/v1\\/projects\\/([^/?#]+)\\/([^/?#]+)";

const CHAT: RouteEndpoint = { kind: "chat", wire: openAIChatWire };
const MESSAGES: RouteEndpoint = { kind: "chat", wire: anthropicMessagesWire };
const EMBEDDINGS: RouteEndpoint = { kind: "embeddings", wire: openAIChatWire };
const RESPONSES: RouteEndpoint = { kind: "chat", wire: openAIResponsesWire };

/**
 * Paths are matched case-insensitively, as express matches the other routes. Anthropic's SDK appends
 * `/v1/messages` to its base URL, so the project form takes `/v1/projects/{ns}/{p}/v1/messages` too.
 */
const CHAT_ROUTES: readonly ChatRoute[] = [
  { pattern: new RegExp(`${PROJECT}\\/chat\\/completions${END}`, "i"), endpoint: CHAT, scope: projectScope },
  { pattern: new RegExp(`^\\/v1\\/chat\\/completions${END}`, "i"), endpoint: CHAT, scope: globalScope },
  { pattern: new RegExp(`${PROJECT}(?:\\/v1)?\\/messages${END}`, "i"), endpoint: MESSAGES, scope: projectScope },
  { pattern: new RegExp(`^\\/v1\\/messages${END}`, "i"), endpoint: MESSAGES, scope: globalScope },
  { pattern: new RegExp(`${PROJECT}(?:\\/v1)?\\/embeddings${END}`, "i"), endpoint: EMBEDDINGS, scope: projectScope },
  { pattern: new RegExp(`^\\/v1\\/embeddings${END}`, "i"), endpoint: EMBEDDINGS, scope: globalScope },
  { pattern: new RegExp(`${PROJECT}(?:\\/v1)?\\/responses${END}`, "i"), endpoint: RESPONSES, scope: projectScope },
  { pattern: new RegExp(`^\\/v1\\/responses${END}`, "i"), endpoint: RESPONSES, scope: globalScope },
];

/** The model route a POST to `url` is for, if any. */
export function matchChatRoute(url: string): { endpoint: RouteEndpoint; scope: ChatScope } | undefined {
  for (const route of CHAT_ROUTES) {
    const match = route.pattern.exec(url);
    if (match !== null) return { endpoint: route.endpoint, scope: route.scope(match) };
  }
  return undefined;
}
