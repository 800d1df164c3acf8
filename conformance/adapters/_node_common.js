'use strict';
// Shared plumbing for the Node.js adapters (DESIGN.md "Adapter protocol"):
// --describe, spec on stdin, one JSON result on stdout, `then` on the same
// client, and the mapping of Node/undici error codes to the shared classes.

function causes(err) {
  const out = [];
  for (let e = err; e && out.length < 10; e = e.cause) out.push(e);
  return out;
}

function classify(err) {
  const chain = causes(err);
  const codes = chain.map((e) => String(e.code || ''));
  const text = chain.map((e) => `${e.name}: ${e.message}`).join(' <- ').toLowerCase();
  const has = (...cs) => codes.some((c) => cs.includes(c));
  if (chain.some((e) => e.adapterClass)) return chain.find((e) => e.adapterClass).adapterClass;
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) return 'dns';
  if (has('ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH')) return 'connect';
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')
      || chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timeout';
  if (has('HPE_HEADER_OVERFLOW')) return 'limit';
  if (has('ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_UNESCAPED_CHARACTERS', 'UND_ERR_INVALID_ARG',
          'ERR_INVALID_URL', 'ERR_HTTP_INVALID_HEADER_VALUE')) return 'invalid_request';
  if (text.includes('redirect count exceeded')) return 'too_many_redirects';
  if (has('UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) return 'closed';
  if (codes.some((c) => c.startsWith('HPE_'))) {
    return has('HPE_INVALID_EOF_STATE') ? 'closed' : 'protocol';
  }
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED') || text.includes('socket hang up')
      || text.includes('other side closed') || text.includes('terminated') || text.includes('aborted')) return 'closed';
  if (text.includes('unsupported') && text.includes('scheme')) return 'redirect_refused';
  if (err instanceof TypeError) return 'invalid_request';
  return 'other';
}

function errorResult(err, impl) {
  const message = causes(err).map((e) => `${e.name}${e.code ? ' ' + e.code : ''}: ${e.message}`).join(' <- ');
  return { outcome: 'error', error: { class: classify(err), message: message.slice(0, 2000) }, implementation: impl };
}

function specBody(spec) {
  const body = spec.body != null ? Buffer.from(spec.body, 'base64') : null;
  let method = spec.method;
  if (!method) method = spec.form === 'simple' && body !== null ? 'POST' : 'GET';
  const headers = (spec.headers || []).map((h) => [h[0], h[1]]);
  if (spec.form === 'simple' && body !== null && !headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  return { method, body, headers };
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

// run({name, version, capabilities, makeClient}) where makeClient() returns
// {request(spec) -> Promise<{status, reason, version, headers, body: Buffer}>, close()}
async function run(adapter) {
  const impl = { name: adapter.name, version: adapter.version };
  if (process.argv.includes('--describe')) {
    process.stdout.write(JSON.stringify({ ...impl, capabilities: adapter.capabilities }) + '\n');
    return;
  }
  let spec;
  try {
    spec = JSON.parse(await readStdin());
    if (typeof spec !== 'object' || typeof spec.url !== 'string') throw new Error('spec must be an object with a string url');
  } catch (e) {
    process.stderr.write(`${adapter.name} adapter: bad request spec: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  const client = adapter.makeClient();
  const one = async (s) => {
    try {
      const r = await client.request(s);
      return { outcome: 'response', status: r.status, reason: r.reason, version: r.version, headers: r.headers,
        body: r.body.toString('base64'), implementation: impl };
    } catch (e) {
      return errorResult(e, impl);
    }
  };
  const result = await one(spec);
  if (Array.isArray(spec.then)) {
    result.then = [];
    for (const sub of spec.then) result.then.push(await one({ timeout_s: spec.timeout_s, ...sub }));
  }
  try { await client.close(); } catch (e) { /* closing is best effort */ }
  // exit only once the result is flushed: stdout to a pipe is asynchronous, and
  // exiting right away truncates a large body; kept-alive sockets are not waited for
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}

module.exports = { run, specBody, classify };
