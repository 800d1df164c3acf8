//! Adapter: ureq (Debian librust-ureq-dev), a fresh ureq::Agent per spec with
//! its defaults (5 redirects, gzip, no cookie jar: the cookies feature is off
//! by default, no proxy from the environment); `then` reuses the agent's pool.
//! AgentBuilder::timeout bounds each whole request, redirects(0) stops at the
//! first 3xx and hands it back. Request::set replaces an earlier field of the
//! same name (X- fields excepted): ureq's rule, kept. A 4xx/5xx arrives as
//! Error::Status carrying the response: reported as the response it is.
#[path = "../../common.rs"]
mod common;

use common::{fail, Failure, Req, Response};
use std::io;

const LIB_VERSION: &str = env!("HTTPREF_LIB_VERSION");

struct Client {
    agent: Option<ureq::Agent>,
}

impl Client {
    // the agent holds the timeouts, redirect limit and proxy: a `then` list keeps its first spec's
    fn agent(&mut self, r: &Req) -> Result<ureq::Agent, Failure> {
        if let Some(a) = &self.agent {
            return Ok(a.clone());
        }
        let mut b = ureq::AgentBuilder::new().timeout(r.timeout());
        if r.redirect == Some(false) {
            b = b.redirects(0);
        } else if let Some(n) = r.max_redirects {
            b = b.redirects(n);
        }
        let a = b.build();
        self.agent = Some(a.clone());
        Ok(a)
    }
}

impl common::Client for Client {
    fn request(&mut self, r: &Req) -> Result<Response, Failure> {
        if r.proxy.is_some() {
            return Err(fail("unsupported", "adapter: ureq 2 sends every request through a proxy as a CONNECT tunnel, never in absolute-form"));
        }
        let mut req = self.agent(r)?.request(&r.method, &r.url);
        for (n, v) in &r.headers {
            req = req.set(n, v);
        }
        let res = match &r.body {
            Some(b) => req.send_bytes(b),
            None => req.call(),
        };
        let resp = match res {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
            Err(ureq::Error::Transport(t)) => return Err(fail(classify(&t), common::chain(&t))),
        };
        response(resp)
    }
}

fn response(resp: ureq::Response) -> Result<Response, Failure> {
    // headers_names() lists every field line in order, lowercased; all() its values
    // (a value that is not UTF-8 is left out by ureq, so the k-th value may be missing)
    let names = resp.headers_names();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut headers = Vec::new();
    for n in names {
        let k = match seen.iter_mut().find(|(s, _)| *s == n) {
            Some((_, k)) => {
                *k += 1;
                *k
            }
            None => {
                seen.push((n.clone(), 0));
                0
            }
        };
        if let Some(v) = resp.all(&n).get(k) {
            headers.push((n.clone(), v.to_string()));
        }
    }
    let status = resp.status();
    let reason = Some(resp.status_text().to_string());
    let version = resp.http_version().to_string();
    let body = common::read_body(resp.into_reader())?;
    Ok(Response { status, reason, version, headers, body })
}

fn classify(t: &ureq::Transport) -> &'static str {
    use ureq::ErrorKind::*;
    let text = t.to_string();
    match t.kind() {
        InvalidUrl | UnknownScheme | InvalidProxyUrl | InsecureRequestHttpsOnly => "invalid_request",
        Dns => "dns",
        ConnectionFailed | ProxyConnect => "connect",
        TooManyRedirects => "too_many_redirects",
        // ureq checks the caller's fields when it sends: "invalid header 'X: Y'" is one it refused
        BadHeader if text.contains("invalid header '") => "invalid_request",
        BadHeader if text.contains("more than") => "limit",
        BadStatus | BadHeader | HTTP => "protocol",
        ProxyUnauthorized => "other",
        Io if text.contains("longer than") => "limit",
        Io if text.contains("didn't end with") => "protocol",
        Io => {
            let io = std::error::Error::source(t).and_then(|s| s.downcast_ref::<io::Error>());
            io.and_then(common::io_class).unwrap_or("other")
        }
    }
}

fn main() {
    let a = common::Adapter {
        name: "rust-ureq",
        version: LIB_VERSION.to_string(),
        capabilities: vec!["simple-form", "generic-form", "redirect-control", "max-redirects",
            "request-body", "timeouts", "sequence", "custom-headers", "head"],
        new_client: || Box::new(Client { agent: None }),
    };
    std::process::exit(a.main());
}
