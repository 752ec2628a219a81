package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.SymmetricEigen;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The null space of some rows of a group's cone normals G_k (N x d'): the face of the cone on which those rows
 * hold with equality, used by both crossovers ({@link ActiveSetPolish}, {@link FaceActiveSet}).
 */
final class NullSpace {
    private NullSpace() {
    }

    /**
     * An orthonormal basis of the null space of the rows {@code rows} of {@code normals} (N x d' row-major): the
     * eigenvectors of their d' x d' Gram matrix whose eigenvalues are at most 1e-9 of the largest, as the columns
     * of a d' x f row-major matrix (f the null space's dimension, {@code length / dims}).
     */
    static double[] basis(double[] normals, List<Integer> rows, int dims) {
        double[] gram = new double[dims * dims];
        for (int i : rows) {
            for (int a = 0; a < dims; a++) {
                for (int b = 0; b < dims; b++) {
                    gram[a * dims + b] += normals[i * dims + a] * normals[i * dims + b];
                }
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(gram, dims);
        double[] values = eig.values();
        double[] vectors = eig.vectors();
        double largest = 0;
        for (double v : values) {
            largest = Math.max(largest, v);
        }
        double threshold = 1e-9 * largest;
        int[] free = IntStream.range(0, dims).filter(j -> values[j] <= threshold).toArray();
        double[] basis = new double[dims * free.length];
        for (int i = 0; i < free.length; i++) {
            for (int a = 0; a < dims; a++) {
                basis[a * free.length + i] = vectors[a * dims + free[i]];
            }
        }
        return basis;
    }

    /**
     * Writes the projector {@code Z Z^T} of the basis Z (d' x f, from {@link #basis}) into the d' x d' block of
     * {@code projectors} at {@code base}.
     */
    static void projector(double[] basis, int dims, double[] projectors, int base) {
        int free = basis.length / dims;
        Arrays.fill(projectors, base, base + dims * dims, 0);
        for (int i = 0; i < free; i++) {
            for (int a = 0; a < dims; a++) {
                for (int b = 0; b < dims; b++) {
                    projectors[base + a * dims + b] += basis[a * free + i] * basis[b * free + i];
                }
            }
        }
    }
}
