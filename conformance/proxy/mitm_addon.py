"""mitmdump addon: log both legs of every exchange as JSON lines.

Loaded by conformance/proxy/mitm.py with `-s mitm_addon.py --set
httpref_log=PATH`. One line per flow: what the client sent to the proxy
(method, target as received, fields), what the proxy got back from the
origin (status, fields, body), or the error. With `httpref_record=PATH` it
also writes the raw response head of the last flow, for tools/record.
"""
import base64
import json

from mitmproxy import ctx


def _fields(headers):
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers.fields]


class HttprefLog:
    def load(self, loader):
        loader.add_option("httpref_log", str, "", "append one JSON line per flow to this file")
        loader.add_option("httpref_record", str, "", "write the last response, raw, to this JSON file")

    def _write(self, obj):
        if ctx.options.httpref_log:
            with open(ctx.options.httpref_log, "a") as f:
                f.write(json.dumps(obj) + "\n")

    def response(self, flow):
        req, resp = flow.request, flow.response
        self._write({
            "client_leg": {"method": req.method, "target": req.url, "http_version": req.http_version,
                           "fields": _fields(req.headers), "body_len": len(req.raw_content or b"")},
            "origin_leg": {"status": resp.status_code, "reason": resp.reason, "http_version": resp.http_version,
                           "fields": _fields(resp.headers), "body_len": len(resp.raw_content or b"")},
        })
        if ctx.options.httpref_record:
            with open(ctx.options.httpref_record, "w") as f:
                json.dump({
                    "request": {"method": req.method, "path": req.path, "fields": _fields(req.headers),
                                "body": base64.b64encode(req.raw_content or b"").decode()},
                    "response": {"http_version": resp.http_version, "status": resp.status_code,
                                 "reason": resp.reason, "fields": _fields(resp.headers),
                                 "body": base64.b64encode(resp.raw_content or b"").decode(),
                                 "trailers": _fields(resp.trailers) if resp.trailers else []},
                }, f)

    def error(self, flow):
        self._write({"client_leg": {"method": flow.request.method, "target": flow.request.url},
                     "error": str(flow.error)})


addons = [HttprefLog()]
