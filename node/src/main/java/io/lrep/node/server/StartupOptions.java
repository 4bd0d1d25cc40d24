package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StartupMessage's {@code options} parameter, read as PostgreSQL reads it: words split at
 * unescaped whitespace, a backslash takes the next character literally ({@code \ } keeps a
 * space, {@code \\} a backslash), and the words are switches {@code -c name=value},
 * {@code -cname=value} or {@code --name=value} (a dash in the name means an underscore).
 */
public final class StartupOptions {

    private StartupOptions() {}

    /** Splits {@code options} into words (PostgreSQL's pg_split_opts). */
    static List<String> split(String options) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = options.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(options.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder word = new StringBuilder();
            while (i < n && !Character.isWhitespace(options.charAt(i))) {
                char c = options.charAt(i++);
                if (c == '\\' && i < n) {
                    c = options.charAt(i++);
                }
                word.append(c);
            }
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The settings in {@code options}, in order.
     *
     * @throws LrepException FATAL 42601 for a switch other than -c/--name=value, or one without a value
     */
    public static Map<String, String> parse(String options) {
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> words = split(options);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String assignment;
            boolean longForm = false;
            if (w.startsWith("--")) {
                assignment = w.substring(2);
                longForm = true;
            } else if (w.equals("-c")) {
                if (i + 1 >= words.size()) {
                    throw invalid(w);
                }
                assignment = words.get(++i);
            } else if (w.startsWith("-c")) {
                assignment = w.substring(2);
            } else {
                throw invalid(w);
            }
            int eq = assignment.indexOf('=');
            if (eq < 0) {
                throw new LrepException(SqlState.SYNTAX_ERROR, LrepException.Severity.FATAL,
                        (longForm ? "--" : "-c ") + assignment + " requires a value", null, null, null);
            }
            settings.put(assignment.substring(0, eq).replace('-', '_'), assignment.substring(eq + 1));
        }
        return settings;
    }

    private static LrepException invalid(String word) {
        return new LrepException(SqlState.SYNTAX_ERROR, LrepException.Severity.FATAL,
                "invalid command-line argument for server process: " + word, null,
                "Try \"postgres --help\" for more information.", null);
    }
}
