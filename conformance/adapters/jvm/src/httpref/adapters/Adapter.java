package httpref.adapters;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.MalformedURLException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Shared plumbing of the JVM adapters (DESIGN.md "Adapter protocol",
 * conformance/adapters/TEMPLATE.md): --describe, one-shot (one spec on
 * stdin), --serve (one spec per line, one result per line, serve_seq echoed),
 * base64, `then` on one client instance, and the JDK exceptions every client
 * shares mapped to the error classes. A client class supplies a factory (one
 * instance per spec) and may classify its own errors first.
 */
final class Adapter {
    /** Bounds one body read (the runner caps a result at 160 MiB of JSON). */
    static final int MAX_BODY = 100 << 20;
    static final String OVER_CAP = "response body larger than the adapter's 100 MiB cap (read to its end, not kept)";

    interface Client {
        Response request(Req r) throws Exception;

        default void close() {}
    }

    /** One spec, resolved: method and body decided (form=simple: a body makes a POST). */
    static final class Req {
        String url, method, proxy;
        List<String[]> headers = new ArrayList<>();
        byte[] body; // null: no body
        Boolean redirect;
        Integer maxRedirects;
        double timeoutS = 30;
        List<Map<String, Object>> then;

        long timeoutMs() {
            return (long) (timeoutS * 1000);
        }
    }

    static final class Response {
        int status;
        String reason; // null when the client does not expose the received reason phrase
        String version;
        List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
    }

    /** An error whose class the adapter already knows. */
    static final class Classified extends Exception {
        private static final long serialVersionUID = 1L;

        final String cls;

        Classified(String cls, String message) {
            super(message);
            this.cls = cls;
        }

        /** The client refused to do something: its own exception, classified. */
        Classified(String cls, Throwable cause) {
            super(cause.toString(), cause);
            this.cls = cls;
        }

        Classified(String cls, String message, Throwable cause) {
            super(message, cause);
            this.cls = cls;
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    final String name, version;
    final List<String> caps;
    final Supplier<Client> factory;
    final Function<Throwable, String> extra;

    Adapter(String name, String version, List<String> caps, Supplier<Client> factory,
            Function<Throwable, String> extra) {
        this.name = name;
        this.version = version;
        this.caps = new ArrayList<>(caps);
        this.caps.add("serve");
        this.factory = factory;
        this.extra = extra;
    }

    @SuppressWarnings("unchecked")
    static Req resolve(Map<String, Object> s, Req parent) throws Classified {
        Req r = new Req();
        Object url = s.get("url");
        if (!(url instanceof String)) throw new Classified("other", "bad request spec: no url");
        r.url = (String) url;
        r.method = (String) s.get("method");
        if (s.get("headers") instanceof List) {
            for (Object h : (List<Object>) s.get("headers")) {
                List<Object> p = (List<Object>) h;
                r.headers.add(new String[] {(String) p.get(0), (String) p.get(1)});
            }
        }
        if (s.get("body") instanceof String) {
            try {
                r.body = Base64.getDecoder().decode((String) s.get("body"));
            } catch (IllegalArgumentException e) {
                throw new Classified("other", "adapter: body is not base64: " + e.getMessage());
            }
        }
        boolean form = "simple".equals(s.get("form")) && r.body != null;
        if (r.method == null || r.method.isEmpty()) r.method = form ? "POST" : "GET";
        if (form && r.headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("Content-Type")))
            r.headers.add(new String[] {"Content-Type", "application/x-www-form-urlencoded"});
        if (s.get("redirect") instanceof Boolean) r.redirect = (Boolean) s.get("redirect");
        if (s.get("max_redirects") instanceof Number) r.maxRedirects = ((Number) s.get("max_redirects")).intValue();
        r.proxy = (String) s.get("proxy");
        if (s.get("timeout_s") instanceof Number) r.timeoutS = ((Number) s.get("timeout_s")).doubleValue();
        else if (parent != null) r.timeoutS = parent.timeoutS;
        if (s.get("then") instanceof List) r.then = (List<Map<String, Object>>) s.get("then");
        return r;
    }

    /**
     * Reads a body, keeping up to MAX_BODY bytes (past it: read to the end, class other).
     * No bound of the adapter's own: how an endless body ends is the client's to decide.
     */
    static byte[] readBody(InputStream in) throws IOException, Classified {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        boolean over = false;
        for (int n; (n = in.read(buf)) > 0; ) {
            if (!over) out.write(buf, 0, n);
            if (!over && out.size() > MAX_BODY) { // read on, keeping nothing: the client's bounds decide
                over = true;
                out = new ByteArrayOutputStream();
            }
        }
        if (over) throw new Classified("other", OVER_CAP);
        return out.toByteArray();
    }

    static List<Throwable> chain(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable e = t; e != null && out.size() < 20 && !out.contains(e); e = e.getCause()) out.add(e);
        return out;
    }

    /** The client's own words: every exception of the chain, outermost first. */
    static String message(Throwable t) {
        StringBuilder b = new StringBuilder();
        String last = null;
        for (Throwable e : chain(t)) {
            String m = e instanceof Classified ? e.getMessage() : e.toString();
            if (m.equals(last)) continue; // a Classified wrapper that repeats its cause
            if (b.length() > 0) b.append(" <- ");
            b.append(m);
            last = m;
        }
        return b.length() > 2000 ? b.substring(0, 2000) : b.toString();
    }

    String classify(Throwable t) {
        List<Throwable> ch = chain(t);
        for (Throwable e : ch) if (e instanceof Classified) return ((Classified) e).cls;
        for (Throwable e : ch) // HttpClient reports a name that does not resolve this way
            if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException) return "dns";
        if (extra != null) {
            for (Throwable e : ch) {
                String c = extra.apply(e);
                if (c != null) return c;
            }
        }
        for (Throwable e : ch) {
            if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException
                    || e instanceof java.util.concurrent.TimeoutException) return "timeout";
            if (e instanceof ConnectException || e instanceof NoRouteToHostException) return "connect";
        }
        for (Throwable e : ch) {
            if (e instanceof EOFException) return "closed";
            if (e instanceof SocketException) {
                String m = String.valueOf(e.getMessage()).toLowerCase();
                if (m.contains("reset") || m.contains("broken pipe") || m.contains("end of file")
                        || m.contains("closed")) return "closed";
            }
            if (e instanceof ProtocolException) return "protocol";
            // a request the client refused to build is wrapped Classified by the adapter:
            // a NumberFormatException here comes from parsing the response (a Content-Length)
            if (e instanceof NumberFormatException) return "protocol";
            if (e instanceof MalformedURLException || e instanceof URISyntaxException) return "invalid_request";
        }
        return "unclassified";
    }

    private Map<String, Object> base() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("name", name);
        id.put("version", version);
        m.put("implementation", id);
        return m;
    }

    Map<String, Object> error(String cls, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", "error");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class", cls);
        e.put("message", message);
        m.put("error", e);
        m.putAll(base());
        return m;
    }

    private static List<Object> pairs(List<String[]> hs) {
        List<Object> out = new ArrayList<>();
        for (String[] h : hs) out.add(List.of(h[0], h[1]));
        return out;
    }

    private Map<String, Object> one(Client c, Req r) {
        Response resp;
        try {
            resp = c.request(r);
        } catch (Exception | StackOverflowError | OutOfMemoryError e) { // the client's failure is data
            return error(classify(e), message(e));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", "response");
        m.put("status", resp.status);
        if (resp.reason != null) m.put("reason", resp.reason);
        m.put("version", resp.version);
        m.put("headers", pairs(resp.headers));
        m.put("body", Base64.getEncoder().encodeToString(resp.body));
        m.putAll(base());
        return m;
    }

    /** One spec and its `then` list on one fresh client instance. */
    Map<String, Object> run(Map<String, Object> spec) {
        Req r;
        try {
            r = resolve(spec, null);
        } catch (Classified e) {
            return error(e.cls, e.getMessage());
        }
        Client c = factory.get();
        try {
            Map<String, Object> res = one(c, r);
            if (r.then != null) {
                List<Object> subs = new ArrayList<>();
                for (Map<String, Object> s : r.then) {
                    try {
                        subs.add(one(c, resolve(s, r)));
                    } catch (Classified e) {
                        subs.add(error(e.cls, e.getMessage()));
                    }
                }
                res.put("then", subs);
            }
            return res;
        } finally {
            c.close();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> answer(String line) {
        Object seq = null;
        Map<String, Object> res;
        try {
            Object spec = Json.parse(line);
            if (!(spec instanceof Map)) throw new IllegalArgumentException("not an object");
            seq = ((Map<String, Object>) spec).get("serve_seq");
            res = run((Map<String, Object>) spec);
        } catch (IllegalArgumentException e) {
            res = error("other", "bad request spec: " + e.getMessage());
        }
        if (seq != null) res.put("serve_seq", seq);
        return res;
    }

    private static void emit(Writer w, Map<String, Object> res) throws IOException {
        w.write(Json.write(res));
        w.write('\n');
        w.flush();
    }

    int main(String[] args) throws IOException {
        for (String a : args) {
            if (a.equals("--describe")) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("name", name);
                d.put("version", version);
                d.put("capabilities", caps);
                System.out.println(Json.write(d));
                return 0;
            }
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 20);
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 20);
        if (List.of(args).contains("--serve")) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) emit(out, answer(line));
            }
            return 0;
        }
        StringBuilder all = new StringBuilder();
        char[] buf = new char[65536];
        for (int n; (n = in.read(buf)) > 0; ) all.append(buf, 0, n);
        emit(out, answer(all.toString()));
        return 0;
    }
}
