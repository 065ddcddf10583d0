package dev.herald.http;

/**
 * Why Herald refused a request head before any route saw it, with the HTTP status to answer. It
 * travels as the failed {@code DecoderResult} of the request Vert.x hands to
 * {@link RequestHeadGuard#answerInvalid}; the connection closes after the answer.
 */
final class RefusedRequestHead extends RuntimeException {
  private final int status;
  private final String title;
  private final String reason;

  private RefusedRequestHead(int status, String title, String reason, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.reason = reason;
  }

  /** RFC 9112 6.1: a request framed two ways (Content-Length and Transfer-Encoding) is refused. */
  static RefusedRequestHead ambiguousFraming() {
    return new RefusedRequestHead(400, "Bad Request", "ambiguous_framing",
        "a request must not carry both Content-Length and Transfer-Encoding (RFC 9112 6.1)");
  }

  /** RFC 9110 15.5.9: the head did not arrive whole within the header timeout. */
  static RefusedRequestHead timedOut(long timeoutMillis) {
    return new RefusedRequestHead(408, "Request Timeout", "header_timeout",
        "the request head was not complete within " + timeoutMillis + " ms");
  }

  int status() {
    return status;
  }

  String title() {
    return title;
  }

  /** The {@code reason} label of {@code herald_refusals_total}. */
  String reason() {
    return reason;
  }
}
