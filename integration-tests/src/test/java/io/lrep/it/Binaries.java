package io.lrep.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds PostgreSQL's client and server programs the interop tests run (Debian's layout first, then PATH). */
final class Binaries {

    private Binaries() {}

    /** The program, or empty when it is not installed. */
    static Optional<Path> find(String name) {
        List<Path> candidates = Stream.concat(
                Stream.of("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin").map(Path::of),
                Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(s -> !s.isEmpty()).map(Path::of))
                .map(dir -> dir.resolve(name)).toList();
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** A message for Assumptions when a program is missing. */
    static String missing(String name) {
        return name + " is not installed (Debian: apt-get install postgresql-client postgresql); skipping";
    }
}
