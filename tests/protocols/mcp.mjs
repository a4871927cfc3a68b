// Drives Muster's MCP server with the official TypeScript SDK's Streamable HTTP client.
// The test server holds LLM answers about "node-hold" and fails any run that mentions "explode-please".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { args, check, run, runs, scenarios, until } from "./common.mjs";

const { base, token } = args();
const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "muster-protocol-test", version: "1.0.0" });
await client.connect(transport);
const long = { timeout: 300_000, resetTimeoutOnProgress: true };
const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("");

await scenarios([
  ["mcp lists the crews as tools", async () => {
    const { tools } = await client.listTools();
    const research = tools.find((t) => t.name === "research");
    check(research, `no research tool in ${JSON.stringify(tools.map((t) => t.name))}`);
    check(JSON.stringify(research.inputSchema.required) === '["topic"]', `research's schema: ${JSON.stringify(research.inputSchema)}`);
  }],
  ["mcp completes a run", async () => {
    const progress = [];
    const result = await client.callTool({ name: "research", arguments: { topic: "tidal energy" } }, undefined, { ...long, onprogress: (p) => progress.push(p) });
    check(!result.isError, `isError: ${text(result)}`);
    check(text(result).length > 0, "no output");
    check(progress.length === 2, `progress: ${JSON.stringify(progress)}`);
    const record = (await runs(base, token)).find((r) => r.protocol === "mcp" && r.task_input.topic === "tidal energy");
    check(record?.status === "completed", `run record: ${JSON.stringify(record)}`);
  }],
  ["mcp sees a failed run fail", async () => {
    const result = await client.callTool({ name: "research", arguments: { topic: "explode-please" } }, undefined, long);
    check(result.isError === true, `not an error: ${text(result)}`);
  }],
  ["mcp stops a run by cancelling the call", async () => {
    const abort = new AbortController();
    const call = client.callTool({ name: "research", arguments: { topic: "node-hold mcp" } }, undefined, { ...long, signal: abort.signal });
    const running = await until(
      async () => (await runs(base, token)).find((r) => r.task_input.topic === "node-hold mcp"),
      (r) => r?.status === "running",
      "the run never started");
    abort.abort("the user changed their mind");
    await call.then(() => { throw new Error("the call answered after it was cancelled"); }, () => {});
    const stopped = await until(() => run(base, token, running.id), (r) => r.status === "failed", "the run was never stopped");
    check(stopped.error.includes("Stopped by"), `error: ${stopped.error}`);
  }],
  ["mcp goes through a human review (reject with feedback, then approve)", async () => {
    const paused = await client.callTool({ name: "support", arguments: { question: "How do I reset my password?" } }, undefined, long);
    check(!paused.isError && paused.structuredContent?.status === "awaiting_human", `not paused: ${text(paused)}`);
    const runId = paused.structuredContent.run_id;
    check(paused.structuredContent.task_id === "draft_reply", `task: ${paused.structuredContent.task_id}`);
    const again = await client.callTool({ name: "resume_run", arguments: { run_id: runId, approve: false, feedback: "Mention the self-service page." } }, undefined, long);
    check(again.structuredContent?.status === "awaiting_human", `not paused again: ${text(again)}`);
    const done = await client.callTool({ name: "resume_run", arguments: { run_id: runId, approve: true } }, undefined, long);
    check(!done.isError, `isError: ${text(done)}`);
    check((await run(base, token, runId)).status === "completed", "the run did not complete");
  }],
]);
