package io.lrep.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP endpoint ({@code metrics_port}): {@code GET /metrics} is every meter in the
 * Prometheus text format, {@code GET /status} the node's replication state as JSON, {@code GET /}
 * the status page (HTML, CSS and JavaScript read from the jar once, polling {@code /status}); any
 * other path is 404, any other method 405. One event-loop thread serves it; a scrape reads the
 * figures the workers publish and never blocks them.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    /** The content type of the Prometheus text exposition format. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** The status page's files: path, resource next to this class, content type. */
    private static final Map<String, Page> PAGES = Map.of(
            "/", Page.load("page/index.html", "text/html; charset=utf-8"),
            "/index.html", Page.load("page/index.html", "text/html; charset=utf-8"),
            "/status.css", Page.load("page/status.css", "text/css; charset=utf-8"),
            "/status.js", Page.load("page/status.js", "text/javascript; charset=utf-8"));

    private final NodeMetrics metrics;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private EventLoopGroup group;
    private Channel channel;

    public HttpEndpoint(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    /** Listens on {@code host}:{@code port} (0 picks a free port) and returns the bound port. */
    public synchronized int start(String nodeName, String host, int port) {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("http-" + nodeName, true), NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), new Handler());
                        }
                    })
                    .bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind failure, checked or not
            group.shutdownGracefully();
            group = null;
            throw new LrepException(SqlState.IO_ERROR, "could not bind address \"" + host + "\" port " + port + " for HTTP: "
                    + e.getMessage(), e);
        }
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("Serving metrics and status on http://{}:{}/", host, bound);
        return bound;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
            group = null;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain; charset=utf-8");
            } else if (path.equals("/metrics")) {
                response = text(HttpResponseStatus.OK, metrics.scrape(), PROMETHEUS_TEXT);
            } else if (path.equals("/status")) {
                response = text(HttpResponseStatus.OK, statusJson(), "application/json");
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            } else if (PAGES.containsKey(path)) {
                Page page = PAGES.get(path);
                response = bytes(HttpResponseStatus.OK, page.body(), page.contentType());
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("HTTP request failed: {}", cause.toString());
            ctx.close();
        }
    }

    private String statusJson() {
        try {
            return json.writeValueAsString(metrics.status());
        } catch (JsonProcessingException e) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "could not write the status as JSON: " + e.getMessage(), e);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        return bytes(status, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, byte[] bytes, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /** One file of the status page, read from the class path when the class loads. */
    private record Page(byte[] body, String contentType) {
        static Page load(String resource, String contentType) {
            try (InputStream in = HttpEndpoint.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("status page resource missing from the class path: " + resource);
                }
                return new Page(in.readAllBytes(), contentType);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the status page resource " + resource, e);
            }
        }
    }
}
