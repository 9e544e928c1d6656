import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Starts Amazon's DynamoDB Local bound to 127.0.0.1 only.
 *
 * <p>DynamoDB Local has no host option and listens on every interface, which exposes the test
 * database to the network. This launcher builds the server exactly as DynamoDB Local's own main
 * does, sets the host of its Jetty connectors to 127.0.0.1, then starts it. Arguments are passed
 * through unchanged ({@code -port P}, {@code -inMemory} or {@code -dbPath DIR}, ...).
 *
 * <p>Everything is reached by reflection so the launcher compiles without a classpath and works
 * with both the 1.x/2.x package ({@code com.amazonaws.services.dynamodbv2.local}) and the 3.x one
 * ({@code software.amazon.dynamodb.services.local}).
 *
 * <p>The process exits when its stdin closes or on SIGTERM, so it never outlives the process that
 * started it. It prints {@code READY_LINE} once the server is listening.
 *
 * <p>Note: DynamoDB Local 3.x enables telemetry (calls to AWS Cognito and Pinpoint, and a
 * {@code dynamodb-local-metadata.json} in the working directory) inside createServer, unless
 * given {@code -disableTelemetry} or the environment variable {@code DDB_LOCAL_TELEMETRY=0}.
 */
public final class LocalDynamoDB {
  static final String HOST = "127.0.0.1";
  static final String READY_LINE = "LocalDynamoDB ready on http://" + HOST + ":";

  private static final String[] RUNNERS = {
    "software.amazon.dynamodb.services.local.main.ServerRunner",
    "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
  };

  private LocalDynamoDB() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (InvocationTargetException e) {
      // Show DynamoDB Local's own error (e.g. "Failed to bind"), not the reflection wrapper.
      System.err.println("LocalDynamoDB: " + e.getCause());
      e.getCause().printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    Object proxy = createServer(args);
    Object jetty = jettyServer(proxy);
    int bound = 0;
    for (Object connector : (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty)) {
      Method setHost = findMethod(connector.getClass(), "setHost", String.class);
      if (setHost == null) {
        fail("Jetty connector " + connector.getClass().getName() + " has no setHost(String)");
      }
      setHost.invoke(connector, HOST);
      bound++;
    }
    if (bound == 0) {
      fail("DynamoDB Local's Jetty server has no connectors to bind to " + HOST);
    }

    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(proxy), "stop-dynamodb"));
    watchStdin();

    proxy.getClass().getMethod("start").invoke(proxy);
    // DynamoDB Local's start() reports a failed bind on stdout and carries on: check ourselves.
    if (!(Boolean) jetty.getClass().getMethod("isStarted").invoke(jetty)) {
      fail("DynamoDB Local did not start (is the port already in use?)");
    }
    System.out.println(READY_LINE + localPort(jetty));
    System.out.flush();
    proxy.getClass().getMethod("join").invoke(proxy);
  }

  /** Builds the server the way DynamoDB Local's ServerRunner does, whatever its package. */
  private static Object createServer(String[] args) throws Exception {
    for (String name : RUNNERS) {
      Class<?> runner;
      try {
        runner = Class.forName(name);
      } catch (ClassNotFoundException e) {
        continue;
      }
      Method create = runner.getMethod("createServerFromCommandLineArgs", String[].class);
      Object proxy = create.invoke(null, (Object) args);
      if (proxy == null) {
        fail("ServerRunner.createServerFromCommandLineArgs returned no server");
      }
      return proxy;
    }
    fail("No DynamoDB Local ServerRunner on the classpath (is DynamoDBLocal.jar on it?)");
    return null;
  }

  /** DynamoDBProxyServer keeps its Jetty Server in a private field: find it by type. */
  private static Object jettyServer(Object proxy) throws Exception {
    Class<?> serverType = Class.forName("org.eclipse.jetty.server.Server");
    for (Class<?> c = proxy.getClass(); c != null; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (serverType.isAssignableFrom(field.getType())) {
          field.setAccessible(true);
          Object server = field.get(proxy);
          if (server != null) {
            return server;
          }
        }
      }
    }
    fail("Cannot find the Jetty Server inside " + proxy.getClass().getName());
    return null;
  }

  private static int localPort(Object jetty) throws Exception {
    for (Object connector : (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty)) {
      Method getLocalPort = findMethod(connector.getClass(), "getLocalPort");
      if (getLocalPort != null) {
        return (Integer) getLocalPort.invoke(connector);
      }
    }
    return -1;
  }

  /** Public methods only: the connector classes are public, their methods too. */
  private static Method findMethod(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** Exits when stdin reaches end of file, i.e. when the parent process closes it or dies. */
  private static void watchStdin() {
    Thread watcher =
        new Thread(
            () -> {
              byte[] buffer = new byte[256];
              try {
                while (System.in.read(buffer) >= 0) {
                  // Input is ignored: only its end matters.
                }
              } catch (java.io.IOException e) {
                // A broken stdin means the parent is gone as well.
              }
              System.exit(0);
            },
            "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void stopQuietly(Object proxy) {
    try {
      proxy.getClass().getMethod("stop").invoke(proxy);
    } catch (Exception e) {
      System.err.println("LocalDynamoDB: error while stopping: " + e);
    }
  }

  private static void fail(String message) {
    System.err.println("LocalDynamoDB: " + message);
    System.exit(2);
  }
}
