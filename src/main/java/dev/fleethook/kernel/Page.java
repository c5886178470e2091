package dev.fleethook.kernel;

import java.util.List;

/**
 * One page of a list, as every list endpoint and page answers it: the items, the total count over all
 * pages, and the 0-based page number and page size that were asked for.
 */
public record Page<T>(List<T> items, long total, int page, int size) {

    /** The largest page size any list accepts. */
    public static final int MAX_SIZE = 500;

    /** The same page with each item mapped (an entity to its view). */
    public <R> Page<R> map(java.util.function.Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R> map(mapper).toList(), total, page, size);
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    /**
     * The one check of a requested page (0-based) and size (1 to {@value #MAX_SIZE} items).
     *
     * @throws BadInputException naming {@code size} or {@code page}, size first
     */
    public static void checkRequest(int page, int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new BadInputException("size", "must be 1 to " + MAX_SIZE);
        }
        if (page < 0) {
            throw new BadInputException("page", "must be 0 or more");
        }
    }
}
