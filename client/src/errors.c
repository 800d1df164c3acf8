/*
 * errors: text, stable name and class of every httpref_code.
 * Switches have no default: -Wall -Werror (-Wswitch) catches a code added to
 * the enum and forgotten here (curl's reasoning for curl_easy_strerror).
 */
#include "httpref.h"

const char *httpref_strerror(httpref_code code)
{
    switch (code) {
    case HTTPREF_OK:
        return "success";
    case HTTPREF_E_URL:
        return "malformed URL";
    case HTTPREF_E_URL_SCHEME:
        return "scheme other than http";
    case HTTPREF_E_URL_HOST:
        return "empty or invalid host";
    case HTTPREF_E_URL_PORT:
        return "invalid port";
    case HTTPREF_E_BAD_METHOD:
        return "method is not a token";
    case HTTPREF_E_BAD_FIELD_NAME:
        return "request field name is not a token";
    case HTTPREF_E_BAD_FIELD_VALUE:
        return "CR, LF, NUL or CTL in a request field value";
    case HTTPREF_E_BAD_CREDENTIALS:
        return "user-id with ':' or CTL in credentials";
    case HTTPREF_E_DUPLICATE_FIELD:
        return "singleton request field given twice";
    case HTTPREF_E_BODY_NOT_ALLOWED:
        return "body given for GET/HEAD (or TRACE)";
    case HTTPREF_E_BAD_OPTION:
        return "invalid option value or API misuse";
    case HTTPREF_E_DNS:
        return "host not found";
    case HTTPREF_E_CONNECT:
        return "connection refused / unreachable";
    case HTTPREF_E_CONNECT_TIMEOUT:
        return "connect did not finish in time";
    case HTTPREF_E_TIMEOUT:
        return "no progress within the per-operation timeout";
    case HTTPREF_E_DEADLINE:
        return "total deadline exceeded";
    case HTTPREF_E_SEND:
        return "peer closed or reset while sending";
    case HTTPREF_E_RECV:
        return "connection reset while receiving";
    case HTTPREF_E_EMPTY_REPLY:
        return "peer closed before sending any byte";
    case HTTPREF_E_INCOMPLETE:
        return "peer closed before the message ended";
    case HTTPREF_E_BAD_STATUS_LINE:
        return "status line syntax";
    case HTTPREF_E_BAD_VERSION:
        return "HTTP-version not HTTP/1.x";
    case HTTPREF_E_BAD_STATUS_CODE:
        return "status code not 3 digits in 100..999";
    case HTTPREF_E_BAD_REASON:
        return "control character in reason phrase";
    case HTTPREF_E_BAD_FIELD_LINE:
        return "field line without colon, space before colon, leading space";
    case HTTPREF_E_BAD_RESPONSE_FIELD_NAME:
        return "response field name is not a token";
    case HTTPREF_E_BAD_RESPONSE_FIELD_VALUE:
        return "NUL or CTL in a response field value";
    case HTTPREF_E_BARE_CR:
        return "CR not followed by LF";
    case HTTPREF_E_BARE_LF:
        return "LF without CR (strict mode)";
    case HTTPREF_E_OBS_FOLD:
        return "obs-fold where it is not allowed";
    case HTTPREF_E_BAD_CONTENT_LENGTH:
        return "Content-Length not 1*DIGIT or too large";
    case HTTPREF_E_CONFLICTING_CONTENT_LENGTH:
        return "Content-Length values differ";
    case HTTPREF_E_TE_AND_CL:
        return "both Transfer-Encoding and Content-Length";
    case HTTPREF_E_BAD_TRANSFER_ENCODING:
        return "malformed, repeated or misplaced chunked";
    case HTTPREF_E_UNSUPPORTED_TRANSFER_CODING:
        return "transfer coding other than chunked";
    case HTTPREF_E_BAD_CHUNK_SIZE:
        return "chunk-size not 1..16 HEXDIG";
    case HTTPREF_E_BAD_CHUNK_EXT:
        return "chunk extension syntax";
    case HTTPREF_E_BAD_CHUNK_DATA_END:
        return "chunk-data not followed by CRLF";
    case HTTPREF_E_BAD_TRAILER:
        return "trailer section syntax";
    case HTTPREF_E_UNEXPECTED_101:
        return "101 Switching Protocols nobody asked for";
    case HTTPREF_E_NOT_HTTP:
        return "reply does not start with \"HTTP/\" (0.9, TLS, SSH...)";
    case HTTPREF_E_TOO_MANY_INTERIM:
        return "more 1xx responses than allowed";
    case HTTPREF_E_STATUS_LINE_TOO_LONG:
        return "status line over the limit";
    case HTTPREF_E_FIELD_TOO_LONG:
        return "one field line over the limit";
    case HTTPREF_E_HEADER_TOO_LARGE:
        return "header section over the limit";
    case HTTPREF_E_TOO_MANY_FIELDS:
        return "more field lines than allowed";
    case HTTPREF_E_BODY_TOO_LARGE:
        return "body over the configured maximum";
    case HTTPREF_E_CHUNK_EXT_TOO_LONG:
        return "chunk extensions over the limit";
    case HTTPREF_E_TOO_MANY_REDIRECTS:
        return "redirect hop limit";
    case HTTPREF_E_REDIRECT_LOOP:
        return "redirect cycle detected";
    case HTTPREF_E_REDIRECT_REFUSED:
        return "redirect to a forbidden scheme, a downgrade or with userinfo";
    case HTTPREF_E_BAD_LOCATION:
        return "Location unparsable or repeated with other values";
    case HTTPREF_E_SINK:
        return "the body sink aborted";
    case HTTPREF_E_SOURCE:
        return "the body source failed or gave a wrong length";
    case HTTPREF_E_NOMEM:
        return "out of memory";
    case HTTPREF_E_INTERNAL:
        return "internal error (a bug)";
    case HTTPREF_E_TRANSPORT:
        return "a custom transport failed";
    case HTTPREF_E_PROXY:
        return "proxy URL invalid";
    }
    return "unknown error code";
}

const char *httpref_code_name(httpref_code code)
{
    switch (code) {
    case HTTPREF_OK:
        return "OK";
    case HTTPREF_E_URL:
        return "URL";
    case HTTPREF_E_URL_SCHEME:
        return "URL_SCHEME";
    case HTTPREF_E_URL_HOST:
        return "URL_HOST";
    case HTTPREF_E_URL_PORT:
        return "URL_PORT";
    case HTTPREF_E_BAD_METHOD:
        return "BAD_METHOD";
    case HTTPREF_E_BAD_FIELD_NAME:
        return "BAD_FIELD_NAME";
    case HTTPREF_E_BAD_FIELD_VALUE:
        return "BAD_FIELD_VALUE";
    case HTTPREF_E_BAD_CREDENTIALS:
        return "BAD_CREDENTIALS";
    case HTTPREF_E_DUPLICATE_FIELD:
        return "DUPLICATE_FIELD";
    case HTTPREF_E_BODY_NOT_ALLOWED:
        return "BODY_NOT_ALLOWED";
    case HTTPREF_E_BAD_OPTION:
        return "BAD_OPTION";
    case HTTPREF_E_DNS:
        return "DNS";
    case HTTPREF_E_CONNECT:
        return "CONNECT";
    case HTTPREF_E_CONNECT_TIMEOUT:
        return "CONNECT_TIMEOUT";
    case HTTPREF_E_TIMEOUT:
        return "TIMEOUT";
    case HTTPREF_E_DEADLINE:
        return "DEADLINE";
    case HTTPREF_E_SEND:
        return "SEND";
    case HTTPREF_E_RECV:
        return "RECV";
    case HTTPREF_E_EMPTY_REPLY:
        return "EMPTY_REPLY";
    case HTTPREF_E_INCOMPLETE:
        return "INCOMPLETE";
    case HTTPREF_E_BAD_STATUS_LINE:
        return "BAD_STATUS_LINE";
    case HTTPREF_E_BAD_VERSION:
        return "BAD_VERSION";
    case HTTPREF_E_BAD_STATUS_CODE:
        return "BAD_STATUS_CODE";
    case HTTPREF_E_BAD_REASON:
        return "BAD_REASON";
    case HTTPREF_E_BAD_FIELD_LINE:
        return "BAD_FIELD_LINE";
    case HTTPREF_E_BAD_RESPONSE_FIELD_NAME:
        return "BAD_RESPONSE_FIELD_NAME";
    case HTTPREF_E_BAD_RESPONSE_FIELD_VALUE:
        return "BAD_RESPONSE_FIELD_VALUE";
    case HTTPREF_E_BARE_CR:
        return "BARE_CR";
    case HTTPREF_E_BARE_LF:
        return "BARE_LF";
    case HTTPREF_E_OBS_FOLD:
        return "OBS_FOLD";
    case HTTPREF_E_BAD_CONTENT_LENGTH:
        return "BAD_CONTENT_LENGTH";
    case HTTPREF_E_CONFLICTING_CONTENT_LENGTH:
        return "CONFLICTING_CONTENT_LENGTH";
    case HTTPREF_E_TE_AND_CL:
        return "TE_AND_CL";
    case HTTPREF_E_BAD_TRANSFER_ENCODING:
        return "BAD_TRANSFER_ENCODING";
    case HTTPREF_E_UNSUPPORTED_TRANSFER_CODING:
        return "UNSUPPORTED_TRANSFER_CODING";
    case HTTPREF_E_BAD_CHUNK_SIZE:
        return "BAD_CHUNK_SIZE";
    case HTTPREF_E_BAD_CHUNK_EXT:
        return "BAD_CHUNK_EXT";
    case HTTPREF_E_BAD_CHUNK_DATA_END:
        return "BAD_CHUNK_DATA_END";
    case HTTPREF_E_BAD_TRAILER:
        return "BAD_TRAILER";
    case HTTPREF_E_UNEXPECTED_101:
        return "UNEXPECTED_101";
    case HTTPREF_E_NOT_HTTP:
        return "NOT_HTTP";
    case HTTPREF_E_TOO_MANY_INTERIM:
        return "TOO_MANY_INTERIM";
    case HTTPREF_E_STATUS_LINE_TOO_LONG:
        return "STATUS_LINE_TOO_LONG";
    case HTTPREF_E_FIELD_TOO_LONG:
        return "FIELD_TOO_LONG";
    case HTTPREF_E_HEADER_TOO_LARGE:
        return "HEADER_TOO_LARGE";
    case HTTPREF_E_TOO_MANY_FIELDS:
        return "TOO_MANY_FIELDS";
    case HTTPREF_E_BODY_TOO_LARGE:
        return "BODY_TOO_LARGE";
    case HTTPREF_E_CHUNK_EXT_TOO_LONG:
        return "CHUNK_EXT_TOO_LONG";
    case HTTPREF_E_TOO_MANY_REDIRECTS:
        return "TOO_MANY_REDIRECTS";
    case HTTPREF_E_REDIRECT_LOOP:
        return "REDIRECT_LOOP";
    case HTTPREF_E_REDIRECT_REFUSED:
        return "REDIRECT_REFUSED";
    case HTTPREF_E_BAD_LOCATION:
        return "BAD_LOCATION";
    case HTTPREF_E_SINK:
        return "SINK";
    case HTTPREF_E_SOURCE:
        return "SOURCE";
    case HTTPREF_E_NOMEM:
        return "NOMEM";
    case HTTPREF_E_INTERNAL:
        return "INTERNAL";
    case HTTPREF_E_TRANSPORT:
        return "TRANSPORT";
    case HTTPREF_E_PROXY:
        return "PROXY";
    }
    return "UNKNOWN";
}

httpref_class httpref_code_class(httpref_code code)
{
    switch (code) {
    case HTTPREF_OK:
        return HTTPREF_CLASS_NONE;
    case HTTPREF_E_URL:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_URL_SCHEME:
        return HTTPREF_CLASS_UNSUPPORTED;
    case HTTPREF_E_URL_HOST:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_URL_PORT:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BAD_METHOD:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BAD_FIELD_NAME:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BAD_FIELD_VALUE:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BAD_CREDENTIALS:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_DUPLICATE_FIELD:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BODY_NOT_ALLOWED:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_BAD_OPTION:
        return HTTPREF_CLASS_INVALID_REQUEST;
    case HTTPREF_E_DNS:
        return HTTPREF_CLASS_DNS;
    case HTTPREF_E_CONNECT:
        return HTTPREF_CLASS_CONNECT;
    case HTTPREF_E_CONNECT_TIMEOUT:
        return HTTPREF_CLASS_TIMEOUT;
    case HTTPREF_E_TIMEOUT:
        return HTTPREF_CLASS_TIMEOUT;
    case HTTPREF_E_DEADLINE:
        return HTTPREF_CLASS_TIMEOUT;
    case HTTPREF_E_SEND:
        return HTTPREF_CLASS_CLOSED;
    case HTTPREF_E_RECV:
        return HTTPREF_CLASS_CLOSED;
    case HTTPREF_E_EMPTY_REPLY:
        return HTTPREF_CLASS_CLOSED;
    case HTTPREF_E_INCOMPLETE:
        return HTTPREF_CLASS_CLOSED;
    case HTTPREF_E_BAD_STATUS_LINE:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_VERSION:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_STATUS_CODE:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_REASON:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_FIELD_LINE:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_RESPONSE_FIELD_NAME:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_RESPONSE_FIELD_VALUE:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BARE_CR:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BARE_LF:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_OBS_FOLD:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_CONTENT_LENGTH:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_CONFLICTING_CONTENT_LENGTH:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_TE_AND_CL:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_TRANSFER_ENCODING:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_UNSUPPORTED_TRANSFER_CODING:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_CHUNK_SIZE:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_CHUNK_EXT:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_CHUNK_DATA_END:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_BAD_TRAILER:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_UNEXPECTED_101:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_NOT_HTTP:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_TOO_MANY_INTERIM:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_STATUS_LINE_TOO_LONG:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_FIELD_TOO_LONG:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_HEADER_TOO_LARGE:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_TOO_MANY_FIELDS:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_BODY_TOO_LARGE:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_CHUNK_EXT_TOO_LONG:
        return HTTPREF_CLASS_LIMIT;
    case HTTPREF_E_TOO_MANY_REDIRECTS:
        return HTTPREF_CLASS_TOO_MANY_REDIRECTS;
    case HTTPREF_E_REDIRECT_LOOP:
        return HTTPREF_CLASS_TOO_MANY_REDIRECTS;
    case HTTPREF_E_REDIRECT_REFUSED:
        return HTTPREF_CLASS_REDIRECT_REFUSED;
    case HTTPREF_E_BAD_LOCATION:
        return HTTPREF_CLASS_PROTOCOL;
    case HTTPREF_E_SINK:
        return HTTPREF_CLASS_OTHER;
    case HTTPREF_E_SOURCE:
        return HTTPREF_CLASS_OTHER;
    case HTTPREF_E_NOMEM:
        return HTTPREF_CLASS_OTHER;
    case HTTPREF_E_INTERNAL:
        return HTTPREF_CLASS_OTHER;
    case HTTPREF_E_TRANSPORT:
        return HTTPREF_CLASS_OTHER;
    case HTTPREF_E_PROXY:
        return HTTPREF_CLASS_INVALID_REQUEST;
    }
    return HTTPREF_CLASS_OTHER;
}

const char *httpref_class_name(httpref_class cls)
{
    switch (cls) {
    case HTTPREF_CLASS_NONE:
        return "none";
    case HTTPREF_CLASS_DNS:
        return "dns";
    case HTTPREF_CLASS_CONNECT:
        return "connect";
    case HTTPREF_CLASS_TIMEOUT:
        return "timeout";
    case HTTPREF_CLASS_CLOSED:
        return "closed";
    case HTTPREF_CLASS_PROTOCOL:
        return "protocol";
    case HTTPREF_CLASS_TOO_MANY_REDIRECTS:
        return "too_many_redirects";
    case HTTPREF_CLASS_REDIRECT_REFUSED:
        return "redirect_refused";
    case HTTPREF_CLASS_INVALID_REQUEST:
        return "invalid_request";
    case HTTPREF_CLASS_LIMIT:
        return "limit";
    case HTTPREF_CLASS_UNSUPPORTED:
        return "unsupported";
    case HTTPREF_CLASS_OTHER:
        return "other";
    }
    return "other";
}
