#!/usr/bin/env node
// The example's `database` MCP server: the shop in data/shop.sql, in memory, over streamable HTTP on
// 127.0.0.1 (PORT, default 8080, path /mcp). Tools: list_tables and query (read-only SELECTs), and
// execute (writes), which the project's data-analyst model is not allowed to use.
// With DATABASE_MCP_TOKEN set, a request must carry it as `Authorization: Bearer <token>`.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const db = new Database(":memory:");
db.exec(readFileSync(fileURLToPath(new URL("data/shop.sql", import.meta.url)), "utf8"));
const token = process.env.DATABASE_MCP_TOKEN ?? "";
const port = Number(process.env.PORT ?? 8080);

const sql = { type: "object", properties: { sql: { type: "string", description: "One SQL statement" } }, required: ["sql"] };
const TOOLS = [
  { name: "list_tables", description: "The tables and their columns.", inputSchema: { type: "object", properties: {} } },
  { name: "query", description: "Run one read-only SELECT and return its rows as JSON.", inputSchema: sql },
  { name: "execute", description: "Run one statement that changes data (INSERT, UPDATE, DELETE).", inputSchema: sql },
];

function run(name, args) {
  if (name === "list_tables") {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    return tables.map(({ name: table }) => ({ table, columns: db.prepare(`PRAGMA table_info(${table})`).all().map((c) => `${c.name} ${c.type}`) }));
  }
  const statement = db.prepare(String(args?.sql ?? ""));
  if (name === "query") {
    if (!statement.readonly) throw new Error("query runs read-only statements only; use execute to change data");
    return statement.all();
  }
  if (name === "execute") return { changes: statement.run().changes };
  throw new Error(`no tool ${name}`);
}

function mcpServer() {
  const server = new Server({ name: "shop-database", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, ({ params }) => {
    try {
      return { content: [{ type: "text", text: JSON.stringify(run(params.name, params.arguments), null, 2) }] };
    } catch (error) {
      return { isError: true, content: [{ type: "text", text: error.message }] };
    }
  });
  return server;
}

const http = createServer(async (req, res) => {
  if (new URL(req.url ?? "/", "http://x").pathname !== "/mcp") return void res.writeHead(404).end();
  if (token !== "" && req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
  // Stateless: one server and transport per request, nothing kept between them but the database.
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => void transport.close().then(() => server.close()));
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
http.listen(port, "127.0.0.1", () => console.log(`shop database MCP server on http://127.0.0.1:${http.address().port}/mcp`));
const stop = () => http.close(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
