package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomsim.kernel.profile.Profile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GfpFlagsTest {

    @ParameterizedTest(name = "{0} = {1} (seed), {2} (modern)")
    @CsvSource({
        "GFP_ATOMIC, 0x2080020, 0xa20",
        "GFP_NOWAIT, 0x2000000, 0x800",
        "GFP_NOIO, 0x2400000, 0xc00",
        "GFP_NOFS, 0x2400040, 0xc40",
        "GFP_KERNEL, 0x24000c0, 0xcc0",
        "GFP_USER, 0x24200c0, 0x100cc0",
        "GFP_HIGHUSER, 0x24200c2, 0x100cc2",
        "GFP_HIGHUSER_MOVABLE, 0x24200ca, 0x100cca",
        "GFP_DMA, 0x1, 0x1",
        "GFP_DMA32, 0x4, 0x4",
        "GFP_KERNEL|__GFP_NOFAIL, 0x24008c0, 0x8cc0",
        "GFP_KERNEL|__GFP_THISNODE, 0x24400c0, 0x200cc0",
        "GFP_NOWAIT|__GFP_THISNODE|NOWARN, 0x2040200, 0x202800",
    })
    void namedMasksHaveTheKernelValuesOfEachProfile(String names, String seedHex, String modernHex) {
        assertThat(GfpFlags.parse(names, Profile.SEED, Arch.X86_64).hex(Profile.SEED)).isEqualTo(seedHex);
        assertThat(GfpFlags.parse(names, Profile.MODERN, Arch.X86_64).hex(Profile.MODERN)).isEqualTo(modernHex);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"GFP_TRANSHUGE, 0x4352ca", "GFP_TEMPORARY, 0x24000d0"})
    void seedOnlyCompositesMatchV44(String name, String hex) {
        assertThat(GfpFlags.parse(name, Profile.SEED, Arch.X86_64).hex(Profile.SEED)).isEqualTo(hex);
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource({
        "0x0, X86_64, NORMAL", "0x1, X86_64, DMA", "0x4, X86_64, DMA32", "0x2, X86_64, NORMAL", "0x2, I386, HIGHMEM",
        "0x8, X86_64, NORMAL", "0xa, X86_64, MOVABLE", "0x9, X86_64, DMA", "0xc, X86_64, DMA32", "0x4, I386, NORMAL",
    })
    void gfpZoneFollowsTheLowFourBits(String hex, Arch arch, ZoneType zone) {
        assertThat(GfpFlags.fromRaw(Long.decode(hex), Profile.SEED).gfpZone(arch)).isEqualTo(zone);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0x3", "0x5", "0x6", "0x7", "0xb", "0xd", "0xe", "0xf"})
    void invalidZoneCombinationsAreRejected(String hex) {
        assertThatThrownBy(() -> GfpFlags.fromRaw(Long.decode(hex), Profile.SEED).gfpZone(Arch.X86_64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid zone modifier");
        assertThatThrownBy(() -> GfpFlags.parse(hex, Profile.SEED, Arch.X86_64))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "GFP_KERNEL; 0xcc0(GFP_KERNEL)",
        "GFP_KERNEL|__GFP_NOFAIL; 0x8cc0(GFP_KERNEL|__GFP_NOFAIL)",
        "GFP_HIGHUSER_MOVABLE; 0x100cca(GFP_HIGHUSER_MOVABLE)",
        "GFP_NOFS|__GFP_COMP; 0x40c40(GFP_NOFS|__GFP_COMP)",
        "GFP_ATOMIC; 0xa20(GFP_ATOMIC)",
        "__GFP_HIGH|__GFP_RETRY_MAYFAIL; 0x4020(__GFP_HIGH|__GFP_RETRY_MAYFAIL)",
    })
    void modernHeaderDecodesTheMaskLikePercentPGg(String names, String text) {
        assertThat(GfpFlags.parse(names, Profile.MODERN, Arch.X86_64).headerText(Profile.MODERN)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"seed, 0x24000c0, GFP_KERNEL", "modern, 0xcc0, GFP_KERNEL", "seed, 0x24008c0, GFP_KERNEL|__GFP_NOFAIL"})
    void hexMasksParseInTheProfileLayout(String profile, String hex, String names) {
        Profile p = Profile.parse(profile);
        assertThat(GfpFlags.parse(hex, p, Arch.X86_64)).isEqualTo(GfpFlags.parse(names, p, Arch.X86_64));
    }

    @ParameterizedTest(name = "{0} unknown to {1}")
    @CsvSource({"__GFP_RETRY_MAYFAIL, seed", "__GFP_REPEAT, modern", "GFP_BOGUS, seed", "0x40000000, seed"})
    void namesAndBitsUnknownToTheProfileAreRejected(String text, String profile) {
        assertThatThrownBy(() -> GfpFlags.parse(text, Profile.parse(profile), Arch.X86_64))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
