package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, D1, D2 and D9, through the launcher script in a process of its own: SIGTERM, SIGINT and
 * SIGKILL to the command (the launcher exec's the JVM, so its pid is the JVM's) and to its process group,
 * Python's {@code subprocess} with {@code start_new_session} and a timeout, and SIGTERM to {@code demo}. After each, no process of
 * the command is left, {@code --out} is still the previous file, and no temporary file is left (SIGKILL
 * aside, whose stale temporary file the next run to the same output removes, and nothing else).
 */
class SignalTest {
    @TempDir
    Path dir;
    Path model;
    Path x;
    Path out;
    byte[] previous;
    Map<String, String> env;

    @BeforeEach
    void files() throws IOException {
        model = dir.resolve("m.npz");
        Npz.write(model, StateDict.fromMlp(Mlp.random(26, Activation.RELU, Parameterization.STANDARD, DType.F64,
                2, 256, 256, 4)));
        x = dir.resolve("x.npy");
        Npy.write(x, SafetyTest.gaussian(6000, 2));   // the trace NTK (6000, 6000) takes several seconds
        out = dir.resolve("o.npy");
        Npy.write(out, Tensor.of(new double[] {1, 2, 3}, 3));
        previous = Files.readAllBytes(out);
        env = LauncherScript.environment(dir);
    }

    private List<String> command() {
        return command(out);
    }

    private List<String> command(Path output) {
        return List.of(LauncherScript.script().toString(), "ntk", "--trace", "--backend", "java", "--model",
                model.toString(), "--x", x.toString(), "--out", output.toString());
    }

    /**
     * The command started in a session of its own (so that its process group is its own), stdin empty,
     * stderr into {@code err}: a file, not a pipe, since the launcher's watcher writes its line after the
     * JVM has died, when Java has already drained and closed the pipe of a process that exited.
     */
    private Process start(Path output, Path err) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")));
        // SIGINT back to its default first, as from a terminal: a test run started in the background of a
        // non-interactive shell inherits SIGINT ignored, and the JVM (rightly) keeps ignoring it then.
        List<String> cmd = new ArrayList<>(List.of("setsid", "python3", "-c", "import os, signal, sys; "
                + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
        cmd.addAll(command(output));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static List<String> temporaries(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
        }
    }

    private List<String> temporaries() throws IOException {
        return temporaries(dir);
    }

    /** Waits until the command has started writing its output (its temporary file exists in {@code folder}). */
    private static void awaitTemporary(Process p, Path folder) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (temporaries(folder).isEmpty()) {
            assertTrue(p.isAlive(), "the command ended before it wrote anything");
            assertTrue(System.nanoTime() < deadline, "no temporary file after 60 s");
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertTrue(p.isAlive(), "the command finished before the signal (make the input larger)");
    }

    private static void kill(String signal, String target) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, "--", target).redirectErrorStream(true).start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -s " + signal + " " + target);
    }

    private static void assertAllGone(List<ProcessHandle> processes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : processes) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(h.isAlive(), "process left running: " + h.pid() + " " + h.info().commandLine().orElse(""));
        }
    }

    /** One signal case: the signal, whom it goes to, the exit status expected. */
    private record Case(String signal, boolean group, int code) {
        @Override
        public String toString() {
            return "SIG" + signal + " to the " + (group ? "process group" : "command (launcher = JVM)");
        }
    }

    /** A started case: its folder, output, process, stderr and every process of it. */
    private record Started(Case c, Path folder, Path output, Process process, Path err, List<ProcessHandle> all) {
    }

    /**
     * SIGTERM, SIGINT and SIGKILL to the command (the launcher exec's the JVM, so they are one process) and
     * to its process group, the six cases run side by side to keep the test short.
     */
    @Test
    void signalsStopTheRunKeepThePreviousOutputAndLeaveNoProcess() throws Exception {
        List<Case> cases = List.of(new Case("TERM", false, 143), new Case("INT", false, 130),
                new Case("TERM", true, 143), new Case("INT", true, 130), new Case("KILL", false, 137),
                new Case("KILL", true, 137));
        List<Started> started = new ArrayList<>();
        for (Case c : cases) {
            Path folder = Files.createDirectory(dir.resolve(c.signal() + (c.group() ? "-group" : "-command")));
            Path output = Files.write(folder.resolve("o.npy"), previous);
            Path err = dir.resolve(folder.getFileName() + ".err");
            started.add(new Started(c, folder, output, start(output, err), err, new ArrayList<>()));
        }
        for (Started s : started) {
            awaitTemporary(s.process(), s.folder());
            s.all().addAll(s.process().descendants().toList());
            s.all().add(s.process().toHandle());
            kill(s.c().signal(), s.c().group() ? "-" + s.process().pid() : Long.toString(s.process().pid()));
        }
        for (Started s : started) {
            Case c = s.c();
            assertTrue(s.process().waitFor(20, TimeUnit.SECONDS), c + ": still running");
            assertAllGone(s.all());
            String stderr = Files.readString(s.err()).strip();
            assertEquals(c.code(), s.process().exitValue(), c + ": " + stderr);
            assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), c + ": " + stderr);
            assertArrayEquals(previous, Files.readAllBytes(s.output()), c + ": --out replaced");
            if (!c.signal().equals("KILL")) {
                assertTrue(stderr.endsWith("ntk: interrupted"), c + ": " + stderr);
                assertEquals(List.of(), temporaries(s.folder()), c.toString());
                continue;
            }
            if (!c.group()) {
                // the launcher's watcher survives a signal to the JVM alone and says what happened
                assertTrue(stderr.endsWith("tangent4j: killed by SIGKILL (out of memory?)"), c + ": " + stderr);
            }
            assertEquals(1, temporaries(s.folder()).size(), c + ": " + temporaries(s.folder()));
            assertNextRunRemovesOnlyOurStaleFiles(s.folder(), s.output());
        }
    }

    @Test
    void pythonSubprocessWithATimeoutLeavesNoProcessAndThePreviousOutput() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no python3");
        String script = String.join("\n",
                "import subprocess, sys, json",
                "cmd = json.loads(sys.argv[1])",
                "p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)",
                "print(p.pid, flush=True)",
                "try:",
                "    p.communicate(timeout=float(sys.argv[2]))",
                "    print('finished', p.returncode)",
                "except subprocess.TimeoutExpired:",
                "    p.kill()",   // what subprocess.run(..., timeout=T) does
                "    p.communicate()",
                "    print('timeout', p.returncode)");
        StringBuilder json = new StringBuilder("[");
        for (String a : command()) {
            json.append(json.length() == 1 ? "" : ", ").append('"').append(a.replace("\\", "\\\\")).append('"');
        }
        json.append(']');
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", script, json.toString(), "3")
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process py = pb.start();
        String output = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(py.waitFor(60, TimeUnit.SECONDS), output);
        List<String> lines = output.lines().toList();
        assertEquals("timeout -9", lines.get(lines.size() - 1), output + " (make the input larger if it finished)");
        long pid = Long.parseLong(lines.get(0).strip());
        Thread.sleep(200);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "JVM still running");
        // nothing of the command's session is left running (the launcher's helpers end with the JVM; a
        // zombie is not running: it waits for an init that reaps, which some containers lack)
        Process ps = new ProcessBuilder("ps", "-o", "pid=,stat=,args=", "-s", Long.toString(pid)).start();
        List<String> left = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.strip().split("\\s+")[1].startsWith("Z")).toList();
        ps.waitFor();
        assertEquals(List.of(), left, "processes left in the command's session");
        assertArrayEquals(previous, Files.readAllBytes(out));
    }

    @Test
    void sigtermToTheDemoLeavesThePreviousReportWhole() throws Exception {
        Path report = Files.createDirectory(dir.resolve("report"));
        Path index = Files.writeString(report.resolve("index.html"), "previous report");
        Path figure = Files.writeString(report.resolve("regions.png"), "previous figure");
        Path errFile = dir.resolve("demo.err");
        ProcessBuilder pb = new ProcessBuilder(LauncherScript.script().toString(), "demo", "--quick", "--backend",
                "java", "--out", report.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!hasTemporary(report)) {
            assertTrue(p.isAlive(), "the demo ended before it wrote anything");
            assertTrue(System.nanoTime() < deadline, "no temporary file after 60 s");
            Thread.sleep(10);
        }
        kill("TERM", Long.toString(p.pid()));
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertAllGone(List.of(p.toHandle()));
        Thread.sleep(100);   // the launcher's helpers, which hold the file open, end with the JVM
        String stderr = Files.readString(errFile).strip();
        assumeTrue(p.exitValue() != 0, "the demo finished before the signal");
        assertEquals(143, p.exitValue(), stderr);
        assertTrue(stderr.endsWith("demo: interrupted"), stderr);
        assertEquals("previous report", Files.readString(index));
        assertEquals("previous figure", Files.readString(figure));
        try (Stream<Path> files = Files.list(report)) {
            assertEquals(List.of("index.html", "regions.png"), files.map(f -> f.getFileName().toString()).sorted()
                    .toList(), "a stopped demo left new files beside the previous report");
        }
    }

    private static boolean hasTemporary(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
        }
    }

    private void assertNextRunRemovesOnlyOurStaleFiles(Path folder, Path output) throws Exception {
        Path notOurs1 = Files.writeString(folder.resolve(".o.npy.keep.tmp"), "not ours");
        Path notOurs2 = Files.writeString(folder.resolve(".o.npy.12-ABC.tmp"), "not ours");
        Path otherTarget = Files.writeString(folder.resolve(".p.npy.1-abc.tmp"), "another target's");
        Path small = folder.resolve("small.npy");
        Npy.write(small, SafetyTest.gaussian(3, 2));
        CliTest.Result r = CliTest.run("forward", "--backend", "java", "--model", model.toString(), "--x",
                small.toString(), "--out", output.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(".o.npy.12-ABC.tmp", ".o.npy.keep.tmp", ".p.npy.1-abc.tmp"), temporaries(folder));
        assertTrue(Files.exists(notOurs1) && Files.exists(notOurs2) && Files.exists(otherTarget));
        assertEquals(3, Npy.read(output).dim(0));
    }
}
