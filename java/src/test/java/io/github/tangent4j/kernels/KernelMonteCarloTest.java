package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analytic NNGP and NTK against the mean empirical kernels of random finite networks in the NTK
 * parameterization ({@link WideNetworks}): agreement within 4 standard errors, for every activation and
 * depths 1 to 3 (1024 outputs for the NNGP, 4 for the NTK). Default: width 512, 24 networks; with {@code -Dtangent4j.long=true} (the {@code long}
 * Maven profile): width 2048, 64 networks.
 */
class KernelMonteCarloTest {
    static final boolean LONG = Boolean.getBoolean("tangent4j.long");
    static final int WIDTH = LONG ? 2048 : 512;
    static final int NETWORKS = LONG ? 64 : 24;

    static Stream<Arguments> cases() {
        return InfiniteWidthKernelTest.ACTIVATIONS.stream()
                .flatMap(phi -> Stream.of(1, 2, 3).map(depth -> Arguments.of(phi, depth)));
    }

    /** Four inputs in D = 3: two random, a negative multiple of the first, and one near the second. */
    static double[][] inputs() {
        return new double[][] {{0.9, -0.4, 1.1}, {-0.3, 1.2, 0.5}, {-0.45, 0.2, -0.55}, {-0.2, 1.3, 0.45}};
    }

    @ParameterizedTest
    @MethodSource("cases")
    void meanEmpiricalKernelsMatch(Activation phi, int depth) {
        double sw2 = phi.kind() == Activation.Kind.ERF ? 1.5 : 2;
        double sb2 = 0.1;
        double[][] xs = inputs();
        WideNetworks mc = WideNetworks.sample(xs, phi, depth, sw2, sb2, WIDTH, 1024, 4, NETWORKS,
                1000L * depth + phi.kind().ordinal());
        TestBackends.with("java", b -> {
            InfiniteWidthKernel.Result r = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, depth, sw2, sb2)).compute(b, Tensor.of(xs),
                    null);
            for (int i = 0; i < xs.length; i++) {
                for (int j = 0; j <= i; j++) {
                    check("nngp", phi, depth, i, j, r.outputNngp().get(i, j), mc.nngp);
                    check("ntk", phi, depth, i, j, r.outputNtk().get(i, j), mc.ntk);
                }
            }
        });
    }

    static void check(String what, Activation phi, int depth, int i, int j, double analytic,
            WideNetworks.Estimate e) {
        double mean = e.mean(i, j);
        double se = e.standardError(i, j);
        assertTrue(Math.abs(mean - analytic) <= 4 * se + 1e-12 * Math.abs(analytic),
                what + " " + phi + " depth " + depth + " (" + i + "," + j + "): analytic " + analytic + ", Monte Carlo "
                        + mean + " +- " + se);
    }
}
