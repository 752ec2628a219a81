/**
 * tangent4j: batched Jacobians, activation patterns and kernel matrices (empirical NTK, infinite-width
 * NNGP/NTK, Jacobian kernels) of fully connected networks, on a CUDA GPU or in pure Java.
 *
 * <p>Exports only the user-facing packages: {@code tensor}, {@code nn}, {@code jacobian}, {@code patterns},
 * {@code kernels}, {@code linalg}, the papers' packages ({@code symmetry}, {@code training}, {@code convex}), the chunk grid
 * ({@code chunked}) and the backend API ({@code backend}: {@code Backend}, {@code Backends},
 * {@code DeviceMatrix}, the tile engine). The backend implementations ({@code backend.java},
 * {@code backend.cuda}) and the backends' shared base and helpers ({@code backend.internal}) are not
 * exported; the implementations are found through {@code provides ... with} (and, on the class path, through
 * {@code META-INF/services}). The command line ({@code cli}) lives in this module too: its dependencies
 * (picocli, progressbar, XChart) are optional ({@code requires static}), so a library user never needs them,
 * and one jar serves both the Maven artifact and the shaded CLI jar.
 */
module io.github.tangent4j {
    requires static jdk.incubator.vector; // the Java backend checks for it and keeps a scalar path
    requires java.desktop;                 // SliceImage's PNG (javax.imageio)
    requires java.management;              // HostMemory: free memory and the direct-memory limit
    requires jdk.management;
    requires java.logging;                 // cli: the short backend line quiets the library's log lines
    requires org.apache.commons.numbers.gamma;
    requires ejml.core;                    // EJML 0.46 has no module name: named after its jar
    requires ejml.ddense;
    requires static info.picocli;
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;

    exports io.github.tangent4j.tensor;
    exports io.github.tangent4j.nn;
    exports io.github.tangent4j.backend;
    exports io.github.tangent4j.jacobian;
    exports io.github.tangent4j.patterns;
    exports io.github.tangent4j.kernels;
    exports io.github.tangent4j.linalg;
    exports io.github.tangent4j.symmetry;
    exports io.github.tangent4j.training;
    exports io.github.tangent4j.convex;
    exports io.github.tangent4j.chunked;

    opens io.github.tangent4j.cli to info.picocli;

    uses io.github.tangent4j.backend.BackendProvider;

    provides io.github.tangent4j.backend.BackendProvider with
            io.github.tangent4j.backend.java.JavaBackendProvider,
            io.github.tangent4j.backend.cuda.CudaBackendProvider;
}
