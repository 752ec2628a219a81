package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;

/**
 * The subcommands that write the network of --model rewritten into an equivalent one ({@code balance},
 * {@code canonical}): refuse an --out that cannot hold a network before any file is read, load, rewrite,
 * write, then print what the rewrite reports.
 */
abstract class NetworkRewriteCommand extends NetworkCommand {
    /** The network to write in place of {@code mlp}. */
    abstract Mlp rewrite(Mlp mlp);

    /** Prints the command's lines once the network is written (default: none). */
    void report() {
    }

    @Override
    public final Integer call() throws Exception {
        checkNetworkOut();
        writeNetwork(rewrite(common.loadModel()));
        report();
        return 0;
    }
}
