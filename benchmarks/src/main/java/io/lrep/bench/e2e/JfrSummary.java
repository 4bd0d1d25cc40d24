package io.lrep.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went in a JFR recording: its {@code jdk.ExecutionSample} events (Java code
 * running on a CPU, sampled every 10 ms per thread with the {@code profile} settings) by thread
 * group, and per group the top frames and the innermost lrep frames (the lrep method that was
 * running, or that called the JDK or library code that was).
 *
 * <p>Thread groups: thread names with their numbers replaced by {@code N}; backends whose stack
 * shows the walsender or the logical decoder are counted as {@code backend (walsender)}.
 * Both nodes run in one JVM, so threads of the same role (the two WAL writers, say) are merged.
 *
 * <p>Run on its own: {@code java -cp benchmarks.jar io.lrep.bench.e2e.JfrSummary file.jfr [top]}.
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    /**
     * Prints the summary of a recording.
     *
     * @param argv a recording file, optionally the number of frames to show per group
     * @throws IOException if the file cannot be read
     */
    public static void main(String[] argv) throws IOException {
        print(List.of(Path.of(argv[0])), System.out, argv.length > 1 ? Integer.parseInt(argv[1]) : 12);
    }

    static void print(List<Path> files, PrintStream out, int top) throws IOException {
        Map<String, Map<String, Integer>> selfByGroup = new HashMap<>();
        Map<String, Map<String, Integer>> lrepByGroup = new HashMap<>();
        Map<String, Integer> samples = new HashMap<>();
        int total = 0;
        List<RecordedEvent> events = new java.util.ArrayList<>();
        for (Path file : files) {
            events.addAll(RecordingFile.readAllEvents(file));
        }
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = e.getStackTrace();
            RecordedThread thread = e.getThread("sampledThread");
            if (stack == null || thread == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            String group = group(thread.getJavaName(), frames);
            total++;
            samples.merge(group, 1, Integer::sum);
            selfByGroup.computeIfAbsent(group, g -> new HashMap<>()).merge(name(frames.get(0)), 1, Integer::sum);
            String lrep = "(no lrep frame)";
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.lrep.")) {
                    lrep = name(f);
                    break;
                }
            }
            lrepByGroup.computeIfAbsent(group, g -> new HashMap<>()).merge(lrep, 1, Integer::sum);
        }
        out.printf(Locale.ROOT, "== %d recording(s): %d execution samples%n", files.size(), total);
        int all = Math.max(1, total);
        samples.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8).forEach(g -> {
            out.printf(Locale.ROOT, "-- %s: %d samples (%.1f%%)%n", g.getKey(), g.getValue(), 100.0 * g.getValue() / all);
            out.println("   top frames:");
            printTop(selfByGroup.get(g.getKey()), g.getValue(), top, out);
            out.println("   innermost lrep frames:");
            printTop(lrepByGroup.get(g.getKey()), g.getValue(), top, out);
        });
    }

    private static void printTop(Map<String, Integer> counts, int groupTotal, int top, PrintStream out) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(f -> out.printf(Locale.ROOT, "     %5.1f%%  %s%n", 100.0 * f.getValue() / groupTotal, f.getKey()));
    }

    private static String group(String threadName, List<RecordedFrame> frames) {
        String name = threadName == null ? "?" : threadName.replaceAll("[0-9]+", "N");
        if (name.startsWith("backend-")) {
            for (RecordedFrame f : frames) {
                String type = f.getMethod().getType().getName();
                if (type.startsWith("io.lrep.publisher.walsender") || type.startsWith("io.lrep.publisher.decoding")) {
                    return "backend (walsender)";
                }
            }
            return "backend";
        }
        return name;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }
}
