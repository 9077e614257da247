import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The docker stack's `connect-postgres-link` (docker-compose.yml) runs this in Kafka Connect's network namespace:
 * 127.0.0.1:5432 there reaches the `postgres` container. So the JDBC URL a step's connector config carries
 * (config.connect.postgresJdbcUrl, by default jdbc:postgresql://127.0.0.1:5432/workshop) works unchanged when Connect
 * runs in a container — with `docker compose up` alone, nothing written into .env. Run with the JDK's source launcher:
 * java TcpForward.java LISTEN_HOST:PORT TARGET_HOST:PORT. infra/test/docker/init-services.test.ts runs it.
 */
public class TcpForward {
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java TcpForward.java LISTEN_HOST:PORT TARGET_HOST:PORT");
      System.exit(2);
    }
    InetSocketAddress listen = address(args[0]);
    String target = args[1];
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(listen);
      System.out.println("forwarding " + args[0] + " to " + target);
      System.out.flush();
      while (true) {
        Socket client = server.accept();
        new Thread(() -> connect(client, target)).start();
      }
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void connect(Socket client, String target) {
    // Resolved per connection: the target container's address may change when it is recreated.
    try (client; Socket upstream = new Socket()) {
      upstream.connect(address(target), 10_000);
      Thread back = new Thread(() -> pump(upstream, client));
      back.start();
      pump(client, upstream);
      back.join();
    } catch (IOException | InterruptedException error) {
      System.err.println("connection to " + target + " failed: " + error.getMessage());
    }
  }

  /** Copies one direction until its end, then half-closes the other side so the peer sees the end too. */
  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      in.transferTo(out);
      to.shutdownOutput();
    } catch (IOException ignored) {
      // The other direction closed the sockets: nothing left to copy.
    }
  }
}
