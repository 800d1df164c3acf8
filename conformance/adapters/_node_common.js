'use strict';
// Shared plumbing for the Node.js adapters (DESIGN.md "Adapter protocol"):
// --describe, spec on stdin, one JSON result on stdout, `then` on the same
// client, and the mapping of Node/undici error codes to the shared classes.
// --serve (capability `serve`): one spec per line until EOF, one result line
// each echoing serve_seq; Node starts once, and every spec gets a new client
// from makeClient() (its own agent/dispatcher), closed before the answer.
const readline = require('readline');

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
  // a refused certificate (OpenSSL's verify codes, Node's name check) or a failed handshake
  if (has('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT',
          'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID')
      || codes.some((c) => c.startsWith('ERR_SSL_'))) return 'tls';
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
  return 'unclassified';
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

function checkSpec(spec) {
  if (!spec || typeof spec !== 'object' || typeof spec.url !== 'string') {
    throw new Error('spec must be an object with a string url');
  }
  return spec;
}

// one spec on a new client: its result, `then` results included
async function serveOne(adapter, impl, spec) {
  const client = await adapter.makeClient(spec); // spec.ca_file is the same for its `then` list
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
  return result;
}

// stdout carries answers only (a library's console.log goes to stderr); a line
// that is no spec gets an error answer of class other, and serving goes on
async function serve(adapter, impl) {
  const out = process.stdout.write.bind(process.stdout);
  console.log = console.error;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let spec;
    let seq;
    let result;
    try {
      spec = JSON.parse(line);
      if (spec && typeof spec === 'object') seq = spec.serve_seq;
      checkSpec(spec);
    } catch (e) {
      result = { outcome: 'error', error: { class: 'other', message: `bad request spec: ${e.message}` }, implementation: impl };
    }
    if (!result) result = await serveOne(adapter, impl, spec);
    if (seq !== undefined) result.serve_seq = seq;
    await new Promise((resolve) => out(JSON.stringify(result) + '\n', resolve));
  }
  process.exit(0);
}

// run({name, version, capabilities, makeClient}) where makeClient(spec) returns (or
// resolves to) {request(spec) -> Promise<{status, reason, version, headers, body: Buffer}>, close()}
async function run(adapter) {
  const impl = { name: adapter.name, version: adapter.version };
  if (process.argv.includes('--describe')) {
    const capabilities = [...adapter.capabilities, 'serve'];
    process.stdout.write(JSON.stringify({ ...impl, capabilities }) + '\n');
    return;
  }
  if (process.argv.includes('--serve')) {
    await serve(adapter, impl);
    return;
  }
  let spec;
  try {
    spec = checkSpec(JSON.parse(await readStdin()));
  } catch (e) {
    process.stderr.write(`${adapter.name} adapter: bad request spec: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  const result = await serveOne(adapter, impl, spec);
  // exit only once the result is flushed: stdout to a pipe is asynchronous, and
  // exiting right away truncates a large body; kept-alive sockets are not waited for
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}

module.exports = { run, specBody, classify };
