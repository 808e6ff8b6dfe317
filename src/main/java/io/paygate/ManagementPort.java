package io.paygate;

import io.paygate.config.GatewaySettings;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' endpoints (/observe/*, /admin/*) are routes on {@code management-http:}, a
 * platform-http component of their own. Without {@code gateway.management.port} it serves on the
 * public port like {@code platform-http:}; with it, on a second HTTP server at
 * {@code gateway.management.host:port} (same Vert.x instance as the public one), so the public
 * port answers those paths 404 and can face other networks.
 */
final class ManagementPort {
    static final String COMPONENT = "management-http";
    /** The management server's router in the registry; platform-http's own are named by port, so no clash at port 0. */
    static final String ROUTER = "gateway-management-router";

    private static final Logger LOG = LoggerFactory.getLogger(ManagementPort.class);

    private ManagementPort() {
    }

    /** Adds the management-http component (and the management server when a port is set) to a context not yet started. */
    static void install(CamelContext context, GatewaySettings settings) throws Exception {
        OptionalInt port = settings.managementPort();
        Server server = port.isPresent() ? new Server(context, settings.managementHost(), port.getAsInt(),
                settings.intValue("gateway.http.max-body-bytes", 1024, 16 * 1024 * 1024)) : null;
        Engine engine = new Engine(server);
        engine.setCamelContext(context);
        PlatformHttpComponent component = new PlatformHttpComponent();
        component.setEngine(engine);
        context.addComponent(COMPONENT, component);
        if (server != null) {
            // Started before the routes (their consumers look the router up when they start), stopped after them.
            context.addService(server, true, true);
        }
    }

    /** platform-http's Vert.x engine, attached to the management server's router when there is one. */
    private static final class Engine extends VertxPlatformHttpEngine {
        private final Server server;

        Engine(Server server) {
            this.server = server;
        }

        @Override
        protected void doInit() {
            // Unlike the default engine, never registered as "the" platform-http engine: platform-http keeps its own.
        }

        @Override
        public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            return server == null ? super.createConsumer(endpoint, processor)
                    : new VertxPlatformHttpConsumer(endpoint, processor, getHandlers(), ROUTER);
        }

        @Override
        public int getServerPort() {
            return server == null ? super.getServerPort() : server.port();
        }
    }

    /** The management port's HTTP server, on the Vert.x instance of the public one. */
    private static final class Server extends org.apache.camel.support.service.ServiceSupport {
        private final CamelContext context;
        private final String host;
        private final int port;
        private final long maxBodyBytes;
        private HttpServer http;

        Server(CamelContext context, String host, int port, long maxBodyBytes) {
            this.context = context;
            this.host = host;
            this.port = port;
            this.maxBodyBytes = maxBodyBytes;
        }

        int port() {
            return http != null ? http.actualPort() : port;
        }

        @Override
        protected void doStart() throws Exception {
            Vertx vertx = context.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                    .filter(VertxPlatformHttpRouter::isMainServer).map(VertxPlatformHttpRouter::vertx).findFirst()
                    .orElseThrow(() -> new IllegalStateException("gateway.management.port: the public HTTP server has not started"));
            Router router = Router.router(vertx);
            BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
            context.getRegistry().bind(ROUTER, new VertxPlatformHttpRouter(null, vertx, router, ROUTER,
                    VertxPlatformHttpRouter.SERVER_TYPE_MANAGEMENT) {
                @Override
                public Handler<RoutingContext> bodyHandler() {
                    // as platform-http's own: the consumer pauses the request until its body is wanted
                    return ctx -> {
                        ctx.request().resume();
                        bodies.handle(ctx);
                    };
                }
            });
            try {
                http = vertx.createHttpServer().requestHandler(router).listen(port, host).toCompletionStage()
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("gateway.management.port: cannot listen on " + host + ":" + port + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
            LOG.info("management port (/observe, /admin) listening on {}:{}", host, http.actualPort());
        }

        @Override
        protected void doStop() throws Exception {
            if (http != null) {
                http.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                http = null;
            }
            context.getRegistry().unbind(ROUTER);
        }
    }
}
