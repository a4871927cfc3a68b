// The official MCP, A2A and AG-UI clients, each with a call open on a held run when their token is revoked: each ends
// with the protocol's own error, and the runs go on. The token given is the server's organization token; the clients
// use a user token made and revoked with it. The test server holds LLM answers about "node-hold".
import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { HttpAgent } from "@ag-ui/client";
import { args, check, run, runs, scenarios, until } from "./common.mjs";

const { base, token: org } = args();
const created = await fetch(`${base}/api/tokens`, {
  method: "POST",
  headers: { Authorization: `Bearer ${org}`, "Content-Type": "application/json" },
  body: JSON.stringify({ kind: "user", user_id: `revoked-${randomUUID()}` }),
});
check(created.status === 201, `POST /api/tokens answered ${created.status}`);
const { token, info } = await created.json();

// Each call settles with what ended it: an error thrown, or the events seen.
async function mcpCall() {
  const client = new Client({ name: "muster-revoke-test", version: "1.0.0" });
  // After the revocation the client may try to reopen its session stream and be refused: that is expected here.
  client.onerror = () => {};
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  }));
  return client.callTool({ name: "research", arguments: { topic: "node-hold revoked mcp" } }, undefined, { timeout: 300_000 })
    .then((result) => ({ result }), (error) => ({ error }));
}

async function a2aStream() {
  const fetchImpl = (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return fetch(url, { ...init, headers });
  };
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
  }));
  const card = await new DefaultAgentCardResolver({ fetchImpl }).resolve(`${base}/crews/research/.well-known/agent-card.json`, "");
  const client = await factory.createFromAgentCard(card);
  const seen = [];
  try {
    for await (const event of client.sendMessageStream({
      message: { messageId: randomUUID(), role: 1, parts: [{ content: { $case: "data", value: { topic: "node-hold revoked a2a" } } }], taskId: "", contextId: "" },
    })) {
      seen.push(event.payload.$case);
    }
    return { seen };
  } catch (error) {
    return { seen, error };
  }
}

async function agUiRun() {
  const seen = { types: [] };
  const agent = new HttpAgent({ url: `${base}/crews/research/agui`, headers: { Authorization: `Bearer ${token}` }, threadId: randomUUID() });
  try {
    await agent.runAgent({ forwardedProps: { inputs: { topic: "node-hold revoked agui" } } }, {
      onEvent: ({ event }) => { seen.types.push(event.type); },
      onRunErrorEvent: ({ event }) => { seen.error = event; },
    });
  } catch (error) {
    seen.thrown = error;
  }
  return seen;
}

await scenarios([
  ["revoking the token ends the MCP, A2A and AG-UI clients' calls with their protocols' errors; the runs go on", async () => {
    const mcp = mcpCall();
    const a2a = a2aStream();
    const agUi = agUiRun();
    const topics = ["node-hold revoked mcp", "node-hold revoked a2a", "node-hold revoked agui"];
    const held = await until(
      async () => (await runs(base, org)).filter((r) => topics.includes(r.task_input?.topic) && r.status === "running"),
      (found) => found.length === 3,
      "the three runs never all started");

    const revoked = await fetch(`${base}/api/tokens/${info.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${org}` } });
    check(revoked.status === 204, `DELETE /api/tokens answered ${revoked.status}`);

    const mcpEnd = await mcp;
    check(mcpEnd.error?.code === -32600 && mcpEnd.error.message.includes("revoked"), `mcp: ${mcpEnd.error ?? JSON.stringify(mcpEnd.result)}`);
    const a2aEnd = await a2a;
    check(a2aEnd.error?.message.includes("revoked") && a2aEnd.error.message.includes("-32600"), `a2a: ${a2aEnd.error} after ${a2aEnd.seen}`);
    const agUiEnd = await agUi;
    check(agUiEnd.error?.code === "TOKEN_REVOKED" && agUiEnd.types.at(-1) === "RUN_ERROR", `ag-ui: ${JSON.stringify(agUiEnd.error)} ${agUiEnd.types}`);
    for (const record of held) {
      check((await run(base, org, record.id)).status === "running", `run ${record.id} did not go on`);
    }
    const again = await fetch(`${base}/crews/research/a2a`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    check(again.status === 401, `a request with the revoked token answered ${again.status}`);
  }],
]);
