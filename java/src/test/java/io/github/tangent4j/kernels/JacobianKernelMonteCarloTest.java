package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.kernels.JacobianKernel.Kind;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Jacobian NNGP and NTK against the mean empirical kernels of (f, df/dx) of random finite networks
 * ({@link WideNetworkJacobians}), within 4 standard errors, for every activation and depths 1 to 3,
 * diagonal (x = x') blocks included: for the ReLU family this is the judge of the Jacobian NTK, which
 * is not the mixed derivative of the NTK. Default: width 512, 24 networks, a subset of the cases (see
 * {@link #cases}); {@code -Dtangent4j.long=true}: width 2048, 64 networks, all cases.
 */
class JacobianKernelMonteCarloTest {
    /** Networks per case: 24 by default, 64 in the long run. */
    static final int NETWORKS = KernelMonteCarloTest.LONG ? 64 : 24;

    /** Long: every activation at depths 1 to 3; default: every activation at depth 2, relu and erf at 1 and 3 too. */
    static Stream<Arguments> cases() {
        return KernelMonteCarloTest.cases().filter(a -> KernelMonteCarloTest.LONG || (int) a.get()[1] == 2
                || a.get()[0].equals(Activation.RELU) || a.get()[0].equals(Activation.ERF));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void meanEmpiricalJacobianKernelsMatch(Activation phi, int depth) {
        double sw2 = phi.kind() == Activation.Kind.ERF ? 1.5 : 2;
        double sb2 = 0.1;
        double[][] xs = JacobianKernelTest.POINTS;
        WideNetworkJacobians mc = WideNetworkJacobians.sample(xs, phi, depth, sw2, sb2, KernelMonteCarloTest.WIDTH,
                1024, 2, NETWORKS, 7000L * depth + phi.kind().ordinal());
        for (String backend : TestBackends.names()) {
            TestBackends.with(backend, b -> {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, depth, sw2, sb2));
                Tensor jn = JacobianKernel.of(k).compute(b, Tensor.of(xs), null, Kind.NNGP);
                Tensor jt = JacobianKernel.of(k).compute(b, Tensor.of(xs), null, Kind.NTK);
                int size = (int) jn.dim(0);
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j <= i; j++) {
                        KernelMonteCarloTest.check("jacobian-nngp", phi, depth, i, j, jn.get(i, j), mc.nngp);
                        KernelMonteCarloTest.check("jacobian-ntk", phi, depth, i, j, jt.get(i, j), mc.ntk);
                    }
                }
            });
        }
    }
}
