<?php
// Adapter: PHP's http:// stream wrapper, fopen() with an http stream context and
// stream_get_meta_data() for the heads: ignore_errors (a 4xx/5xx is a response),
// protocol_version 1.1, PHP's own redirect following (follow_location, max_redirects
// 20) unless the spec says otherwise. Each request is its own connection (PHP sends
// Connection: close), so `sequence` is not declared. URL userinfo is sent by PHP
// itself; a proxy's userinfo becomes a Proxy-Authorization field, PHP's documented
// way, and request_fulluri sends it the absolute form (PHP's default is origin-form).
require __DIR__ . '/_phpadapter.php';

const CAPS = ['simple-form', 'generic-form', 'proxy', 'redirect-control', 'max-redirects', 'request-body',
              'timeouts', 'custom-headers', 'head'];

class StreamsClient
{
    /** the warnings PHP raised while $fn ran, with its return value */
    private static function collect(callable $fn): array
    {
        $warnings = [];
        set_error_handler(function (int $no, string $text) use (&$warnings) {
            if ($no & (E_WARNING | E_USER_WARNING)) {
                $warnings[] = $text;
            }
            return true;
        });
        try {
            return [$fn(), $warnings];
        } finally {
            restore_error_handler();
        }
    }

    public function request(array $spec): array
    {
        [$method, $body] = spec_body($spec);
        $headers = array_map(fn($p) => "$p[0]: $p[1]", spec_headers($spec));
        $http = ['method' => $method, 'ignore_errors' => true, 'protocol_version' => 1.1,
                 'timeout' => (float) ($spec['timeout_s'] ?? 30)];
        if ($body !== null) {
            $http['content'] = $body;
        }
        if (isset($spec['redirect']) && !$spec['redirect']) {
            $http['follow_location'] = 0;
        } elseif (isset($spec['max_redirects'])) {
            $http['max_redirects'] = $spec['max_redirects'];
        }
        if (!empty($spec['proxy'])) {
            $p = parse_url($spec['proxy']);
            $http['proxy'] = 'tcp://' . $p['host'] . ':' . ($p['port'] ?? 80);
            $http['request_fulluri'] = true;
            if (isset($p['user'])) {
                $cred = rawurldecode($p['user']) . ':' . rawurldecode($p['pass'] ?? '');
                $headers[] = 'Proxy-Authorization: Basic ' . base64_encode($cred);
            }
        }
        $http['header'] = $headers;
        $ctx = stream_context_create(['http' => $http]);
        [$fp, $warnings] = self::collect(fn() => fopen($spec['url'], 'rb', false, $ctx));
        if ($fp === false) {
            $text = $warnings ? implode(' <- ', $warnings) : 'fopen returned false';
            // the wrapper's generic "operation failed" when its own URL parser (php_url_parse,
            // which is parse_url()) refused the URL: nothing was sent
            if (parse_url($spec['url']) === false) {
                throw new AdapterError('invalid_request', $text);
            }
            throw new Exception($text);
        }
        $heads = stream_get_meta_data($fp)['wrapper_data'] ?? [];
        [$data, $warnings] = self::collect(fn() => stream_get_contents($fp));
        $timedOut = stream_get_meta_data($fp)['timed_out'];
        fclose($fp);
        if ($timedOut) {
            throw new AdapterError('timeout', 'stream timed out reading the body' . ($warnings ? ': ' . implode(' <- ', $warnings) : ''));
        }
        if ($warnings || $data === false) {
            throw new Exception($warnings ? implode(' <- ', $warnings) : 'stream_get_contents returned false');
        }
        return self::response($heads, $data);
    }

    /** the last head of wrapper_data (it holds every head of a redirect chain) as a response */
    private static function response(array $heads, string $data): array
    {
        $start = 0;
        foreach ($heads as $i => $line) {
            if (preg_match('#^HTTP/#i', $line)) {
                $start = $i;
            }
        }
        // the status as PHP itself reads it (http_fopen_wrapper.c: atoi(line + 9), 0 for a shorter
        // line): PHP refuses no status line, so neither does this
        $line = $heads[$start] ?? '';
        $code = strlen($line) > 9 ? intval(substr($line, 9)) : 0;
        $reason = preg_match('/^\s*[+-]?\d+ ?(.*)$/s', substr($line, 9), $m) ? $m[1] : '';
        $version = preg_match('#^(HTTP/[^ ]*)#', $line, $v) ? $v[1] : null;
        $fields = [];
        foreach (array_slice($heads, $start + 1) as $l) {
            $c = strpos($l, ':');
            $fields[] = $c === false ? [$l, ''] : [substr($l, 0, $c), ltrim(substr($l, $c + 1), " \t")];
        }
        return ['status' => $code, 'reason' => $reason, 'version' => $version, 'headers' => $fields, 'body' => $data];
    }
}

exit(adapter_main('php-streams', 'PHP ' . PHP_VERSION, CAPS, fn() => new StreamsClient()));
