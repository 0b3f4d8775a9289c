package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ZonelistTest {

    private static List<NodeSpec> nodes(int n, int[][] distance, boolean withDma) {
        List<NodeSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<ZoneSpec> zones = new ArrayList<>();
            if (withDma && i == 0) {
                zones.add(new ZoneSpec(ZoneType.DMA, 1000, null, null, null, 0, null, 0));
                zones.add(new ZoneSpec(ZoneType.DMA32, 3000, null, null, null, 0, null, 0));
            }
            zones.add(new ZoneSpec(ZoneType.NORMAL, 4096, null, null, null, 0, null, 0));
            out.add(new NodeSpec(i, null, distance == null ? null : distance[i], zones));
        }
        return out;
    }

    private static List<Integer> nodeOrder(Zonelist zl) {
        List<Integer> out = new ArrayList<>();
        for (ZoneRef z : zl.zones()) {
            if (!out.contains(z.nodeId())) {
                out.add(z.nodeId());
            }
        }
        return out;
    }

    @Test
    void equalDistanceNodesAreSpreadRoundRobinByNodeLoad() {
        List<NumaNode> built = Topology.build(Arch.X86_64, nodes(4, null, false));
        assertThat(nodeOrder(built.get(0).fallbackZonelist())).containsExactly(0, 1, 2, 3);
        assertThat(nodeOrder(built.get(1).fallbackZonelist())).containsExactly(1, 2, 3, 0);
        assertThat(nodeOrder(built.get(2).fallbackZonelist())).containsExactly(2, 3, 0, 1);
        assertThat(nodeOrder(built.get(3).fallbackZonelist())).containsExactly(3, 0, 1, 2);
    }

    @Test
    void nearerNodesComeFirst() {
        int[][] d = {{10, 30, 20, 30}, {30, 10, 30, 20}, {20, 30, 10, 30}, {30, 20, 30, 10}};
        List<NumaNode> built = Topology.build(Arch.X86_64, nodes(4, d, false));
        assertThat(nodeOrder(built.get(0).fallbackZonelist())).containsExactly(0, 2, 1, 3);
        assertThat(nodeOrder(built.get(1).fallbackZonelist())).containsExactly(1, 3, 2, 0);
    }

    @Test
    void nodeOrderListsZonesHighestFirstAndOnlyPopulatedOnes() {
        List<NumaNode> built = Topology.build(Arch.X86_64, nodes(2, null, true));
        assertThat(built.get(1).fallbackZonelist().zones()).containsExactly(new ZoneRef(1, 2), new ZoneRef(0, 2),
                new ZoneRef(0, 1), new ZoneRef(0, 0));
        assertThat(built.get(0).thisNodeZonelist().zones()).containsExactly(new ZoneRef(0, 2), new ZoneRef(0, 1),
                new ZoneRef(0, 0));
    }
}
