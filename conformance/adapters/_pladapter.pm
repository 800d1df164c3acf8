# Shared plumbing for the Perl adapters (DESIGN.md "Adapter protocol"): --describe,
# one spec on stdin (one-shot) or one spec per line (--serve, serve_seq echoed),
# `then` on the same client, base64, and the mapping of the libraries' error
# texts to the shared classes (LWP and HTTP::Tiny report errors as strings: LWP in
# an "Internal response" or an X-Died field, HTTP::Tiny in a 599 response).
#
# An adapter calls PlAdapter::main(name => ..., version => ..., capabilities => [...],
# factory => sub { client }, classify => sub { $text -> class or undef }); the factory
# is called once per spec. A client's request($spec) returns
# {status, reason, version, headers => [[n, v]...], body} or dies with a string or
# with PlAdapter::error($class, $message).
package PlAdapter;
use strict;
use warnings;
use JSON::PP ();
use MIME::Base64 qw(decode_base64 encode_base64);

# UTF-8 on the wire both ways: a result's byte strings go out as code points 0-255
my $JSON = JSON::PP->new->utf8;

# a failure whose class the adapter already knows
sub error { my ($class, $message) = @_; return bless { class => $class, message => $message }, 'PlAdapter::Error' }

# (method, body bytes or undef); form=simple with a body makes it a POST
sub spec_body {
    my ($spec) = @_;
    my $body = defined $spec->{body} ? decode_base64($spec->{body}) : undef;
    my $method = $spec->{method};
    $method = (($spec->{form} // '') eq 'simple' && defined $body) ? 'POST' : 'GET' unless length($method // '');
    return ($method, $body);
}

# caller headers as ordered [name, value] pairs; form=simple adds the form type
sub spec_headers {
    my ($spec) = @_;
    my @h = map { [$_->[0], $_->[1]] } @{ $spec->{headers} || [] };
    if (($spec->{form} // '') eq 'simple' && defined $spec->{body} && !grep { lc $_->[0] eq 'content-type' } @h) {
        push @h, ['Content-Type', 'application/x-www-form-urlencoded'];
    }
    return @h;
}

# the libraries' own words, in the order they must be tried (most specific first)
my @GENERIC = (
    [qr/certificate verify failed|SSL connect attempt failed|hostname verification failed|SSL_connect/i, 'tls'],
    [qr/name or service not known|bad hostname|no address associated|temporary failure in name resolution/i, 'dns'],
    [qr/connection refused|network is unreachable|no route to host|establishing SSL tunnel failed/i, 'connect'],
    [qr/timed? ?out|timeout/i, 'timeout'],
    [qr/line too long|exceeds the maximum|too many header lines|exceeds maximum number/i, 'limit'],
    [qr/wide character in|bad method or uri|unsupported http version|invalid http header field|cannot parse url/i,
     'invalid_request'],
    [qr/user name can't contain|no host option provided|servname not supported/i, 'invalid_request'],
    [qr/unexpected end of stream|server closed connection|eof when chunk header|connection reset|broken pipe/i, 'closed'],
    [qr/socket closed by remote|content-length mismatch|read failed/i, 'closed'],
    [qr/malformed|bad header|bad response status|bad chunk|missing newline after chunk|chunked must be last/i, 'protocol'],
    [qr/transfer encoding|can't gunzip|inflat|unexpected header continuation|unsupported http protocol/i, 'protocol'],
);

sub classify {
    my ($err, $extra) = @_;
    return $err->{class} if ref $err eq 'PlAdapter::Error';
    my $text = "$err";
    if ($extra) {
        my $c = $extra->($text);
        return $c if $c;
    }
    for my $rule (@GENERIC) {
        return $rule->[1] if $text =~ $rule->[0];
    }
    return 'unclassified';
}

# bytes off the wire as JSON text: each byte one code point (ISO-8859-1), as Python's
# http.client shows them; Perl strings of bytes already are exactly that
sub _text { my ($s) = @_; return defined $s ? "$s" : undef }

sub _result {
    my ($impl, $extra, $code) = @_;
    my $r = eval { $code->() };
    if (my $err = $@ || (!$r && 'the adapter returned nothing')) {
        my $msg = ref $err eq 'PlAdapter::Error' ? $err->{message} : "$err";
        $msg =~ s/\s+\z//;
        return { outcome => 'error', error => { class => classify($err, $extra), message => substr($msg, 0, 2000) },
                 implementation => $impl };
    }
    return { outcome => 'response', status => 0 + $r->{status}, reason => _text($r->{reason}),
             version => $r->{version}, headers => [map { [_text($_->[0]), _text($_->[1])] } @{ $r->{headers} }],
             body => encode_base64($r->{body} // '', ''), implementation => $impl };
}

# one spec, its `then` follow-ups on the same client, then the client dropped
sub run_spec {
    my ($spec, $impl, $factory, $extra) = @_;
    my $client = $factory->($spec);
    my $result = _result($impl, $extra, sub { $client->request($spec) });
    if (ref $spec->{then} eq 'ARRAY') {
        $result->{then} = [map {
            my $sub = { timeout_s => $spec->{timeout_s}, %$_ };
            _result($impl, $extra, sub { $client->request($sub) })
        } @{ $spec->{then} }];
    }
    eval { $client->close if $client->can('close'); 1 };  # closing is best effort
    return $result;
}

# the spec's text as the UTF-8 bytes it stands for: the libraries want bytes
sub _bytes {
    my ($v) = @_;
    return [map { _bytes($_) } @$v] if ref $v eq 'ARRAY';
    return { map { $_ => _bytes($v->{$_}) } keys %$v } if ref $v eq 'HASH';
    utf8::encode($v) if defined $v && !ref $v && utf8::is_utf8($v);
    return $v;
}

sub parse_spec {
    my ($text) = @_;
    my $spec = _bytes($JSON->decode($text));
    die "spec must be an object with a string url\n" unless ref $spec eq 'HASH' && defined $spec->{url} && !ref $spec->{url};
    return $spec;
}

sub serve {
    my ($impl, $factory, $extra) = @_;
    local $| = 1;
    while (my $line = <STDIN>) {
        next unless $line =~ /\S/;  # a blank line is no spec and gets no answer, as in _pyadapter
        my ($seq) = $line =~ /"serve_seq"\s*:\s*(-?\d+)/;
        my $out = eval {
            my $spec = parse_spec($line);
            $seq = $spec->{serve_seq};
            my $r = run_spec($spec, $impl, $factory, $extra);
            $r->{serve_seq} = $seq;
            $JSON->encode($r);
        };
        unless (defined $out) {
            (my $why = $@) =~ s/\s+\z//;
            my $r = { outcome => 'error', error => { class => 'other', message => "bad request spec: $why" },
                      implementation => $impl };
            $r->{serve_seq} = 0 + $seq if defined $seq;
            $out = $JSON->encode($r);
        }
        print STDOUT $out, "\n";
    }
    return 0;
}

sub main {
    my %a = @_;
    my $impl = { name => $a{name}, version => $a{version} };
    binmode STDOUT;
    binmode STDIN;
    if (grep { $_ eq '--describe' } @ARGV) {
        print STDOUT $JSON->encode({ %$impl, capabilities => [@{ $a{capabilities} }, 'serve'] }), "\n";
        return 0;
    }
    return serve($impl, $a{factory}, $a{classify}) if grep { $_ eq '--serve' } @ARGV;
    my $spec = eval { local $/; parse_spec(scalar <STDIN>) };
    unless ($spec) {
        print STDERR "$a{name} adapter: bad request spec: $@";
        return 2;
    }
    print STDOUT $JSON->encode(run_spec($spec, $impl, $a{factory}, $a{classify})), "\n";
    return 0;
}

1;
