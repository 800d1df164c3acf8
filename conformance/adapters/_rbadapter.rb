# Shared plumbing for the Ruby adapters (DESIGN.md "Adapter protocol"): --describe,
# one spec on stdin (one-shot) or one spec per line (--serve, serve_seq echoed),
# `then` on the same client, base64, and the mapping of Ruby's exceptions to the
# shared error classes. An adapter calls RbAdapter.main with a factory whose
# objects answer request(spec) -> Response (and optionally close); the factory is
# called once per spec, so nothing but a spec's own `then` shares a client.
require 'base64'
require 'json'
require 'socket'
require 'timeout'

module RbAdapter
  Response = Struct.new(:status, :reason, :version, :headers, :body)

  # raised by an adapter that already knows the class of its failure
  class Classified < StandardError
    attr_reader :cls

    def initialize(cls, message)
      super(message)
      @cls = cls
    end
  end

  module_function

  # [method, body bytes or nil]; form=simple with a body makes it a POST
  def spec_body(spec)
    body = spec['body'].nil? ? nil : Base64.decode64(spec['body'])
    method = spec['method']
    method = spec['form'] == 'simple' && body ? 'POST' : 'GET' if method.nil? || method.empty?
    [method, body]
  end

  # caller headers as ordered [name, value] pairs; form=simple adds the form type
  def spec_headers(spec)
    headers = (spec['headers'] || []).map { |n, v| [n, v] }
    if spec['form'] == 'simple' && !spec['body'].nil? && headers.none? { |n, _| n.casecmp?('content-type') }
      headers << ['Content-Type', 'application/x-www-form-urlencoded']
    end
    headers
  end

  def chain(exc)
    out = []
    while exc && out.size < 10 && !out.include?(exc)
      out << exc
      exc = exc.cause
    end
    out
  end

  # the library's classes are looked up by name: a helper must not require them all
  GENERIC = [
    [%w[SocketError Socket::ResolutionError], 'dns'],
    [%w[OpenSSL::SSL::SSLError], 'tls'],
    [%w[Errno::ECONNREFUSED Errno::EHOSTUNREACH Errno::ENETUNREACH Errno::EADDRNOTAVAIL], 'connect'],
    [%w[Net::OpenTimeout Net::ReadTimeout Net::WriteTimeout Timeout::Error Errno::ETIMEDOUT], 'timeout'],
    [%w[EOFError Errno::ECONNRESET Errno::EPIPE Errno::ECONNABORTED IOError], 'closed'],
    [%w[Net::HTTPBadResponse Net::HTTPHeaderSyntaxError Net::ProtocolError Zlib::Error], 'protocol'],
    [%w[URI::InvalidURIError URI::InvalidComponentError ArgumentError], 'invalid_request']
  ].freeze

  def kind_of_named?(exc, names)
    names.any? do |n|
      k = n.split('::').reduce(Object) { |m, c| m.const_defined?(c, false) ? m.const_get(c, false) : nil }
      k.is_a?(Module) && exc.is_a?(k)
    rescue NameError
      false
    end
  end

  def classify(exc, extra)
    exs = chain(exc)
    exs.each { |e| return e.cls if e.is_a?(Classified) }
    if extra
      exs.each do |e|
        c = extra.call(e)
        return c if c
      end
    end
    GENERIC.each do |names, cls|
      exs.each { |e| return cls if kind_of_named?(e, names) }
    end
    text = exs.map(&:message).join(' ').downcase
    return 'dns' if text.include?('name or service not known') || text.include?('getaddrinfo')
    return 'connect' if text.include?('connection refused')
    'unclassified'
  end

  # bytes off the wire as JSON text: each byte one code point (ISO-8859-1), as Python's
  # http.client shows them, so a field's bytes survive whatever they are
  def text(s)
    return s unless s.is_a?(String)

    s.dup.force_encoding(Encoding::ISO_8859_1).encode(Encoding::UTF_8)
  end

  def result_of(impl, extra)
    r = yield
    { 'outcome' => 'response', 'status' => r.status, 'reason' => text(r.reason), 'version' => r.version,
      'headers' => r.headers.map { |n, v| [text(n), text(v)] }, 'body' => Base64.strict_encode64(r.body || ''),
      'implementation' => impl }
  rescue StandardError, Timeout::Error => e
    message = chain(e).map { |x| "#{x.class}: #{x.message.dup.force_encoding(Encoding::UTF_8).scrub}" }.join(' <- ')
    { 'outcome' => 'error', 'error' => { 'class' => classify(e, extra), 'message' => message[0, 2000] },
      'implementation' => impl }
  end

  # one spec, its `then` follow-ups on the same client, then the client closed
  def run_spec(spec, impl, factory, extra)
    client = factory.call
    result = result_of(impl, extra) { client.request(spec) }
    if spec['then'].is_a?(Array)
      result['then'] = spec['then'].map do |sub|
        merged = { 'timeout_s' => spec['timeout_s'] }.merge(sub)
        result_of(impl, extra) { client.request(merged) }
      end
    end
    begin
      client.close if client.respond_to?(:close)
    rescue StandardError
      nil # closing is best effort
    end
    result
  end

  def parse_spec(text)
    spec = JSON.parse(text)
    raise ArgumentError, 'spec must be an object with a string url' unless spec.is_a?(Hash) && spec['url'].is_a?(String)

    spec
  end

  def serve(impl, factory, extra)
    $stdout.sync = true
    $stdin.each_line do |line|
      next if line.strip.empty? # a blank line is no spec and gets no answer, as in _pyadapter

      seq = line[/"serve_seq"\s*:\s*(-?\d+)/, 1]&.to_i
      out = nil
      begin
        spec = parse_spec(line)
        seq = spec['serve_seq']
        result = run_spec(spec, impl, factory, extra)
        out = JSON.generate(result.merge('serve_seq' => seq))
      rescue StandardError => e
        result = { 'outcome' => 'error', 'error' => { 'class' => 'other', 'message' => "bad request spec: #{e.message.dup.force_encoding(Encoding::UTF_8).scrub}" },
                   'implementation' => impl }
      end
      result['serve_seq'] = seq unless seq.nil?
      $stdout.write((out || JSON.generate(result)) + "\n")
    end
    0
  end

  def main(name:, version:, capabilities:, factory:, classify: nil)
    impl = { 'name' => name, 'version' => version }
    if ARGV.include?('--describe')
      puts JSON.generate(impl.merge('capabilities' => capabilities + ['serve']))
      return 0
    end
    return serve(impl, factory, classify) if ARGV.include?('--serve')

    begin
      spec = parse_spec($stdin.read)
    rescue StandardError => e
      warn "#{name} adapter: bad request spec: #{e.message}"
      return 2
    end
    $stdout.write(JSON.generate(run_spec(spec, impl, factory, classify)) + "\n")
    0
  end
end
