<?php
// Shared plumbing for the PHP adapters (DESIGN.md "Adapter protocol"): --describe,
// one spec on stdin (one-shot) or one spec per line (--serve, serve_seq echoed),
// `then` on the same client, base64, and the mapping of PHP's warning texts to
// the shared error classes (PHP's stream functions fail with false and a warning).
//
// An adapter calls adapter_main($name, $version, $caps, $factory, $classify): the
// factory is called once per spec and returns an object whose request($spec)
// returns ['status', 'reason', 'version', 'headers' => [[n, v]...], 'body'] or
// throws (AdapterError when the class is known).

class AdapterError extends Exception
{
    public string $cls;

    public function __construct(string $cls, string $message)
    {
        parent::__construct($message);
        $this->cls = $cls;
    }
}

/** [method, body bytes or null]; form=simple with a body makes it a POST */
function spec_body(array $spec): array
{
    $body = isset($spec['body']) ? base64_decode($spec['body']) : null;
    $method = $spec['method'] ?? '';
    if ($method === '') {
        $method = (($spec['form'] ?? '') === 'simple' && $body !== null) ? 'POST' : 'GET';
    }
    return [$method, $body];
}

/** caller headers as ordered [name, value] pairs; form=simple adds the form type */
function spec_headers(array $spec): array
{
    $h = array_map(fn($p) => [$p[0], $p[1]], $spec['headers'] ?? []);
    if (($spec['form'] ?? '') === 'simple' && isset($spec['body'])) {
        $has = array_filter($h, fn($p) => strcasecmp($p[0], 'content-type') === 0);
        if (!$has) {
            $h[] = ['Content-Type', 'application/x-www-form-urlencoded'];
        }
    }
    return $h;
}

// PHP's own words (main/network.c, ext/standard/http_fopen_wrapper.c), most specific first
const GENERIC_CLASSES = [
    ['/getaddrinfo|name or service not known|no address associated/i', 'dns'],
    ['/connection refused|network is unreachable|no route to host/i', 'connect'],
    ['/timed out|timeout/i', 'timeout'],
    ['/redirection limit reached/i', 'too_many_redirects'],
    ['/invalid redirect url/i', 'redirect_refused'],
    ['/invalid url|cannot be used|must not contain/i', 'invalid_request'],
    ['/connection reset|broken pipe|request failed!|send of \d+ bytes failed/i', 'closed'],
    ['/invalid chunk|dechunk|malformed|invalid response format/i', 'protocol'],
];

function classify(Throwable $e, ?callable $extra): string
{
    if ($e instanceof AdapterError) {
        return $e->cls;
    }
    $text = $e->getMessage();
    if ($extra && ($c = $extra($text))) {
        return $c;
    }
    foreach (GENERIC_CLASSES as [$rx, $cls]) {
        if (preg_match($rx, $text)) {
            return $cls;
        }
    }
    return 'unclassified';
}

/** bytes off the wire as JSON text: each byte one code point (ISO-8859-1), as Python's http.client shows them */
function latin1(?string $s): ?string
{
    if ($s === null) {
        return null;
    }
    return preg_replace_callback('/[\x80-\xff]/', fn($m) => chr(0xC0 | (ord($m[0]) >> 6)) . chr(0x80 | (ord($m[0]) & 0x3F)), $s);
}

function one_result(array $impl, ?callable $extra, callable $fn): array
{
    try {
        $r = $fn();
    } catch (Throwable $e) {
        $msg = latin1(substr($e->getMessage(), 0, 2000));
        return ['outcome' => 'error', 'error' => ['class' => classify($e, $extra), 'message' => $msg],
                'implementation' => $impl];
    }
    return ['outcome' => 'response', 'status' => $r['status'], 'reason' => latin1($r['reason']),
            'version' => $r['version'], 'headers' => array_map(fn($p) => [latin1($p[0]), latin1($p[1])], $r['headers']),
            'body' => base64_encode($r['body'] ?? ''), 'implementation' => $impl];
}

/** one spec, its `then` follow-ups on the same client */
function run_spec(array $spec, array $impl, callable $factory, ?callable $extra): array
{
    $client = $factory($spec);
    $result = one_result($impl, $extra, fn() => $client->request($spec));
    if (isset($spec['then']) && is_array($spec['then'])) {
        $result['then'] = [];
        foreach ($spec['then'] as $sub) {
            $merged = $sub + ['timeout_s' => $spec['timeout_s'] ?? null];
            $result['then'][] = one_result($impl, $extra, fn() => $client->request($merged));
        }
    }
    return $result;
}

function parse_spec(string $text): array
{
    $spec = json_decode($text, true, 64, JSON_THROW_ON_ERROR);
    if (!is_array($spec) || !isset($spec['url']) || !is_string($spec['url'])) {
        throw new Exception('spec must be an object with a string url');
    }
    return $spec;
}

function to_json(array $r): string
{
    return json_encode($r, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
}

function serve(array $impl, callable $factory, ?callable $extra): int
{
    while (($line = fgets(STDIN)) !== false) {
        if (trim($line) === '') {
            continue; // a blank line is no spec and gets no answer, as in _pyadapter
        }
        $seq = preg_match('/"serve_seq"\s*:\s*(-?\d+)/', $line, $m) ? (int) $m[1] : null;
        try {
            $spec = parse_spec($line);
            $seq = $spec['serve_seq'] ?? null;
            $out = to_json(run_spec($spec, $impl, $factory, $extra) + ['serve_seq' => $seq]);
        } catch (Throwable $e) {
            $r = ['outcome' => 'error', 'error' => ['class' => 'other',
                  'message' => 'bad request spec: ' . latin1($e->getMessage())], 'implementation' => $impl];
            $out = to_json($seq === null ? $r : $r + ['serve_seq' => $seq]);
        }
        fwrite(STDOUT, $out . "\n");
        fflush(STDOUT);
    }
    return 0;
}

function adapter_main(string $name, string $version, array $caps, callable $factory, ?callable $classify = null): int
{
    global $argv;
    $impl = ['name' => $name, 'version' => $version];
    if (in_array('--describe', $argv, true)) {
        fwrite(STDOUT, to_json($impl + ['capabilities' => array_merge($caps, ['serve'])]) . "\n");
        return 0;
    }
    if (in_array('--serve', $argv, true)) {
        return serve($impl, $factory, $classify);
    }
    try {
        $spec = parse_spec(stream_get_contents(STDIN));
    } catch (Throwable $e) {
        fwrite(STDERR, "$name adapter: bad request spec: {$e->getMessage()}\n");
        return 2;
    }
    fwrite(STDOUT, to_json(run_spec($spec, $impl, $factory, $classify)) . "\n");
    return 0;
}
