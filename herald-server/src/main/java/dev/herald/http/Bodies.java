package dev.herald.http;

import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads request bodies with a size limit: past it, the request is answered 413 and the rest ignored. */
public final class Bodies {
  private Bodies() {}

  /** HTTP/1.x: the connection closes after the answer, so the rest of the body is not read. */
  private static void closeAfterResponse(HttpServerRequest req) {
    if (req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      req.response().putHeader("connection", "close");
    }
  }

  public static void read(HttpServerRequest req, int max, HeraldMetrics metrics, Handler<Buffer> onBody) {
    String length = req.getHeader("content-length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        n = Long.MAX_VALUE;
      }
      if (n > max) {
        metrics.refused("body_too_large");
        closeAfterResponse(req);
        Problem.tooLarge(req.response(), "request body is " + n + " bytes; the limit is " + max);
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(chunk -> {
      if (tooLarge[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        tooLarge[0] = true;
        metrics.refused("body_too_large");
        closeAfterResponse(req);
        Problem.tooLarge(req.response(), "request body exceeds the limit of " + max + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!tooLarge[0]) {
        try {
          onBody.handle(body);
        } catch (RuntimeException e) {
          Routes.answerDefect(req, e);
        }
      }
    });
  }

  /** Strict JSON: trailing tokens and duplicate keys are errors, not silently taken. */
  public static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /**
   * Reads a JSON body ({@link #read}'s limit applies): {@code onJson} gets the document, or null for
   * an empty body; a body that is not JSON is answered 400.
   */
  public static void readJson(HttpServerRequest req, int max, HeraldMetrics metrics,
      java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> onJson) {
    read(req, max, metrics, body -> {
      com.fasterxml.jackson.databind.JsonNode doc;
      try {
        doc = body.length() == 0 ? null : JSON.readTree(body.getBytes());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        Problem.badRequest(req.response(), "body is not valid JSON: " + e.getOriginalMessage());
        return;
      } catch (java.io.IOException e) {
        Problem.badRequest(req.response(), "body could not be read");
        return;
      }
      onJson.accept(doc);
    });
  }
}
