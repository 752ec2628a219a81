package io.github.tangent4j.symmetry;

/**
 * A hidden unit: index {@code index} of hidden layer {@code layer} (both 0-based; hidden layer h is the
 * output of the state dict's h-th Linear layer).
 *
 * @param layer the hidden layer
 * @param index the unit within it
 */
public record Unit(int layer, int index) {
    @Override
    public String toString() {
        return "hidden layer " + layer + " unit " + index;
    }
}
