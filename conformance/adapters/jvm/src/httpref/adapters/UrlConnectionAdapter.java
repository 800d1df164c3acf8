package httpref.adapters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;

/**
 * Adapter: java.net.HttpURLConnection (the JDK's classic client, from
 * URL.openConnection). One connection object per request, as its API has it;
 * its defaults stay: redirects followed (same scheme only, at most the
 * JVM-wide http.maxRedirects, so no max-redirects capability), keep-alive
 * through the JVM-wide connection cache (what `then` reuses; at the end of a
 * spec the cache's idle sockets to each host it used are closed, so the next
 * spec starts with none), restricted request fields
 * (Host, Connection, Content-Length, Transfer-Encoding, ...) silently dropped.
 * No proxy from the environment: Proxy.NO_PROXY unless the spec names one.
 * Timeouts are its connect and per-read timeouts; it has no whole-exchange
 * bound, and the adapter adds none: a trickle never trips a read timeout, so the
 * harness ends such a case, and the verdict is the client's (that is a finding).
 * An adapter-made stop, reported as an error, was credited as the client's refusal.
 */
public final class UrlConnectionAdapter implements Adapter.Client {
    private static final List<String> METHODS = List.of("GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    private final List<HttpURLConnection> opened = new ArrayList<>();

    @Override
    public void close() {
        for (HttpURLConnection c : opened) {
            c.disconnect();
            dropIdle(c.getURL()); // disconnect() leaves a finished keep-alive socket in the JVM-wide cache
        }
    }

    /**
     * Closes the idle sockets the JVM-wide keep-alive cache (sun.net.www.http.HttpClient.kac)
     * holds for the URL's host and port: the only way to give the next spec a fresh client.
     * Needs --add-opens java.base/sun.net.www.http (the wrapper passes it); without it the
     * cache stays, and the harness's isolation scenario ISO-01 says so.
     */
    private static void dropIdle(URL url) {
        try {
            Class<?> hc = Class.forName("sun.net.www.http.HttpClient");
            java.lang.reflect.Field f = hc.getDeclaredField("kac");
            f.setAccessible(true);
            Object kac = f.get(null);
            java.lang.reflect.Method get = kac.getClass().getMethod("get", URL.class, Object.class);
            java.lang.reflect.Method closeServer = hc.getMethod("closeServer");
            for (Object idle; (idle = get.invoke(kac, url, null)) != null; ) closeServer.invoke(idle);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("java-urlconnection adapter: cannot empty the keep-alive cache: " + e);
        }
    }

    @Override
    public Adapter.Response request(Adapter.Req r) throws Exception {
        HttpURLConnection c;
        try {
            c = open(r);
        } catch (IllegalArgumentException | IllegalStateException e) { // a field or method it refuses to send
            throw new Adapter.Classified("invalid_request", e);
        }
        return exchange(c, r);
    }

    private HttpURLConnection open(Adapter.Req r) throws Exception {
        URL url = new URL(r.url);
        HttpURLConnection c;
        if (r.proxy != null) {
            URI p = new URI(r.proxy);
            c = (HttpURLConnection) url.openConnection(new Proxy(Proxy.Type.HTTP,
                    new InetSocketAddress(p.getHost(), p.getPort())));
            if (p.getRawUserInfo() != null) c.setAuthenticator(HttpClientAdapter.proxyCredentials(p.getRawUserInfo()));
        } else {
            c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        }
        int t = (int) Math.min(Integer.MAX_VALUE, Math.max(1, r.timeoutMs()));
        c.setConnectTimeout(t);
        c.setReadTimeout(t);
        if (r.redirect != null) c.setInstanceFollowRedirects(r.redirect);
        if (!METHODS.contains(r.method) && r.method.chars().allMatch(ch -> ch > 32 && ch < 127 && "()<>@,;:\\\"/[]?={}".indexOf(ch) < 0))
            throw new Adapter.Classified("unsupported", "HttpURLConnection sends only " + METHODS + ", not " + r.method);
        c.setRequestMethod(r.method);
        for (String[] h : r.headers) c.addRequestProperty(h[0], h[1]);
        opened.add(c);
        return c;
    }

    private static Adapter.Response exchange(HttpURLConnection c, Adapter.Req r) throws Exception {
        if (r.body != null) {
            c.setDoOutput(true);
            try (OutputStream o = c.getOutputStream()) {
                o.write(r.body);
            }
        }
        Adapter.Response out = new Adapter.Response();
        out.status = c.getResponseCode();
        String statusLine = c.getHeaderField(0);
        if (out.status < 0)
            throw new Adapter.Classified("protocol", "HttpURLConnection.getResponseCode() is -1: no valid status line ("
                    + statusLine + ")");
        out.reason = c.getResponseMessage();
        out.version = statusLine != null && statusLine.indexOf(' ') > 0 ? statusLine.substring(0, statusLine.indexOf(' ')) : null;
        for (int i = 1; ; i++) { // field 0 is the status line; the rest in received order
            String v = c.getHeaderField(i), k = c.getHeaderFieldKey(i);
            if (v == null && k == null) break;
            out.headers.add(new String[] {k == null ? "" : k, v == null ? "" : v}); // a line without a name: HttpURLConnection keeps it nameless
        }
        InputStream in = out.status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
            try (InputStream body = in) {
                out.body = Adapter.readBody(body);
            }
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Adapter a = new Adapter("java-urlconnection", Runtime.version().toString(),
                List.of("simple-form", "generic-form", "proxy", "redirect-control", "request-body", "timeouts",
                        "sequence", "custom-headers", "head"),
                UrlConnectionAdapter::new, UrlConnectionAdapter::classify);
        System.exit(a.main(args));
    }

    /** Its chunked decoder and header parser throw plain IOExceptions: their words tell them apart. */
    static String classify(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof IllegalArgumentException && !(e instanceof NumberFormatException))
            return "invalid_request"; // raised while connecting: an address it will not dial (port 70000)
        if (m.contains("redirected too many")) return "too_many_redirects";
        if (m.contains("Premature EOF") || m.contains("Unexpected end of file")) return "closed";
        if (m.contains("Invalid HTTP method")) return "invalid_request";
        if (m.contains("too long") || m.contains("too big")) return "limit";
        if (e instanceof IOException && (m.contains("Bogus") || m.contains("missing CR") || m.contains("should be proceeded")
                || m.contains("Malformed") || m.contains("Invalid") || m.contains("invalid") || m.contains("chunk")))
            return "protocol";
        return null;
    }
}
