package io.lrep.it;

import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: a publisher and a subscriber under a write load, each
 * page loaded in headless Chromium (the DOM after several polls, and a screenshot). The page
 * draws its charts, shows the topology both ways and computes non-zero rates from /status;
 * the screenshot has the chart lines in it. Skipped when Chromium is not installed.
 */
class StatusPageIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SETTINGS = Map.of("metrics_port", "-1", "wal_receiver_status_interval", "1");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SUB = "pagesub";
    private static final long BROWSER_TIMEOUT_SECONDS = 60;
    /** The first series colour of the charts (status.js COLORS[0]). */
    private static final int FIRST_SERIES_RGB = 0x2f7fd1;

    @TempDir
    Path tmp;

    private static Optional<Path> chromium() {
        return Binaries.find("chromium").or(() -> Binaries.find("chromium-browser"));
    }

    private static String url(TestNode node, String path) {
        return "http://127.0.0.1:" + node.node().metricsPort() + path;
    }

    private static HttpResponse<String> get(TestNode node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(node, path))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs headless Chromium on {@code url} with the extra arguments; returns its stdout. */
    private String browse(String url, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium");
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Path err = Files.createTempFile(tmp, "chromium", ".err");
        List<String> command = new ArrayList<>(List.of(chromium().orElseThrow().toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=8000"));
        command.addAll(List.of(args));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            if (!p.waitFor(BROWSER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in " + BROWSER_TIMEOUT_SECONDS + " s: " + Files.readString(err));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        assertThat(p.exitValue()).as("chromium exit code; stderr: %s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The value of attribute {@code attr} of the element with this id in a DOM dump. */
    private static String attribute(String dom, String id, String attr) {
        Matcher tag = Pattern.compile("<[a-z]+[^>]*\\sid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(dom);
        assertThat(tag.find()).as("element #%s in the page", id).isTrue();
        Matcher a = Pattern.compile("\\s" + Pattern.quote(attr) + "=\"([^\"]*)\"").matcher(tag.group());
        assertThat(a.find()).as("attribute %s of #%s in %s", attr, id, tag.group()).isTrue();
        return a.group(1).replace("&quot;", "\"").replace("&amp;", "&");
    }

    private static String bodyAttribute(String dom, String attr) {
        Matcher tag = Pattern.compile("<body[^>]*>").matcher(dom);
        assertThat(tag.find()).isTrue();
        Matcher a = Pattern.compile("\\s" + Pattern.quote(attr) + "=\"([^\"]*)\"").matcher(tag.group());
        assertThat(a.find()).as("attribute %s of <body> in %s", attr, tag.group()).isTrue();
        return a.group(1);
    }

    @Test
    void shouldDrawTopologyChartsAndRatesInABrowser() throws Exception {
        Assumptions.assumeTrue(chromium().isPresent(), "chromium is not installed (Debian: apt-get install chromium); skipping");
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), SETTINGS); TestNode sub = TestNode.start(tmp.resolve("sub"), SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect();
                ItemsLoad load = ItemsLoad.start(pub, p, s, SUB, WAIT)) {

            // the page's files come from the jar with their content types
            assertThat(get(sub, "/").headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(get(sub, "/status.js").headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(get(sub, "/status.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
            assertThat(get(sub, "/").body()).contains("<canvas id=\"chart-lag-seconds\"", "status.js");

            await().atMost(WAIT).until(() -> Integer.parseInt(rows(s, "SELECT count(*) FROM items").get(0)) > 50);

            String subDom = browse(url(sub, "/?interval=500"), "--dump-dom");
            assertThat(Integer.parseInt(bodyAttribute(subDom, "data-polls"))).as("polls of /status").isGreaterThanOrEqualTo(3);
            assertThat(Double.parseDouble(bodyAttribute(subDom, "data-row-rate"))).as("rows applied per second").isPositive();
            assertThat(Double.parseDouble(bodyAttribute(subDom, "data-tx-rate"))).as("transactions applied per second").isPositive();
            assertThat(Integer.parseInt(attribute(subDom, "chart-apply-rate", "data-points"))).isGreaterThanOrEqualTo(4);
            assertThat(attribute(subDom, "chart-apply-rate", "data-last")).contains("\"rows\":", "\"transactions\":");
            assertThat(Integer.parseInt(attribute(subDom, "chart-lag-seconds", "data-points"))).isGreaterThanOrEqualTo(3);
            assertThat(attribute(subDom, "chart-lag-seconds", "data-last")).contains("\"subscription " + SUB + "\":");
            assertThat(subDom).contains("127.0.0.1:" + pub.port(), "subscribes from", "subscription " + SUB);

            String pubDom = browse(url(pub, "/?interval=500"), "--dump-dom");
            assertThat(Integer.parseInt(bodyAttribute(pubDom, "data-polls"))).isGreaterThanOrEqualTo(3);
            assertThat(Double.parseDouble(bodyAttribute(pubDom, "data-wal-rate"))).as("WAL bytes per second").isPositive();
            assertThat(Integer.parseInt(attribute(pubDom, "chart-wal-rate", "data-points"))).isGreaterThanOrEqualTo(2);
            assertThat(attribute(pubDom, "chart-lag-bytes", "data-last")).contains("\"slot " + SUB + "\":", "\"walsender " + SUB + "\":");
            assertThat(pubDom).contains("publishes to", "from 127.0.0.1");

            // the screenshot shows the charts' lines, not an empty page
            Path png = tmp.resolve("sub.png");
            browse(url(sub, "/?interval=500"), "--screenshot=" + png, "--window-size=1280,1400", "--hide-scrollbars");
            String keep = System.getProperty("lrep.it.screenshots");
            if (keep != null) { // -Dlrep.it.screenshots=DIR keeps the screenshot to look at
                Files.createDirectories(Path.of(keep));
                Files.copy(png, Path.of(keep, "status-page-subscriber.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("screenshot %s", png).isNotNull();
            assertThat(pixelsNear(image, FIRST_SERIES_RGB)).as("pixels of the first series' colour").isGreaterThan(100);

            int written = load.stop(WAIT);
            await().atMost(WAIT).until(() -> rows(s, "SELECT count(*) FROM items").equals(List.of(String.valueOf(written))));
        }
    }

    private static int pixelsNear(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int c = image.getRGB(x, y);
                int dr = ((c >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((c >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (c & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 20 * 20) {
                    count++;
                }
            }
        }
        return count;
    }
}
