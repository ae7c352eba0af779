/**
 * A fake LLM provider over real HTTP, speaking the OpenAI, Ollama and Anthropic wire formats:
 *
 *   const fake = await startFakeProvider();
 *   fake.script("gpt-a", { toolCalls: [{ name: "lookup", arguments: { q: "x" } }] }, "done");
 *   fake.always("gpt-b", { fault: "status", status: 429, headers: { "retry-after": "2" } });
 *   ... point a client at fake.url, then assert on fake.requests ...
 *   await fake.close();
 */
export { startFakeProvider, type FakeProvider, type FakeProviderOptions } from "./server.js";
export { ANY_MODEL } from "./script-book.js";
export { makeStamp, readStamps, stampAgesMs, stampNow, stripStamps, type Stamp, type StampClock } from "./stamp.js";
export type { FakeFault, FakeFinishReason, FakeReply, FakeToolCall, FakeUsage, RecordedRequest, Reply, ReplySource, WireFormat } from "./reply-spec.js";
