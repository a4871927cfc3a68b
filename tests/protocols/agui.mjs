// Drives Muster's AG-UI endpoint with @ag-ui/client's HttpAgent. The test server holds LLM answers about "node-hold"
// and fails runs about "explode-please".
import { randomUUID } from "node:crypto";
import { HttpAgent } from "@ag-ui/client";
import { args, check, run, scenarios, until } from "./common.mjs";

const { base, token } = args();
const agent = (crew, threadId, initialMessages) =>
  new HttpAgent({ url: `${base}/crews/${crew}/agui`, headers: { Authorization: `Bearer ${token}` }, threadId, initialMessages });

// Runs the agent once; answers the event types in order, how the run finished, and its error if any.
async function runOnce(a, parameters = {}) {
  const seen = { types: [], finished: undefined, error: undefined };
  const subscriber = {
    onEvent: ({ event }) => { seen.types.push(event.type); },
    onRunFinishedEvent: (params) => { seen.finished = params; },
    onRunErrorEvent: ({ event }) => { seen.error = event; },
  };
  try {
    await a.runAgent(parameters, subscriber);
  } catch (error) {
    seen.thrown = error;
  }
  return seen;
}

await scenarios([
  ["ag-ui completes a run", async () => {
    const threadId = randomUUID();
    const seen = await runOnce(agent("research", threadId), { forwardedProps: { inputs: { topic: "tidal energy" } } });
    check(seen.types[0] === "RUN_STARTED", `first: ${seen.types[0]}`);
    for (const type of ["STEP_STARTED", "STEP_FINISHED", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "STATE_SNAPSHOT"]) {
      check(seen.types.includes(type), `no ${type} in ${seen.types}`);
    }
    check(seen.types.at(-1) === "RUN_FINISHED" && seen.finished?.outcome === "success", `end: ${seen.types.at(-1)} ${seen.finished?.outcome}`);
    const record = await run(base, token, threadId);
    check(record.protocol === "ag-ui" && record.status === "completed", `record: ${JSON.stringify(record)}`);
  }],
  ["ag-ui sees a failed run fail", async () => {
    const seen = await runOnce(agent("research", randomUUID()), { forwardedProps: { inputs: { topic: "explode-please" } } });
    check(seen.error?.code === "RUN_FAILED", `error: ${JSON.stringify(seen.error)} ${seen.thrown}`);
    check(seen.types.at(-1) === "RUN_ERROR", `last: ${seen.types.at(-1)}`);
  }],
  ["ag-ui reconnects to a running thread and sees it stopped by /stop", async () => {
    const threadId = randomUUID();
    const first = runOnce(agent("research", threadId), { forwardedProps: { inputs: { topic: "node-hold agui" } } });
    await until(() => run(base, token, threadId).catch(() => undefined), (r) => r?.status === "running", "the run never started");
    const second = runOnce(agent("research", threadId));
    await until(() => run(base, token, threadId), (r) => r.status === "running", "the run stopped early");
    const stop = await fetch(`${base}/crews/research/stop/${threadId}`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    check(stop.ok, `/stop answered ${stop.status}`);
    for (const seen of [await first, await second]) {
      check(seen.types[0] === "RUN_STARTED", `first: ${seen.types[0]}`);
      check(seen.finished?.outcome === "cancelled", `outcome: ${seen.finished?.outcome} ${JSON.stringify(seen.error)}`);
    }
    check((await run(base, token, threadId)).error.includes("Stopped by"), "not stopped");
  }],
  ["ag-ui goes through a human review (reject with feedback, then approve)", async () => {
    const threadId = randomUUID();
    const a = agent("support", threadId, [{ id: randomUUID(), role: "user", content: "How do I reset my password?" }]);
    const paused = await runOnce(a);
    check(paused.finished?.outcome === "interrupt", `outcome: ${paused.finished?.outcome} ${JSON.stringify(paused.error)}`);
    const interrupt = paused.finished.interrupts[0];
    check(interrupt.metadata.task_id === "draft_reply", `interrupt: ${JSON.stringify(interrupt)}`);
    const again = await runOnce(a, { resume: [{ interruptId: interrupt.id, status: "resolved", payload: { approve: false, feedback: "Mention the self-service page." } }] });
    check(again.finished?.outcome === "interrupt", `after feedback: ${again.finished?.outcome} ${JSON.stringify(again.error)} ${again.thrown}`);
    const done = await runOnce(a, { resume: [{ interruptId: again.finished.interrupts[0].id, status: "resolved", payload: { approve: true } }] });
    check(done.finished?.outcome === "success", `after approval: ${done.finished?.outcome} ${JSON.stringify(done.error)} ${done.thrown}`);
    check((await run(base, token, threadId)).status === "completed", "not completed");
  }],
]);
