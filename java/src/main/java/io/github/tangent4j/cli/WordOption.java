package io.github.tangent4j.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A word option such as {@code --method svd|gram}: its value looked up among the words it accepts. */
final class WordOption {
    private WordOption() {
    }

    /**
     * The value {@code value} of {@code option} stands for among {@code choices} (word to value, in the order
     * the help lists them).
     *
     * @throws IllegalArgumentException {@code "--method: expected svd or gram but was 'x'"} for any other word
     */
    @SafeVarargs
    static <T> T parse(String option, String value, Map.Entry<String, T>... choices) {
        for (Map.Entry<String, T> c : choices) {
            if (c.getKey().equals(value)) {
                return c.getValue();
            }
        }
        List<String> words = Arrays.stream(choices).map(Map.Entry::getKey).toList();
        String expected = words.size() == 1 ? words.getFirst()
                : String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
        throw new IllegalArgumentException(option + ": expected " + expected + " but was '" + value + "'");
    }
}
