package dev.oomsim.stack.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.profile.Profile;

/**
 * Maps a trace's {@code gfp_flags=} text to the kernel model's {@link GfpFlags} by <em>name</em> (never by bit value:
 * the running kernel's bit layout is not the profile's), using {@link GfpFlags#parse}'s names for the chosen
 * profile. Names the profile does not have (e.g. {@code __GFP_ACCOUNT} in v4.4) are dropped from the mask and
 * reported. Results are cached per distinct text: a trace holds few.
 */
public final class TraceGfp {

    /** The mask of the names the profile knows, and the names it does not. */
    public record Mapped(GfpFlags flags, List<String> names, List<String> unknown) {
    }

    private final Profile profile;
    private final Arch arch;
    private final Map<String, Mapped> cache = new HashMap<>();

    public TraceGfp(Profile profile, Arch arch) {
        this.profile = profile;
        this.arch = arch;
    }

    public Profile profile() {
        return profile;
    }

    /** Maps {@code text} ({@code GFP_USER|__GFP_ZERO}, {@code none}, or a raw hex mask of the profile). */
    public Mapped map(String text) {
        Mapped m = cache.get(text);
        if (m == null) {
            m = compute(text);
            cache.put(text, m);
        }
        return m;
    }

    private Mapped compute(String text) {
        List<String> names = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (text.equals("none") || text.equals("0") || text.equals("0x0")) {
            return new Mapped(new GfpFlags(0), List.of(), List.of());
        }
        if (text.toLowerCase(Locale.ROOT).startsWith("0x")) {
            names.add(text);
            try {
                return new Mapped(GfpFlags.fromRaw(Long.parseLong(text.substring(2), 16), profile), names, unknown);
            } catch (IllegalArgumentException e) {
                unknown.add(text);
                return new Mapped(new GfpFlags(0), names, unknown);
            }
        }
        int mask = 0;
        for (String name : text.split("\\|")) {
            names.add(name);
            try {
                mask |= GfpFlags.parse(name, profile, arch).mask();
            } catch (IllegalArgumentException e) {
                unknown.add(name);
            }
        }
        return new Mapped(new GfpFlags(mask), List.copyOf(names), List.copyOf(unknown));
    }
}
