// Shared by the protocol client scripts: the run history read over Muster's own API, and a small assertion helper.
export function args() {
  const [base, token] = process.argv.slice(2);
  if (!base || !token) {
    console.error("usage: node <script> <muster base url> <bearer token>");
    process.exit(2);
  }
  return { base: base.replace(/\/$/, ""), token };
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

export async function runs(base, token) {
  const response = await fetch(`${base}/api/crew-runs?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
  check(response.ok, `GET /api/crew-runs answered ${response.status}`);
  return await response.json();
}

export async function run(base, token, id) {
  const response = await fetch(`${base}/api/crew-runs/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  check(response.ok, `GET /api/crew-runs/${id} answered ${response.status}`);
  return await response.json();
}

// Polls until the condition holds; the ceiling is generous (a busy CI machine), never a timing assertion.
export async function until(probe, done, because, limitMs = 90_000) {
  const deadline = Date.now() + limitMs;
  let last;
  for (;;) {
    last = await probe();
    if (done(last)) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${limitMs / 1000} s, but ${because}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Runs the scenarios in order, printing "ok <name>" for each; exits 1 at the first failure.
export async function scenarios(list) {
  for (const [name, body] of list) {
    try {
      await body();
      console.log(`ok ${name}`);
    } catch (error) {
      console.log(`FAILED ${name}: ${error?.stack ?? error}`);
      process.exit(1);
    }
  }
  process.exit(0);
}
