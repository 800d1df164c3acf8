//! Adapter: reqwest's blocking Client (Debian librust-reqwest-dev, on hyper
//! 0.14), a fresh Client per spec with its defaults (10 redirects, no cookie
//! store, no gzip: those are features off by default) but HTTP/1 only and no
//! proxy from the environment unless the spec names one; `then` reuses its
//! pool. ClientBuilder::timeout bounds each whole request, Policy::none()
//! hands back the first 3xx. No reason phrase: hyper keeps none for Rust
//! callers (only its C API's ReasonPhrase). https through native-tls
//! (OpenSSL), the spec's ca_file added as a root; through a proxy an https
//! URL goes in a CONNECT tunnel (reqwest's own), the proxy's credentials
//! from its URL.
#[path = "../../common.rs"]
mod common;

use common::{fail, Failure, Req, Response};
use reqwest::blocking;
use reqwest::redirect::Policy;
use std::error::Error as _;

const LIB_VERSION: &str = env!("HTTPREF_LIB_VERSION");

struct Client {
    client: Option<blocking::Client>,
}

impl Client {
    // the Client holds the timeouts, redirect policy and proxy: a `then` list keeps its first spec's
    fn client(&mut self, r: &Req) -> Result<blocking::Client, Failure> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let mut b = blocking::Client::builder().http1_only().no_proxy().timeout(r.timeout());
        if r.redirect == Some(false) {
            b = b.redirect(Policy::none());
        } else if let Some(n) = r.max_redirects {
            b = b.redirect(Policy::limited(n as usize));
        }
        if let Some(f) = &r.ca_file {
            let pem = std::fs::read(f).map_err(|e| fail("other", format!("adapter: ca_file {}: {}", f, e)))?;
            let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| fail("other", common::chain(&e)))?;
            b = b.add_root_certificate(ca);
        }
        if let Some(p) = &r.proxy {
            b = b.proxy(reqwest::Proxy::all(p).map_err(|e| fail("invalid_request", common::chain(&e)))?);
        }
        let c = b.build().map_err(|e| fail("other", common::chain(&e)))?;
        self.client = Some(c.clone());
        Ok(c)
    }
}

impl common::Client for Client {
    fn request(&mut self, r: &Req) -> Result<Response, Failure> {
        let method = reqwest::Method::from_bytes(r.method.as_bytes())
            .map_err(|e| fail("invalid_request", common::chain(&e)))?;
        let mut req = self.client(r)?.request(method, &r.url);
        for (n, v) in &r.headers {
            req = req.header(n.as_str(), v.as_str());
        }
        if let Some(b) = &r.body {
            req = req.body(b.clone());
        }
        let resp = req.send().map_err(|e| fail(classify(&e), common::chain(&e)))?;
        let status = resp.status().as_u16();
        let version = format!("{:?}", resp.version());
        let headers = resp.headers().iter().map(|(n, v)| (n.as_str().to_string(), common::latin1(v.as_bytes()))).collect();
        let body = common::read_body(resp)?;
        Ok(Response { status, reason: None, version, headers, body })
    }
}

fn classify(e: &reqwest::Error) -> &'static str {
    if e.is_builder() {
        return "invalid_request"; // a field, URL or method it will not send
    }
    if e.is_redirect() {
        return if e.to_string().contains("too many redirects") { "too_many_redirects" } else { "redirect_refused" };
    }
    if e.is_timeout() {
        return "timeout";
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = cur {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_parse_too_large() {
                return "limit";
            }
            if h.is_parse() || h.is_parse_status() {
                return "protocol";
            }
            if h.is_incomplete_message() || h.is_closed() || h.is_body_write_aborted() {
                return "closed";
            }
            if h.is_timeout() {
                return "timeout";
            }
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(c) = common::io_class(io) {
                return c;
            }
        }
        cur = s.source();
    }
    let text = common::chain(e);
    let lower = text.to_lowercase();
    // reqwest's own CONNECT (connect.rs tunnel()): its words for the proxy's answer
    if text.contains("unexpected eof while tunneling") {
        return "closed"; // the proxy's answer never ended (bytes after a 200 are waited on as its head)
    }
    if text.contains("proxy headers too long for tunnel") {
        return "limit";
    }
    if e.is_connect() && (lower.contains("certificate") || lower.contains("ssl") || lower.contains("handshake")) {
        return "tls"; // native-tls (OpenSSL) refused the certificate or the handshake
    }
    if text.contains("dns error") || text.contains("failed to lookup address") {
        "dns"
    } else if e.is_connect() {
        "connect"
    } else if text.contains("invalid URL") || text.contains("empty host") {
        "invalid_request"
    } else {
        "other"
    }
}

fn main() {
    let a = common::Adapter {
        name: "rust-reqwest",
        version: LIB_VERSION.to_string(),
        capabilities: vec!["simple-form", "generic-form", "proxy", "redirect-control", "max-redirects",
            "request-body", "timeouts", "sequence", "custom-headers", "head", "tls", "connect"],
        new_client: || Box::new(Client { client: None }),
    };
    std::process::exit(a.main());
}
