import { describe, expect, it } from "vitest";
import { namespaceTools, TOOL_NAME_PATTERN, type ToolAddress } from "../../runtime/tools/index.js";

const namesOf = (addresses: ToolAddress[]) => [...namespaceTools(addresses)].map(([name, a]) => [name, `${a.server}/${a.tool}`]).sort();

describe("namespaceTools", () => {
  it("names a tool server__tool", () => {
    expect(namesOf([{ server: "github", tool: "create_issue" }])).toEqual([["github__create_issue", "github/create_issue"]]);
  });

  it("replaces characters providers reject", () => {
    const names = namespaceTools([{ server: "my.server", tool: "get weather/now" }]);
    expect([...names.keys()]).toEqual(["my_server__get_weather_now"]);
  });

  it("keeps a valid plain name for its owner when a sanitised name would collide with it", () => {
    const pairs = [
      { server: "a.b", tool: "x" },
      { server: "a_b", tool: "x" },
    ];
    const names = namespaceTools(pairs);
    expect(names.get("a_b__x")).toEqual({ server: "a_b", tool: "x" });
    const other = [...names].find(([, a]) => a.server === "a.b")?.[0];
    expect(other).toMatch(/^a_b__x_[0-9a-f]{8}$/);
    // The same names whatever order the pairs arrive in.
    expect(namesOf([...pairs].reverse())).toEqual(namesOf(pairs));
  });

  it("tells apart pairs that only differ by where the separator falls", () => {
    const names = namespaceTools([
      { server: "a__b", tool: "c" },
      { server: "a", tool: "b__c" },
    ]);
    expect(names.size).toBe(2);
    expect(names.get("a__b__c")).toEqual({ server: "a", tool: "b__c" });
    expect([...names.keys()].find((k) => k !== "a__b__c")).toMatch(/^a__b__c_[0-9a-f]{8}$/);
  });

  it("clips over-long names with a hash, staying valid and distinct", () => {
    const long = "x".repeat(80);
    const names = namespaceTools([
      { server: "srv", tool: `${long}1` },
      { server: "srv", tool: `${long}2` },
    ]);
    const keys = [...names.keys()];
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    for (const key of keys) {
      expect(key).toMatch(TOOL_NAME_PATTERN);
      expect(key).toHaveLength(64);
    }
    expect(namespaceTools([{ server: "srv", tool: `${long}1` }]).keys().next().value).toBe(
      [...names].find(([, a]) => a.tool === `${long}1`)?.[0],
    );
  });

  it("lists a pair given twice once", () => {
    expect(namespaceTools([{ server: "s", tool: "t" }, { server: "s", tool: "t" }]).size).toBe(1);
  });
});
