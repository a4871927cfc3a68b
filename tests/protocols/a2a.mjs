// Drives Muster's A2A endpoint with @a2a-js/sdk: its v1.0 JSON-RPC client, found through the crew's agent card, and
// its v0.3 compatibility transport. The test server holds LLM answers about "node-hold" and fails runs about "explode-please".
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { LegacyJsonRpcTransport } from "@a2a-js/sdk/compat/v0_3/client";
import { args, check, run, runs, scenarios, until } from "./common.mjs";

const { base, token } = args();
const fetchImpl = (url, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return fetch(url, { ...init, headers });
};
const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
  transports: [new JsonRpcTransportFactory({ fetchImpl })],
  cardResolver: undefined,
}));
const cardOptions = { fetchImpl };
const { DefaultAgentCardResolver } = await import("@a2a-js/sdk/client");
const resolver = new DefaultAgentCardResolver(cardOptions);
const cardOf = (crew) => resolver.resolve(`${base}/crews/${crew}/.well-known/agent-card.json`, "");
const research = await factory.createFromAgentCard(await cardOf("research"));
const support = await factory.createFromAgentCard(await cardOf("support"));

const COMPLETED = 3, FAILED = 4, CANCELED = 5, INPUT_REQUIRED = 6;
const message = (parts, taskId) => ({ message: { messageId: randomUUID(), role: 1, parts, taskId: taskId ?? "", contextId: "" } });
const data = (value) => ({ content: { $case: "data", value } });
const text = (value) => ({ content: { $case: "text", value } });
const texts = (parts) => (parts ?? []).filter((p) => p.content?.$case === "text").map((p) => p.content.value).join("");

await scenarios([
  ["a2a reads the agent cards", async () => {
    const card = await cardOf("research");
    check(card.name === "research", `name: ${card.name}`);
    check(card.capabilities.streaming === true, "no streaming");
    check(card.capabilities.pushNotifications === true, "no push notifications");
    check(card.supportedInterfaces.some((i) => i.protocolVersion === "0.3"), "no v0.3 interface");
    check(card.skills.map((s) => s.id).join() === "research_task,report_task", `skills: ${card.skills.map((s) => s.id)}`);
    const root = await resolver.resolve(base);
    check(root.name === "research", `default card: ${root.name}`);
  }],
  ["a2a completes a run", async () => {
    const task = await research.sendMessage(message([data({ topic: "tidal energy" })]));
    check(task.status.state === COMPLETED, `state ${task.status.state}: ${texts(task.status.message?.parts)}`);
    check(texts(task.artifacts[0].parts).length > 0, "no output artifact");
    const record = await run(base, token, task.id);
    check(record.protocol === "a2a" && record.status === "completed", `record: ${JSON.stringify(record)}`);
  }],
  ["a2a sees a failed run fail", async () => {
    const task = await research.sendMessage(message([data({ topic: "explode-please" })]));
    check(task.status.state === FAILED, `state ${task.status.state}`);
    check(texts(task.status.message?.parts).length > 0, "no reason");
  }],
  ["a2a streams a run and stops it with CancelTask", async () => {
    const stream = research.sendMessageStream(message([data({ topic: "node-hold a2a" })]));
    const first = (await stream.next()).value;
    check(first.payload.$case === "task", `first event: ${first.payload.$case}`);
    const taskId = first.payload.value.id;
    await until(() => run(base, token, taskId), (r) => r.status === "running", "the run never started");
    const canceled = await research.cancelTask({ id: taskId });
    check(canceled.status.state === CANCELED, `state after CancelTask: ${canceled.status.state}`);
    let last;
    for await (const event of stream) {
      last = event;
    }
    check(last?.payload.$case === "statusUpdate" && last.payload.value.status.state === CANCELED, `last event: ${JSON.stringify(last)}`);
    const got = await research.getTask({ id: taskId });
    check(got.status.state === CANCELED, `GetTask: ${got.status.state}`);
  }],
  ["a2a goes through a human review (reject with feedback, then approve)", async () => {
    const paused = await support.sendMessage(message([text("How do I reset my password?")]));
    check(paused.status.state === INPUT_REQUIRED, `state ${paused.status.state}`);
    check(texts(paused.status.message.parts).includes("draft_reply"), "the status message does not name the task");
    const again = await support.sendMessage(message([text("Mention the self-service page.")], paused.id));
    check(again.id === paused.id && again.status.state === INPUT_REQUIRED, `after feedback: ${again.status.state}`);
    const done = await support.sendMessage(message([data({ approve: true })], paused.id));
    check(done.status.state === COMPLETED, `after approval: ${done.status.state}`);
  }],
  ["a2a push notification configs deliver the task's updates", async () => {
    // A loopback receiver: the test server lets webhooks reach private addresses.
    const received = [];
    const receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => { body += chunk; });
      request.on("end", () => {
        received.push({ token: request.headers["x-a2a-notification-token"], signature: request.headers["muster-signature"], body: JSON.parse(body) });
        response.writeHead(200).end();
      });
    });
    await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/a2a`;
      const paused = await support.sendMessage(message([text("Where is my parcel?")]));
      check(paused.status.state === INPUT_REQUIRED, `state ${paused.status.state}`);
      const created = await support.createTaskPushNotificationConfig({ taskId: paused.id, id: "", url, token: "node-token", tenant: "" });
      check(created.taskId === paused.id && created.url === url && created.id.length > 0, `created: ${JSON.stringify(created)}`);
      const got = await support.getTaskPushNotificationConfig({ taskId: paused.id, id: created.id, tenant: "" });
      check(got.token === "node-token", `got: ${JSON.stringify(got)}`);
      const listed = await support.listTaskPushNotificationConfig({ taskId: paused.id, pageSize: 0, pageToken: "", tenant: "" });
      check(listed.configs.length === 1 && listed.configs[0].id === created.id, `listed: ${JSON.stringify(listed)}`);
      const done = await support.sendMessage(message([text("approve")], paused.id));
      check(done.status.state === COMPLETED, `after approval: ${done.status.state}`);
      await until(async () => received, (r) => r.some((n) => n.body.task?.status?.state === "TASK_STATE_COMPLETED"), "no completed notification");
      check(received.every((n) => n.token === "node-token" && n.signature?.startsWith("t=") && n.body.task.id === paused.id), `notifications: ${JSON.stringify(received)}`);
      await support.deleteTaskPushNotificationConfig({ taskId: paused.id, id: created.id, tenant: "" });
      const after = await support.listTaskPushNotificationConfig({ taskId: paused.id, pageSize: 0, pageToken: "", tenant: "" });
      check(after.configs.length === 0, `after delete: ${JSON.stringify(after)}`);
    } finally {
      receiver.close();
    }
  }],
  ["a2a v0.3 client completes a run and a review", async () => {
    const legacy = new LegacyJsonRpcTransport({ endpoint: `${base}/crews/support/a2a`, fetchImpl });
    const paused = await legacy.sendMessage(message([text("Where is my parcel?")]));
    check(paused.status.state === INPUT_REQUIRED, `v0.3 state ${paused.status.state}`);
    const done = await legacy.sendMessage(message([text("approve")], paused.id));
    check(done.status.state === COMPLETED, `v0.3 after approval: ${done.status.state}`);
    const got = await legacy.getTask({ id: paused.id });
    check(got.status.state === COMPLETED, `v0.3 tasks/get: ${got.status.state}`);
    check((await runs(base, token)).some((r) => r.id === paused.id && r.protocol === "a2a"), "not in the run history");
  }],
]);
