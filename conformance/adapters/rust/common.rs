//! Shared plumbing of the Rust adapters (DESIGN.md "Adapter protocol",
//! conformance/adapters/TEMPLATE.md), included by each crate with #[path]:
//! --describe, one-shot (one spec on stdin), --serve (one spec per line, one
//! result per line, serve_seq echoed), base64, `then` on one client instance.
//! An adapter supplies a factory (one client per spec) whose request() returns
//! a Response or an already classified Failure, keeping the library's words.
use serde_json::{json, Map, Value};
use std::io::{BufRead, Read, Write};

/// Bounds one body read (the runner caps a result at 160 MiB of JSON).
pub const MAX_BODY: u64 = 100 << 20;

/// One spec, resolved: method and body decided (form=simple: a body makes a POST).
pub struct Req {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub redirect: Option<bool>,
    pub max_redirects: Option<u32>,
    pub proxy: Option<String>,
    pub timeout_s: f64,
    /// PEM of the run's CA when a server of the scenario speaks TLS (`then` keeps its first spec's)
    #[allow(dead_code)] // read by the adapters whose client does TLS
    pub ca_file: Option<String>,
}

impl Req {
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.timeout_s)
    }
}

pub struct Response {
    pub status: u16,
    pub reason: Option<String>, // None when the library does not expose the received phrase
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub struct Failure {
    pub class: &'static str,
    pub message: String,
}

pub fn fail(class: &'static str, message: impl Into<String>) -> Failure {
    Failure { class, message: message.into() }
}

/// The error and its sources, outermost first: the library's own words.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    let mut n = 0;
    while let Some(s) = cur {
        if n > 10 {
            break;
        }
        out.push_str(" <- ");
        out.push_str(&s.to_string());
        cur = s.source();
        n += 1;
    }
    out
}

/// An io::Error kind as a class, when it says one.
pub fn io_class(e: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => Some("connect"),
        TimedOut | WouldBlock => Some("timeout"),
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => Some("closed"),
        InvalidData => Some("protocol"),
        _ => None,
    }
}

/// Reads a body, keeping up to MAX_BODY bytes (past it: read to the end, class other); a read error is classed by its io kind,
/// then by the words of what it wraps (a library's decoder error rides in an
/// io::Error of kind Other).
pub fn read_body(mut r: impl Read) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let mut got = (&mut r).take(MAX_BODY + 1).read_to_end(&mut out).map(|_| ());
    if got.is_ok() && out.len() as u64 > MAX_BODY {
        // read on, keeping nothing: the client's own bounds decide how an endless body ends
        out = Vec::new();
        got = std::io::copy(&mut r, &mut std::io::sink()).map(|_| ());
        if got.is_ok() {
            return Err(fail("other", format!("response body larger than the adapter's {} MiB cap (read to its end, \
                                              not kept)", MAX_BODY >> 20)));
        }
    }
    if let Err(e) = got {
        let text = chain(&e).to_lowercase();
        let class = io_class(&e).unwrap_or(if text.contains("timed out") || text.contains("timeout") {
            "timeout"
        } else if text.contains("chunk") || text.contains("invalid") || text.contains("malformed") {
            "protocol"
        } else if text.contains("eof") || text.contains("closed") {
            "closed"
        } else {
            "other"
        });
        return Err(fail(class, chain(&e)));
    }
    Ok(out)
}

pub trait Client {
    fn request(&mut self, r: &Req) -> Result<Response, Failure>;
}

pub struct Adapter {
    pub name: &'static str,
    pub version: String,
    pub capabilities: Vec<&'static str>,
    pub new_client: fn() -> Box<dyn Client>,
}

fn resolve(s: &Map<String, Value>, parent: Option<&Req>) -> Result<Req, Failure> {
    let url = s.get("url").and_then(Value::as_str).ok_or_else(|| fail("other", "bad request spec: no url"))?;
    let mut headers = Vec::new();
    for h in s.get("headers").and_then(Value::as_array).into_iter().flatten() {
        match (h.get(0).and_then(Value::as_str), h.get(1).and_then(Value::as_str)) {
            (Some(n), Some(v)) => headers.push((n.to_string(), v.to_string())),
            _ => return Err(fail("other", "bad request spec: a header is not [name, value]")),
        }
    }
    let body = match s.get("body").and_then(Value::as_str) {
        Some(b) => Some(base64::decode(b).map_err(|e| fail("other", format!("adapter: body is not base64: {}", e)))?),
        None => None,
    };
    let form = s.get("form").and_then(Value::as_str) == Some("simple") && body.is_some();
    let mut method = s.get("method").and_then(Value::as_str).unwrap_or("").to_string();
    if method.is_empty() {
        method = if form { "POST" } else { "GET" }.to_string();
    }
    if form && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    }
    let timeout_s = s.get("timeout_s").and_then(Value::as_f64).or(parent.map(|p| p.timeout_s)).unwrap_or(30.0);
    Ok(Req {
        url: url.to_string(),
        method,
        headers,
        body,
        redirect: s.get("redirect").and_then(Value::as_bool),
        max_redirects: s.get("max_redirects").and_then(Value::as_u64).map(|n| n as u32),
        proxy: s.get("proxy").and_then(Value::as_str).map(String::from),
        timeout_s: if timeout_s > 0.0 { timeout_s } else { 30.0 },
        ca_file: s.get("ca_file").and_then(Value::as_str).map(String::from).or(parent.and_then(|p| p.ca_file.clone())),
    })
}

/// Bytes the library hands over as text, byte for byte (Latin-1), as the other adapters do.
#[allow(dead_code)] // used by the adapters whose library hands over bytes
pub fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

impl Adapter {
    fn id(&self) -> Value {
        json!({"name": self.name, "version": self.version})
    }

    fn error(&self, f: Failure) -> Map<String, Value> {
        let mut m = f.message;
        if m.len() > 2000 {
            let mut cut = 2000;
            while !m.is_char_boundary(cut) {
                cut -= 1;
            }
            m.truncate(cut);
        }
        let v = json!({"outcome": "error", "error": {"class": f.class, "message": m}, "implementation": self.id()});
        v.as_object().cloned().unwrap_or_default()
    }

    fn one(&self, c: &mut dyn Client, r: Result<Req, Failure>) -> Map<String, Value> {
        // a library panic is its failure on this spec, not the adapter's end
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.and_then(|r| c.request(&r))));
        let got = got.unwrap_or_else(|p| {
            let what = p.downcast_ref::<&str>().map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(fail("other", format!("panic: {}", what)))
        });
        let resp = match got {
            Ok(resp) => resp,
            Err(f) => return self.error(f),
        };
        let mut m = Map::new();
        m.insert("outcome".into(), json!("response"));
        m.insert("status".into(), json!(resp.status));
        if let Some(reason) = resp.reason {
            m.insert("reason".into(), json!(reason));
        }
        m.insert("version".into(), json!(resp.version));
        let hs: Vec<Value> = resp.headers.into_iter().map(|(n, v)| json!([n, v])).collect();
        m.insert("headers".into(), Value::Array(hs));
        m.insert("body".into(), json!(base64::encode(&resp.body)));
        m.insert("implementation".into(), self.id());
        m
    }

    /// One spec and its `then` list on one fresh client instance.
    fn run(&self, spec: &Map<String, Value>) -> Map<String, Value> {
        let first = match resolve(spec, None) {
            Ok(r) => r,
            Err(f) => return self.error(f),
        };
        let mut c = (self.new_client)();
        let subs: Vec<Result<Req, Failure>> = spec
            .get("then")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|s| s.as_object().ok_or_else(|| fail("other", "bad follow-up spec"))
                .and_then(|s| resolve(s, Some(&first)))).collect())
            .unwrap_or_default();
        let has_then = spec.get("then").map_or(false, Value::is_array);
        let mut res = self.one(c.as_mut(), Ok(first));
        if has_then {
            let then: Vec<Value> = subs.into_iter().map(|r| Value::Object(self.one(c.as_mut(), r))).collect();
            res.insert("then".into(), Value::Array(then));
        }
        res
    }

    fn answer(&self, line: &str) -> Map<String, Value> {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(spec)) => {
                let mut res = self.run(&spec);
                if let Some(seq) = spec.get("serve_seq") {
                    res.insert("serve_seq".into(), seq.clone());
                }
                res
            }
            Ok(_) => self.error(fail("other", "bad request spec: not an object")),
            Err(e) => self.error(fail("other", format!("bad request spec: {}", e))),
        }
    }

    pub fn main(&self) -> i32 {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--describe") {
            let mut caps = self.capabilities.clone();
            caps.push("serve");
            println!("{}", json!({"name": self.name, "version": self.version, "capabilities": caps}));
            return 0;
        }
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if args.iter().any(|a| a == "--serve") {
            for line in stdin.lock().lines() {
                let line = match line {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("{} adapter: cannot read a spec: {}", self.name, e);
                        return 2;
                    }
                };
                if line.trim().is_empty() {
                    continue;
                }
                let res = Value::Object(self.answer(&line));
                if writeln!(out, "{}", res).and_then(|_| out.flush()).is_err() {
                    return 3;
                }
            }
            return 0;
        }
        let mut all = String::new();
        if let Err(e) = stdin.lock().read_to_string(&mut all) {
            eprintln!("{} adapter: cannot read the spec: {}", self.name, e);
            return 2;
        }
        let res = Value::Object(self.answer(&all));
        if writeln!(out, "{}", res).and_then(|_| out.flush()).is_err() {
            return 3;
        }
        0
    }
}
