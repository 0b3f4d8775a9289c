package dev.oomsim.kernel.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.oomsim.kernel.mm.Zone;
import org.junit.jupiter.api.Test;

/**
 * The NodeMemory seam holds: reading the constant pool of every compiled main class (a method reference names its
 * owner class exactly, unlike a source scan), no class outside the allowed set references a method that touches a
 * zone's mutable state, a free area, or the per-node holdings and rss of an mm. Runtime code reaches them only through
 * {@code LocalNodeMemory}; boot-time setup ({@code Topology}, {@code WatermarkSetup}) and the structures themselves
 * are the only other users.
 */
class NodeMemorySeamArchitectureTest {
    private static final String MM = "dev/oomsim/kernel/mm/";

    /** Methods of {@code Zone} that read or write its mutable state. */
    private static final Set<String> ZONE_STATE = Set.of("rmqueueSmallest", "expand", "freeOneBlock", "freeRange",
            "claimLoadPages", "freeLoadRanks", "rankOf", "reclaimReserved", "freePages", "freeArea", "nrFree",
            "freeBlocks", "watermarks", "setWatermarks", "lowmemReserve", "setLowmemReserve", "reservedHighatomicPages",
            "setReservedHighatomicPages", "reclaimablePages", "setReclaimablePages", "reservedPages", "captureImage",
            "requireFits", "restoreImage");

    /** Methods of {@code Mm} over its per-node holdings and rss: the business of the node that holds the pages. */
    private static final Set<String> MM_PER_NODE = Set.of("holding", "holdings", "addRss", "subRss", "setRss",
            "anonPages", "filePages", "rssPages");

    /** Owner class (internal name) → methods, and the classes allowed to reference them. */
    private static final Map<String, Rule> RULES = Map.of(
            MM + "Zone", new Rule(ZONE_STATE, Set.of(MM + "Zone", MM + "LocalNodeMemory", MM + "ZoneSnapshot",
                    MM + "Topology", MM + "WatermarkSetup")),
            MM + "FreeArea", new Rule(null, Set.of(MM + "Zone", MM + "FreeArea", MM + "LocalNodeMemory")),
            "dev/oomsim/kernel/task/Mm", new Rule(MM_PER_NODE, Set.of("dev/oomsim/kernel/task/Mm",
                    MM + "LocalNodeMemory")),
            "dev/oomsim/kernel/Machine", new Rule(Set.of("zone"), Set.of("dev/oomsim/kernel/Machine")));

    private record Rule(Set<String> methods, Set<String> allowedCallers) {
        boolean covers(String method) {
            return methods == null || methods.contains(method);
        }
    }

    /** Method references {@code owner.name} in one class file's constant pool. */
    static Set<String> methodRefs(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIdx = new int[count];
        int[] natNameIdx = new int[count];
        List<int[]> refs = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIdx[i] = in.readUnsignedShort();
                case 10, 11 -> refs.add(new int[] {in.readUnsignedShort(), in.readUnsignedShort()});
                case 12 -> {
                    natNameIdx[i] = in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 17, 18 -> in.readInt();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int[] r : refs) {
            out.add(utf8[classNameIdx[r[0]]] + "." + utf8[natNameIdx[r[1]]]);
        }
        return out;
    }

    /** {@code caller → owner.method} for every reference the rules forbid, over every main class. */
    static List<String> violations(Path classes) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = classes.relativize(f).toString().replace('\\', '/').replace(".class", "");
                String outer = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
                Set<String> refs;
                try (InputStream in = Files.newInputStream(f)) {
                    refs = methodRefs(in);
                }
                for (String ref : refs) {
                    String owner = ref.substring(0, ref.lastIndexOf('.'));
                    String method = ref.substring(ref.lastIndexOf('.') + 1);
                    Rule rule = RULES.get(owner);
                    if (rule != null && rule.covers(method) && !rule.allowedCallers().contains(outer)) {
                        out.add(name + " -> " + ref);
                    }
                }
            }
        }
        return out;
    }

    private static Path mainClasses() throws URISyntaxException {
        return Path.of(Zone.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyLocalNodeMemoryAndBootSetupTouchZoneStateFreeAreasAndPerNodeHoldings() throws Exception {
        assertThat(violations(mainClasses())).isEmpty();
    }

    @Test
    void theScanSeesTheReferencesItGuards() throws Exception {
        Path classes = mainClasses();
        try (InputStream in = Files.newInputStream(classes.resolve(MM + "LocalNodeMemory.class"))) {
            assertThat(methodRefs(in)).contains(MM + "Zone.rmqueueSmallest", MM + "Zone.freeOneBlock",
                    MM + "Zone.setReclaimablePages", MM + "Zone.setReservedHighatomicPages",
                    "dev/oomsim/kernel/task/Mm.holding", "dev/oomsim/kernel/task/Mm.addRss",
                    MM + "Zone.captureImage", MM + "Zone.restoreImage", "dev/oomsim/kernel/task/Mm.setRss");
        }
        try (InputStream in = Files.newInputStream(classes.resolve("dev/oomsim/kernel/Machine.class"))) {
            assertThat(methodRefs(in)).contains(MM + "NodeMemory.captureImage", MM + "NodeMemory.restoreImage");
        }
        try (InputStream in = Files.newInputStream(classes.resolve(MM + "PageAllocator.class"))) {
            assertThat(methodRefs(in)).contains(MM + "NodeMemory.zoneStep", MM + "NodeMemory.zoneSnapshot",
                    MM + "NodeMemory.unreserveHighatomicPageblock");
        }
    }
}
