import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.TestServicesStarter;
import java.net.InetSocketAddress;
import java.time.OffsetDateTime;

/**
 * Temporal's Java time-skipping test server on a loopback port, like io.temporal.testserver.TestServer,
 * plus an optional start instant: tests of working-day deadlines must begin on dates the official
 * calendars cover (e.g. just before the 2026 Spring Festival), whatever today's date is.
 *
 * Usage: <port> [--enable-time-skipping] [--initial-time 2026-02-02T09:00:00+08:00]
 * The start instant may also come from TEMPORAL_TEST_SERVER_INITIAL_TIME.
 */
public final class TestServerLauncher {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: <port> [--enable-time-skipping] [--initial-time ISO-8601]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean timeSkipping = false;
    String initial = System.getenv("TEMPORAL_TEST_SERVER_INITIAL_TIME");
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--enable-time-skipping")) timeSkipping = true;
      else if (args[i].equals("--initial-time") && i + 1 < args.length) initial = args[++i];
      else {
        System.err.println("unknown argument: " + args[i]);
        System.exit(2);
      }
    }
    long initialMillis = initial == null || initial.isEmpty()
        ? 0L
        : OffsetDateTime.parse(initial).toInstant().toEpochMilli();
    TestServicesStarter services = new TestServicesStarter(!timeSkipping, initialMillis);
    ServerBuilder<?> builder = NettyServerBuilder.forAddress(
        new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create());
    for (BindableService service : services.getServices()) builder.addService(service);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
