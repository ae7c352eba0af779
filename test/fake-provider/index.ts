export { startFakeProvider, type FakeProvider, type FakeProviderOptions } from "./server.js";
export { ANY_MODEL } from "./script-book.js";
export { makeStamp, readStamps, stampAgesMs, stampNow, stripStamps, type Stamp, type StampClock } from "./stamp.js";
export type { FakeFault, FakeFinishReason, FakeReply, FakeToolCall, FakeUsage, RecordedRequest, Reply, ReplySource, WireFormat } from "./reply-spec.js";
