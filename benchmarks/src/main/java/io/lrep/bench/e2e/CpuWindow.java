package io.lrep.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU used from here to {@link #report()}: this JVM's (both nodes and the clients) and the
 * rest of the machine's (other processes, the kernel's work for no process), in cores, from
 * /proc/stat and the JVM's process CPU time. Another build running at the same time shows as
 * "others".
 */
final class CpuWindow {
    private final long wallNanos = System.nanoTime();
    private final long processNanos = processCpuNanos();
    private final long machineTicks = machineBusyTicks();
    private final long gcMillis = gcMillis();

    /** The figures of the window so far, one bracketed line. */
    String report() {
        double wall = (System.nanoTime() - wallNanos) / 1e9;
        double own = (processCpuNanos() - processNanos) / 1e9 / wall;
        double machine = (machineBusyTicks() - machineTicks) / 100.0 / wall;
        return String.format(Locale.ROOT, "[cpu: this JVM %.2f cores, rest of the machine %.2f cores, load %s; gc %d ms]", own,
                Math.max(0, machine - own), loadAverage(), gcMillis() - gcMillis);
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** user + nice + system + irq + softirq + steal of all CPUs, in USER_HZ ticks (1/100 s); -1 if unknown. */
    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7])
                    + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux: the report then shows nonsense for "rest", said in the docs
        }
    }

    /** The 1-minute load average, "?" where unknown. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?"; // not Linux
        }
    }
}
