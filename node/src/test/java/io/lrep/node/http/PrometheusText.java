package io.lrep.node.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every
 * sample line must parse (name, optional labels with quoted and escaped values, a float value,
 * an optional timestamp) and belong to a family declared by a {@code # TYPE} line before it;
 * anything else throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final List<String> TYPES = List.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final List<String> SUFFIXES = List.of("_total", "_count", "_sum", "_bucket", "_created", "_max");

    /** One sample. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** Parses {@code text}, throwing on the first malformed line. */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length >= 4 && parts[1].equals("TYPE")) {
                        require(NAME.matcher(parts[2]).matches(), "bad family name");
                        require(TYPES.contains(parts[3].trim()), "bad type " + parts[3]);
                        require(types.put(parts[2], parts[3].trim()) == null, "family declared twice");
                    }
                    continue;
                }
                Sample s = sample(line);
                require(family(s.name(), types).isPresent(), "sample of no declared family");
                samples.add(s);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNo + " \"" + line + "\": " + e.getMessage(), e);
            }
        }
        return new PrometheusText(samples, types);
    }

    private static Optional<String> family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return Optional.of(name);
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return Optional.of(name.substring(0, name.length() - suffix.length()));
            }
        }
        return Optional.empty();
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(NAME.matcher(name).matches(), "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                require(LABEL.matcher(label).matches(), "bad label name " + label);
                require(line.charAt(eq + 1) == '"', "label value not quoted");
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                }
                require(labels.put(label, v.toString()) == null, "label twice");
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no value");
        String[] rest = line.substring(i + 1).trim().split(" ");
        require(rest.length <= 2, "trailing text");
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        return new Sample(name, labels, value(rest[0]));
    }

    private static double value(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The declared type of a family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** The value of the one sample named {@code name} whose labels include {@code labels} (pairs), if any. */
    public Optional<Double> value(String name, String... labels) {
        List<Double> found = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && matches(s.labels(), labels)) {
                found.add(s.value());
            }
        }
        require(found.size() <= 1, "several samples " + name + " " + List.of(labels));
        return found.stream().findFirst();
    }

    private static boolean matches(Map<String, String> have, String... want) {
        for (int k = 0; k < want.length; k += 2) {
            if (!want[k + 1].equals(have.get(want[k]))) {
                return false;
            }
        }
        return true;
    }
}
