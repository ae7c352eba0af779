import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { startTestServer, tempDir, writeProject, type TestServer } from "../server/support.js";
import { consoleProject, launchBrowser, pageWeight } from "./browser.js";

const SHOTS = "docs/console";
const DOC = "docs/console.md";
/** What the issue asks of the page: loaded in under 300 ms from loopback, under 300 KB compressed. */
const LOAD_BUDGET_MS = 300;
const WEIGHT_BUDGET = 300 * 1024;

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  if ((await page.locator("nav .connection").count()) > 0) await page.locator("nav .connection.live").waitFor();
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

describe("the web console in a real browser", () => {
  let fake: FakeProvider;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    fake = await startFakeProvider();
    const file = await writeProject(tempDir("lf-console-"), consoleProject(fake.url));
    server = await startTestServer([file], { level: "warn" });
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  it("overview lists the fake provider's models and turns one red within 2 s of its upstream failing", async () => {
    await server.client("acme/shop").chat.completions.create({ model: "fast", messages: [{ role: "user", content: "warm up" }] });
    await page.goto(`${server.url}/`);
    for (const model of ["fast", "steady", "chain", "picker"]) await page.locator(`tr[data-model="${model}"]`).waitFor();
    expect(await page.locator('tr[data-model="fast"]').getAttribute("data-health")).toBe("up");
    expect(await page.locator('tr[data-model="fast"]').innerText()).toContain("gpt-fast");

    fake.always("gpt-fast", { fault: "status", status: 500, message: "the fast upstream is down" });
    await expect(server.client("acme/shop").chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] })).rejects.toThrow();
    await page.locator('tr[data-model="fast"][data-health="down"]').waitFor({ timeout: 2_000 });
    expect(await page.locator('tr[data-model="fast"] .why').innerText()).toContain("HTTP 500");
    // A second failure opens its circuit (failure_threshold 2): the overview counts down to half-open.
    await expect(server.client("acme/shop").chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] })).rejects.toThrow();
    await page.locator('tr[data-model="fast"] td.circuit:has-text("half-open in")').waitFor({ timeout: 2_000 });
    await shot(page, "overview");
    fake.clear("gpt-fast");
  });

  it("requests tail shows a request of the official openai client with its fallback attempts", async () => {
    await page.goto(`${server.url}/console/requests`);
    await page.locator("table.request-list").waitFor();
    fake.always("gpt-chain", { fault: "status", status: 503, message: "chain is overloaded" });
    const answer = await server.client("acme/shop").chat.completions.create({ model: "chain", messages: [{ role: "user", content: "where is my order?" }] });
    expect(answer.choices[0]!.message.content).toBeTruthy();
    // Live: the row arrives over the events stream, with no reload.
    const row = page.locator('tr.request:has-text("chain")').first();
    await row.waitFor({ timeout: 5_000 });
    expect(await row.locator(".pill.failed").innerText()).toBe("chain");
    expect(await row.locator(".pill.success").innerText()).toBe("steady");
    await shot(page, "requests");
    await row.click();
    const detail = page.locator("aside.detail");
    await detail.waitFor();
    expect(await detail.locator("tr.attempt.failed").innerText()).toContain("503");
    expect(await detail.locator("tr.attempt.success").innerText()).toContain("steady");
    await detail.locator(".route-explanation").waitFor();
    expect(await detail.locator(".route-explanation").innerText()).toContain("steady");
    await shot(page, "request-detail");
    fake.clear("gpt-chain");
  });

  it("usage charts draw after known traffic", async () => {
    for (let i = 0; i < 3; i++) await server.client("acme/shop").chat.completions.create({ model: "steady", messages: [{ role: "user", content: `order ${i}` }] });
    await page.goto(`${server.url}/console/usage`);
    const cost = page.locator('[data-chart="cost"]');
    await cost.locator("canvas").waitFor({ timeout: 10_000 });
    expect(await cost.locator(".u-legend").innerText()).toContain("steady");
    // The canvas has been drawn on: some pixels are not blank.
    // These functions run in the page; the test's own types have no DOM, hence the `any`.
    const inked = await cost.locator("canvas").evaluate((canvas: any) => {
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
      return count;
    });
    expect(inked).toBeGreaterThan(100);
    for (const name of ["tokens", "latency", "fallbacks"]) await page.locator(`[data-chart="${name}"] canvas`).waitFor();
    expect(await page.locator("table.usage-table").innerText()).toContain("steady");
    await shot(page, "usage");
  });

  it("playground shows the route explanation before sending, then streams the answer", async () => {
    await page.goto(`${server.url}/console/playground`);
    await page.locator('select[name="model"] option[value="picker"]').waitFor({ state: "attached" });
    await page.selectOption('select[name="model"]', "picker");
    await page.fill('textarea[name="message"]', "Which shoes fit a marathon?");
    const why = page.locator(".why-model .route-explanation");
    await why.waitFor();
    expect(await why.innerText()).toContain("simple-shuffle");
    expect(await fake.requests.length).toBeGreaterThan(0);
    const before = fake.requests.length;

    const words = ["Light", " shoes", " with", " good", " cushioning", " and", " room", " for", " swelling."];
    fake.always("gpt-fast", { text: words, chunkDelayMs: 120 });
    fake.always("gpt-steady", { text: words, chunkDelayMs: 120 });
    await page.click('button[type="submit"]');
    // Part of the answer shows while the rest is still on its way.
    await page.waitForFunction(() => {
      const text: string = (globalThis as any).document.querySelector(".message.streaming .answer")?.textContent ?? "";
      return text.length > 0 && !text.includes("swelling");
    });
    await page.locator('.message.assistant:not(.streaming):has-text("swelling")').waitFor();
    expect(await page.locator(".answered-by").innerText()).toMatch(/answered by (fast|steady)/);
    expect(fake.requests.length).toBe(before + 1);
    await shot(page, "playground");
    fake.clear();
  });

  it("config shows the file as loaded and the last reload", async () => {
    await page.goto(`${server.url}/console/config`);
    await page.locator("pre.file").waitFor();
    expect(await page.locator("pre.file").innerText()).toContain("name: shop");
    expect(await page.locator(".reload").innerText()).toContain("accepted");
    await shot(page, "config");
  });

  // The load time is measured and recorded, not asserted: a wall-clock bound flakes on a loaded machine.
  it("weighs under 300 KB compressed; its load time from loopback and its weight go to docs/console.md", async () => {
    const fresh = await browser.newPage();
    const loads: number[] = [];
    const shown: number[] = [];
    for (let i = 0; i < 5; i++) {
      await fresh.goto(`${server.url}/`, { waitUntil: "load" });
      await fresh.locator('tr[data-model="fast"]').waitFor();
      const timing = await fresh.evaluate(() => {
        const perf = (globalThis as any).performance;
        const nav = perf.getEntriesByType("navigation")[0];
        return { load: nav.loadEventEnd - nav.startTime, shown: perf.getEntriesByName("lf:models-shown")[0]?.startTime ?? Number.NaN } as { load: number; shown: number };
      });
      loads.push(timing.load);
      shown.push(timing.shown);
    }
    await fresh.close();
    const middle = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const median = middle(loads);
    const weight = pageWeight();
    expect(median).toBeGreaterThan(0);
    expect(weight.gzip).toBeLessThan(WEIGHT_BUDGET);
    const figures = [
      "<!-- figures: written by test/console/console.test.ts -->",
      `Page load from loopback (navigation start to the load event, median of 5 in headless Chromium): **${median.toFixed(0)} ms** (budget ${LOAD_BUDGET_MS} ms); the models on screen, the events stream's snapshot drawn: ${middle(shown).toFixed(0)} ms.`,
      "",
      `Page weight, gzipped as served: **${(weight.gzip / 1024).toFixed(1)} KB** (budget 300 KB):`,
      "",
      "| file | bytes | gzip |",
      "|---|---:|---:|",
      ...weight.files.map((f) => `| ${f.file.replace(/-[A-Z0-9]{8}\./, ".")} | ${f.bytes} | ${f.gzip} |`),
      "<!-- /figures -->",
    ].join("\n");
    const doc = readFileSync(DOC, "utf8");
    writeFileSync(DOC, doc.replace(/<!-- figures[\s\S]*?<!-- \/figures -->/, figures));
  });
});

describe("the web console with API keys", () => {
  let fake: FakeProvider;
  let server: TestServer;
  let browser: Browser;
  const KEY = "lf-console-key-0001";

  beforeAll(async () => {
    browser = await launchBrowser();
    fake = await startFakeProvider();
    const file = await writeProject(tempDir("lf-console-keys-"), consoleProject(fake.url, `  api_keys: [${KEY}]\n`));
    server = await startTestServer([file], { level: "warn" });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  it("asks for a key, refuses a wrong one, and opens with the right one (events stream included)", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/`);
    await page.locator("#api-key").waitFor();
    await shot(page, "key-prompt");
    await page.fill("#api-key", "not-the-key-at-all");
    await page.click('button[type="submit"]');
    expect(await page.locator('[role="alert"]').innerText()).toContain("refused");
    await page.fill("#api-key", KEY);
    await page.click('button[type="submit"]');
    await page.locator('tr[data-model="fast"]').waitFor();
    await page.locator(".connection.live").waitFor();
    await page.close();
  });
});
