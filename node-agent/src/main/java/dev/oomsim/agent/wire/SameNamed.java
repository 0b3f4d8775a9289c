package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The schemas mirror the kernel's enums name for name ({@code ZoneType}, {@code TaskFlag}, {@code OomConstraint},
 * {@code Profile}): one side's constant becomes the other side's by its name. The target enum is the type the result is
 * assigned or passed to, so a mapper that reads one side's enum and writes the other's names neither with its full
 * name: {@code builder.setZone(SameNamed.as(page.zone()))}.
 */
public final class SameNamed {

    private SameNamed() {
    }

    /**
     * The constant named as {@code value} of the enum the caller expects (null for null).
     *
     * @param inferred leave empty: the compiler passes an empty array of the expected enum, which names its class
     * @throws IllegalArgumentException when the expected enum has no constant of that name
     */
    @SafeVarargs
    public static <E extends Enum<E>> E as(Enum<?> value, E... inferred) {
        if (value == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Class<E> type = (Class<E>) inferred.getClass().getComponentType();
        return Enum.valueOf(type, value.name());
    }

    /**
     * Every constant of {@code values} as the same-named constant of the enum the caller's list expects, in order.
     *
     * @param inferred leave empty, as for {@link #as}
     */
    @SafeVarargs
    public static <E extends Enum<E>> List<E> allAs(Collection<? extends Enum<?>> values, E... inferred) {
        @SuppressWarnings("unchecked")
        Class<E> type = (Class<E>) inferred.getClass().getComponentType();
        List<E> out = new ArrayList<>(values.size());
        for (Enum<?> v : values) {
            out.add(Enum.valueOf(type, v.name()));
        }
        return out;
    }
}
