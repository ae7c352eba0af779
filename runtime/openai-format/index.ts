export { toOpenAIFinishReason, type OpenAIFinishReason } from "./finish-reason.js";
export { toChatCompletion, type CompletionIdentity } from "./to-chat-completion.js";
