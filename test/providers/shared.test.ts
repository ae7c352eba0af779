import { describe, expect, it } from "vitest";
import { parseDataUrl } from "../../runtime/providers/shared/data-url.js";
import { errorCode } from "../../runtime/providers/shared/error-code.js";
import { responseHeaders } from "../../runtime/providers/shared/response-headers.js";
import { safeUrl } from "../../runtime/providers/shared/safe-url.js";
import { maskHeaders, maskSecret, redactSecrets } from "../../runtime/providers/shared/secrets.js";

describe("provider helpers", () => {
  it("removes credentials from URLs, and masks credential-like query values", () => {
    expect(safeUrl("https://user:pass@gateway.example.com/v1/chat/completions")).toBe("https://gateway.example.com/v1/chat/completions");
    expect(safeUrl("https://x.example.com/v1?api-version=2024&key=abc")).toBe("https://x.example.com/v1?api-version=2024&key=****");
    expect(safeUrl("http://127.0.0.1:11434")).toBe("http://127.0.0.1:11434");
  });

  it("masks keys in headers and messages", () => {
    expect(maskSecret("sk-0123456789abcdef")).toBe("sk-…****");
    expect(maskSecret("short")).toBe("****");
    expect(maskHeaders({ authorization: "Bearer sk-0123456789abcdef", "api-key": "azure-0123456789", "x-team": "lf" })).toEqual({
      authorization: "Bearer sk-…****",
      "api-key": "azu…****",
      "x-team": "lf",
    });
    expect(redactSecrets("bad key sk-0123456789abcdef given", ["sk-0123456789abcdef", undefined])).toBe("bad key sk-…**** given");
  });

  it("lower-cases response headers, drops cookies and derives retry-after from retry-after-ms", () => {
    const headers = new Headers({ "Retry-After-Ms": "1500", "Set-Cookie": "session=secret", "X-Request-Id": "req_1" });
    expect(responseHeaders(headers)).toEqual({ "retry-after-ms": "1500", "retry-after": "1.5", "x-request-id": "req_1" });
    expect(responseHeaders({ "Retry-After": "2" })).toEqual({ "retry-after": "2" });
  });

  it("parses data URLs and finds error codes deep in a cause chain", () => {
    expect(parseDataUrl("data:image/png;base64,iVBO Rw0K")).toEqual({ mediaType: "image/png", base64: "iVBORw0K" });
    expect(parseDataUrl("https://example.com/a.png")).toBeUndefined();
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(errorCode(new TypeError("fetch failed", { cause: new AggregateError([refused]) }))).toBe("ECONNREFUSED");
  });
});
