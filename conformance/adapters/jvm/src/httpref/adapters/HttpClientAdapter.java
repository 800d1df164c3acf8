package httpref.adapters;

import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Adapter: java.net.http.HttpClient (JDK 11+). Each spec gets a fresh
 * HttpClient built with its defaults but HTTP/1.1 only and no proxy (unless
 * the spec names one); `then` reuses that client's pool. Redirects follow the
 * client's own default (NEVER) unless the spec asks, then Redirect.NORMAL.
 * The request timeout (HttpRequest.timeout) is the client's, and it ends at
 * the response head; the whole exchange is bounded the JDK's documented way,
 * sendAsync(...).get(timeout), with a body subscriber that stops at the
 * adapter's body cap. No max-redirects: the limit is the JVM-wide property
 * jdk.httpclient.redirects.retrylimit, read once. No reason phrase: the API
 * has none.
 */
public final class HttpClientAdapter implements Adapter.Client {
    private HttpClient client;

    private HttpClient client(Adapter.Req r) throws Exception {
        if (client != null) return client; // a `then` sequence keeps its first spec's settings
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(r.timeoutMs()))
                .followRedirects(Boolean.TRUE.equals(r.redirect) ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY);
        if (r.proxy != null) {
            URI p = new URI(r.proxy);
            b.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort())));
            String ui = p.getRawUserInfo();
            if (ui != null) b.authenticator(proxyCredentials(ui));
        }
        return client = b.build();
    }

    /** The proxy URL's userinfo, answered when the proxy asks (407): the API's way. */
    static Authenticator proxyCredentials(String userinfo) {
        int colon = userinfo.indexOf(':');
        String user = URLDecoder.decode(colon < 0 ? userinfo : userinfo.substring(0, colon), StandardCharsets.UTF_8);
        String pass = colon < 0 ? "" : URLDecoder.decode(userinfo.substring(colon + 1), StandardCharsets.UTF_8);
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                if (getRequestorType() != RequestorType.PROXY) return null;
                return new PasswordAuthentication(user, pass.toCharArray());
            }
        };
    }

    @Override
    public Adapter.Response request(Adapter.Req r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(r.timeoutMs());
        Capped body = new Capped();
        CompletableFuture<HttpResponse<byte[]>> f;
        try {
            f = client(r).sendAsync(build(r), info -> body);
        } catch (IllegalArgumentException | URISyntaxException e) {
            // the restricted names (Host, Connection, Content-Length, Upgrade...) cannot be set
            String cls = String.valueOf(e.getMessage()).contains("restricted header name") ? "unsupported" : "invalid_request";
            throw new Adapter.Classified(cls, e);
        }
        HttpResponse<byte[]> resp;
        try {
            resp = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            body.cancel();
            f.cancel(true);
            throw new Adapter.Classified("timeout", "adapter: no complete response within the spec's " + r.timeoutS
                    + " s (sendAsync(...).get(timeout))", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        Adapter.Response out = new Adapter.Response();
        out.status = resp.statusCode();
        out.version = resp.version() == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
        for (Map.Entry<String, List<String>> e : resp.headers().map().entrySet()) {
            for (String v : e.getValue()) out.headers.add(new String[] {e.getKey(), v});
        }
        out.body = resp.body() == null ? new byte[0] : resp.body();
        return out;
    }

    /** The request, as the builder has it; Expect: 100-continue is its expectContinue(true). */
    private static HttpRequest build(Adapter.Req r) throws URISyntaxException {
        HttpRequest.Builder b = HttpRequest.newBuilder(new URI(r.url)).timeout(Duration.ofMillis(r.timeoutMs()))
                .method(r.method, r.body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body));
        for (String[] h : r.headers) {
            if (h[0].equalsIgnoreCase("Expect") && h[1].equalsIgnoreCase("100-continue")) b.expectContinue(true);
            else b.header(h[0], h[1]);
        }
        return b.build();
    }

    /** Collects a body, keeping up to Adapter.MAX_BODY (past it: read to the end, class other);
     *  cancel() stops the exchange's reading. */
    static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        private boolean over;
        private volatile Flow.Subscription sub;
        private volatile boolean cancelled;

        void cancel() {
            cancelled = true;
            Flow.Subscription s = sub;
            if (s != null) s.cancel();
        }

        @Override
        public CompletableFuture<byte[]> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            sub = s;
            if (cancelled) s.cancel();
            else s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer bb : items) {
                if (over) {
                    bb.position(bb.limit());
                    continue;
                }
                byte[] a = new byte[bb.remaining()];
                bb.get(a);
                buf.write(a, 0, a.length);
            }
            if (!over && buf.size() > Adapter.MAX_BODY) { // read on, keeping nothing: the client's bounds decide
                over = true;
                buf.reset();
            }
            if (!cancelled) sub.request(1);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (over) done.completeExceptionally(new Adapter.Classified("other", Adapter.OVER_CAP));
            else done.complete(buf.toByteArray());
        }
    }

    public static void main(String[] args) throws Exception {
        Adapter a = new Adapter("java-httpclient", Runtime.version().toString(),
                List.of("simple-form", "generic-form", "proxy", "redirect-control", "request-body", "timeouts",
                        "sequence", "custom-headers", "head"),
                HttpClientAdapter::new, HttpClientAdapter::classify);
        System.exit(a.main(args));
    }

    /** HttpClient reports most failures as a plain IOException: its words tell them apart. */
    static String classify(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof java.net.http.HttpConnectTimeoutException) return "timeout";
        if (e instanceof IllegalArgumentException && !(e instanceof NumberFormatException))
            return "invalid_request"; // from the exchange: an address it will not dial (port 70000, a Location's empty host)
        if (m.contains("Too many redirects") || m.contains("too many redirects")) return "too_many_redirects";
        if (m.contains("size too long") || m.contains("size too big") || m.contains("Too many interim")) return "limit";
        if (m.contains("no bytes") || m.contains("EOF reached") || m.contains("connection closed locally")
                || m.contains("fixed content-length") || m.contains("Connection reset")) return "closed";
        if (m.contains("Invalid") || m.contains("invalid") || m.contains("Illegal") || m.contains("Bad ")
                || m.contains("bad ") || m.contains("nexpected") || m.contains("header missing"))
            return "protocol";
        return null;
    }
}
