package dev.herald;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.conformance.ConformanceServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line: {@code herald} (or {@code herald serve}) runs a node configured from the
 * environment; {@code herald conformance --port 3000} serves the official Engine.IO and Socket.IO
 * protocol test suites' applications; {@code herald token --sub u1 [--tid t] [--rooms a,b]} prints a
 * development token signed with the data directory's secret.
 */
public final class Herald {
  private Herald() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "serve" : args[0];
    try {
      switch (command) {
        case "serve" -> serve(HeraldConfig.fromEnv(System.getenv()));
        case "conformance" -> ConformanceServer.start(intOption(args, "--port", 3000))
            .toCompletionStage().toCompletableFuture().get();
        case "token" -> token(args);
        default -> {
          System.err.println("usage: herald [serve | conformance --port N | token --sub ID [--tid T] [--rooms a,b]]");
          System.exit(2);
        }
      }
    } catch (ConfigException e) {
      System.err.println("herald: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void serve(HeraldConfig config) throws Exception {
    HeraldServer server;
    try {
      server = HeraldServer.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) {
        throw ce;
      }
      System.err.println("herald: could not start: " + e.getCause().getMessage());
      System.exit(1);
      return;
    }
    HeraldConfig c = server.config();
    String base = "http://" + ("0.0.0.0".equals(c.host()) ? "localhost" : c.host()) + ":" + server.port();
    StringBuilder banner = new StringBuilder()
        .append("Herald ").append(c.nodeName()).append(" listening on ").append(base)
        .append(" (").append(c.eventLoops()).append(" event loops, ").append(server.transport()).append(")\n")
        .append("  Socket.IO: ").append(base).append("/socket.io/   WebSocket: ").append(base.replace("http", "ws"))
        .append("/ws   SSE: ").append(base).append("/api/stream\n");
    if (System.getenv("HERALD_API_KEYS") == null) {
      banner.append("  dev API key (from ").append(c.dataDir().resolve("dev-api-key")).append("): ")
          .append(c.auth().apiKeys().get(0)).append('\n');
    }
    if (System.getenv("HERALD_JWT_SECRET") == null && c.auth().jwtSecret() != null
        && System.getenv("HERALD_JWT_PUBLIC_KEY") == null && System.getenv("HERALD_JWT_JWKS_URL") == null) {
      banner.append("  dev user token (sub=dev-user, tid=default, 30 days): ")
          .append(server.devToken("dev-user", "default", List.of("channel:*"), Duration.ofDays(30))).append('\n');
    }
    System.out.print(banner);
    System.out.flush();
    Thread hook = new Thread(() -> {
      try {
        server.drain().toCompletionStage().toCompletableFuture()
            .get(c.drainTimeout().toMillis() + 8_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.err.println("herald: drain did not finish cleanly: " + e);
      }
    }, "herald-drain");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private static void token(String[] args) {
    HeraldConfig config = HeraldConfig.fromEnv(System.getenv());
    String secret = config.auth().jwtSecret() != null ? config.auth().jwtSecret()
        : dev.herald.config.DevCredentials.loadOrCreate(config.dataDir()).jwtSecret();
    String sub = stringOption(args, "--sub", "dev-user");
    String tid = stringOption(args, "--tid", null);
    String rooms = stringOption(args, "--rooms", null);
    System.out.println(HeraldServer.signToken(secret, sub, tid,
        rooms == null ? List.of() : List.of(rooms.split(",")), Duration.ofDays(30)));
  }

  private static int intOption(String[] args, String name, int fallback) {
    String v = stringOption(args, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a port number, was '" + v + "'");
    }
  }

  private static String stringOption(String[] args, String name, String fallback) {
    for (int i = 1; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
