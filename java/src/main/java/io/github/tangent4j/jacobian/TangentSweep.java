package io.github.tangent4j.jacobian;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.internal.Broadcast;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;

/**
 * Forward-mode differentiation: tangents pushed up through the layers with the same GEMMs as the
 * forward pass, r tangent rows per example: {@code U_l = a_l U_{l-1} W_l^T (.) phi'(Z_l)}. With r = D and
 * the identity as the input tangent it gives the transposed input Jacobian; with r = 1 a JVP.
 */
final class TangentSweep {
    private TangentSweep() {
    }

    /**
     * The input Jacobian transposed per example, (N*D x O): rows {@code i*D .. i*D + D - 1} hold
     * {@code (d f / d x)(x_i)^T}. The identity input tangent is never materialised: the first layer's
     * tangent is the stack of {@code a_0 W_0^T}.
     */
    static DeviceMatrix inputJacobianTransposed(ForwardTrace trace) {
        DeviceMlp net = trace.net();
        Mlp mlp = net.mlp();
        Backend backend = net.backend();
        Layer first = mlp.layers().get(0);
        DeviceMatrix u;
        try (DeviceMatrix wt = backend.upload(transpose(first.weight()))) {
            u = Broadcast.stack(backend, wt, trace.batch(), mlp.parameterization().weightScale(first.in()));
        }
        return upFrom(trace, 0, u, null, null);
    }

    /** The JVP (N x O) for input tangents {@code t} (N x D). */
    static DeviceMatrix jvp(ForwardTrace trace, DeviceMatrix t) {
        return upFrom(trace, 0, preactivationTangent(trace, 0, t, null, null), null, null);
    }

    /**
     * The JVP (N x O) for a parameter tangent given per layer: weight tangents {@code v.get(l)} (out x in)
     * and bias tangents {@code vb.get(l)} (1 x out, null for a bias-free layer) already multiplied by the
     * parameterization's bias scale, on the backend.
     */
    static DeviceMatrix jvpParameters(ForwardTrace trace, List<DeviceMatrix> v, List<DeviceMatrix> vb) {
        return upFrom(trace, 0, preactivationTangent(trace, 0, null, v, vb), v, vb);
    }

    /**
     * Given the tangent {@code u} of {@code Z_l} (closed here), the tangent of the output: applies
     * {@code phi'(Z_l)} and the layers above.
     */
    private static DeviceMatrix upFrom(ForwardTrace trace, int l, DeviceMatrix u, List<DeviceMatrix> v,
            List<DeviceMatrix> vb) {
        Mlp mlp = trace.net().mlp();
        Backend backend = trace.net().backend();
        try {
            for (; l < mlp.depth(); l++) {
                backend.hadamard(u, trace.slope(l), u);
                DeviceMatrix next = preactivationTangent(trace, l + 1, u, v, vb);
                u.close();
                u = next;
            }
            return u;
        } catch (RuntimeException e) {
            u.close();
            throw e;
        }
    }

    /**
     * The tangent of {@code Z_l = a_l H_{l-1} W_l^T + c b_l}: {@code a_l U H W_l^T} for the tangent
     * {@code u} of {@code H_{l-1}} (null: none), plus {@code a_l H_{l-1} V_l^T + c v_b} for parameter
     * tangents (null: none; {@code vb} holds {@code c v_b}).
     */
    private static DeviceMatrix preactivationTangent(ForwardTrace trace, int l, DeviceMatrix u,
            List<DeviceMatrix> v, List<DeviceMatrix> vb) {
        DeviceMlp net = trace.net();
        Mlp mlp = net.mlp();
        Backend backend = net.backend();
        Layer layer = mlp.layers().get(l);
        double a = mlp.parameterization().weightScale(layer.in());
        long rows = u != null ? u.rows() : trace.batch();
        DeviceMatrix z = backend.allocateUninitialised(mlp.dtype(), rows, layer.out());
        try {
            if (u != null) {
                backend.gemm(false, true, a, u, net.weight(l), 0, z);
            }
            if (v != null) {
                backend.gemm(false, true, a, trace.input(l), v.get(l), u != null ? 1 : 0, z);
                if (vb.get(l) != null) {
                    backend.addRowVector(z, vb.get(l));
                }
            }
            return z;
        } catch (RuntimeException e) {
            z.close();
            throw e;
        }
    }

    /** The transpose of a host matrix (a new tensor). */
    static Tensor transpose(Tensor m) {
        long r = m.dim(0);
        long c = m.dim(1);
        Tensor t = Tensor.allocate(m.dtype(), c, r);
        for (long i = 0; i < r; i++) {
            for (long j = 0; j < c; j++) {
                t.set(m.get(i, j), j, i);
            }
        }
        return t;
    }
}
