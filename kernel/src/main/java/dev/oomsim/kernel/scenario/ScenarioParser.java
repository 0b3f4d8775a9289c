package dev.oomsim.kernel.scenario;

import static dev.oomsim.kernel.scenario.Tree.bool;
import static dev.oomsim.kernel.scenario.Tree.index;
import static dev.oomsim.kernel.scenario.Tree.integer;
import static dev.oomsim.kernel.scenario.Tree.join;
import static dev.oomsim.kernel.scenario.Tree.list;
import static dev.oomsim.kernel.scenario.Tree.map;
import static dev.oomsim.kernel.scenario.Tree.onlyFields;
import static dev.oomsim.kernel.scenario.Tree.optionalInteger;
import static dev.oomsim.kernel.scenario.Tree.require;
import static dev.oomsim.kernel.scenario.Tree.string;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.NodeSpec;
import dev.oomsim.kernel.mm.Watermarks;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.mm.ZoneSpec;
import dev.oomsim.kernel.mm.ZoneType;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Cpuset;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * Builds a typed {@link Scenario} from the generic tree a JSON/YAML parser produces. Unknown fields, wrong types and
 * out-of-range numbers are {@link ScenarioException}s naming the field by path.
 */
public final class ScenarioParser {
    private static final long MAX_PAGES = 1L << 40;
    /** The upper bound on a logical time in ms (the same as {@code options.time_ms_per_event}'s). */
    private static final long MAX_TIME_MS = 1L << 40;
    /** The field every event kind accepts: the logical time it runs at. */
    private static final String AT_MS = "at_ms";
    private static final Set<String> TOP = Set.of("profile", "arch", "sysctl", "swap_pages", "suspended_storage",
            "oom_killer_disabled", "oom_lock", "oom_notifier_frees", "nodes", "cpusets", "memcgs", "tasks", "events",
            "options");
    private static final Set<String> SYSCTL = Set.of("min_free_kbytes", "lowmem_reserve_ratio", "panic_on_oom",
            "oom_kill_allocating_task", "oom_dump_tasks", "watermark_scale_factor");
    private static final Set<String> NODE = Set.of("id", "spanned_pages", "distance", "zones");
    private static final Set<String> ZONE = Set.of("type", "managed_pages", "start_pfn", "free", "free_pages",
            "free_blocks", "reclaimable_pages", "watermarks", "reserved_highatomic");
    private static final Set<String> TASK = Set.of("pid", "tgid", "comm", "uid", "parent", "mm", "rss", "swapents",
            "nr_ptes", "nr_pmds", "total_vm", "shmem_pages", "oom_score_adj", "cap_sys_admin", "cpuset", "mempolicy",
            "memcg", "flags");
    private static final Set<String> OPTIONS = Set.of("max_retries", "exit_victims_before_retry",
            "reclaim_pages_per_pass", "compaction", "time_ms_per_event", "reclaim_quirk_44", "oom_reaper_delay_ms");

    private ScenarioParser() {
    }

    /** Parses a scenario tree (the root object). */
    public static Scenario parse(Object tree) {
        Map<Object, Object> root = map(tree, "$");
        onlyFields(root, "", TOP);
        Profile profile = parseEnum("profile", () -> Profile.parse(Tree.string(root, "profile", "", "seed")));
        Arch arch = parseEnum("arch", () -> Arch.parse(Tree.string(root, "arch", "", "x86_64")));
        Scenario.SysctlSpec sysctl = sysctl(root.get("sysctl"), profile);
        long swap = integer(root, "swap_pages", "", 0, 0, MAX_PAGES);
        boolean suspended = bool(root, "suspended_storage", "", false);
        boolean disabled = bool(root, "oom_killer_disabled", "", false);
        String lock = Tree.string(root, "oom_lock", "", "free");
        if (!lock.equals("free") && !lock.equals("held")) {
            throw new ScenarioException("oom_lock", "expected free or held, got " + lock);
        }
        long notifier = integer(root, "oom_notifier_frees", "", 0, 0, MAX_PAGES);
        List<NodeSpec> nodes = nodes(require(root, "nodes", ""), arch);
        List<Cpuset> cpusets = cpusets(root.get("cpusets"), nodes.size());
        List<Memcg> memcgs = memcgs(root.get("memcgs"), profile);
        List<Scenario.TaskSpec> tasks = tasks(root.get("tasks"), nodes, arch, cpusets, memcgs);
        Scenario.Options options = options(root.get("options"));
        List<Long> clock = new ArrayList<>();
        List<Scenario.Event> events = events(root.get("events"), profile, arch, tasks, nodes.size(), options, clock);
        return new Scenario(profile, arch, sysctl, swap, suspended, disabled, lock.equals("held"), notifier, nodes,
                cpusets, memcgs, tasks, events, options, clock);
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T parseEnum(String path, Parse<T> p) {
        try {
            return p.get();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(path, e.getMessage(), e);
        }
    }

    private static Scenario.SysctlSpec sysctl(Object v, Profile profile) {
        if (v == null) {
            return new Scenario.SysctlSpec(null, null, 0, 0, 1, 10);
        }
        Map<Object, Object> m = map(v, "sysctl");
        onlyFields(m, "sysctl", SYSCTL);
        Long minFree = optionalInteger(m, "min_free_kbytes", "sysctl", 0, MAX_PAGES);
        List<Long> ratio = null;
        if (m.get("lowmem_reserve_ratio") != null) {
            ratio = new ArrayList<>();
            List<Object> l = list(m.get("lowmem_reserve_ratio"), "sysctl.lowmem_reserve_ratio");
            for (int i = 0; i < l.size(); i++) {
                ratio.add(integer(l.get(i), index("sysctl.lowmem_reserve_ratio", i), 0, Integer.MAX_VALUE));
            }
        }
        return new Scenario.SysctlSpec(minFree, ratio, (int) integer(m, "panic_on_oom", "sysctl", 0, 0, 2),
                (int) integer(m, "oom_kill_allocating_task", "sysctl", 0, 0, 1),
                (int) integer(m, "oom_dump_tasks", "sysctl", 1, 0, 1),
                integer(m, "watermark_scale_factor", "sysctl", 10, 1, 3000));
    }

    private static List<NodeSpec> nodes(Object v, Arch arch) {
        List<Object> l = list(v, "nodes");
        if (l.isEmpty()) {
            throw new ScenarioException("nodes", "at least one node is required");
        }
        if (l.size() > 64) {
            throw new ScenarioException("nodes", "at most 64 nodes, got " + l.size());
        }
        List<NodeSpec> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            String path = index("nodes", i);
            Map<Object, Object> m = map(l.get(i), path);
            onlyFields(m, path, NODE);
            int id = (int) integer(m, "id", path, i, i, i);
            Long spanned = optionalInteger(m, "spanned_pages", path, 0, MAX_PAGES);
            int[] distance = null;
            if (m.get("distance") != null) {
                List<Object> d = list(m.get("distance"), join(path, "distance"));
                if (d.size() != l.size()) {
                    throw new ScenarioException(join(path, "distance"), "expected " + l.size() + " entries, got "
                            + d.size());
                }
                distance = new int[d.size()];
                for (int j = 0; j < d.size(); j++) {
                    distance[j] = (int) integer(d.get(j), index(join(path, "distance"), j), 0, 255);
                }
            }
            List<ZoneSpec> zones = new ArrayList<>();
            List<Object> zl = list(require(m, "zones", path), join(path, "zones"));
            for (int z = 0; z < zl.size(); z++) {
                zones.add(zone(zl.get(z), index(join(path, "zones"), z), arch));
            }
            out.add(new NodeSpec(id, spanned, distance, zones));
        }
        return out;
    }

    private static ZoneSpec zone(Object v, String path, Arch arch) {
        Map<Object, Object> m = map(v, path);
        onlyFields(m, path, ZONE);
        String typeName = string(require(m, "type", path), join(path, "type"));
        ZoneType type = parseEnum(join(path, "type"), () -> ZoneType.parse(typeName));
        if (arch.zoneIndex(type) < 0) {
            throw new ScenarioException(join(path, "type"), type + " does not exist on " + arch.scenarioName());
        }
        long managed = integer(require(m, "managed_pages", path), join(path, "managed_pages"), 0, MAX_PAGES);
        Long start = optionalInteger(m, "start_pfn", path, 0, MAX_PAGES);
        int forms = (m.get("free") != null ? 1 : 0) + (m.get("free_pages") != null ? 1 : 0)
                + (m.get("free_blocks") != null ? 1 : 0);
        if (forms > 1) {
            throw new ScenarioException(path, "give only one of free, free_pages and free_blocks");
        }
        long[] counts = null;
        List<long[]> blocks = null;
        if (m.get("free") != null) {
            counts = new long[Zone.MAX_ORDER];
            Map<Object, Object> f = map(m.get("free"), join(path, "free"));
            for (Map.Entry<Object, Object> e : f.entrySet()) {
                String p = join(join(path, "free"), String.valueOf(e.getKey()));
                int order = (int) integer(keyNumber(e.getKey(), p), p, 0, Zone.MAX_ORDER - 1);
                counts[order] = integer(e.getValue(), p, 0, MAX_PAGES);
            }
        } else if (m.get("free_pages") != null) {
            counts = new long[Zone.MAX_ORDER];
            counts[0] = integer(m.get("free_pages"), join(path, "free_pages"), 0, MAX_PAGES);
        } else if (m.get("free_blocks") != null) {
            blocks = new ArrayList<>();
            List<Object> bl = list(m.get("free_blocks"), join(path, "free_blocks"));
            for (int i = 0; i < bl.size(); i++) {
                String bp = index(join(path, "free_blocks"), i);
                Map<Object, Object> b = map(bl.get(i), bp);
                onlyFields(b, bp, Set.of("pfn", "order"));
                blocks.add(new long[] {integer(require(b, "pfn", bp), join(bp, "pfn"), 0, MAX_PAGES),
                    integer(require(b, "order", bp), join(bp, "order"), 0, Zone.MAX_ORDER - 1)});
            }
        }
        Watermarks marks = null;
        if (m.get("watermarks") != null) {
            String wp = join(path, "watermarks");
            Map<Object, Object> w = map(m.get("watermarks"), wp);
            onlyFields(w, wp, Set.of("min", "low", "high"));
            marks = new Watermarks(integer(require(w, "min", wp), join(wp, "min"), 0, MAX_PAGES),
                    integer(require(w, "low", wp), join(wp, "low"), 0, MAX_PAGES),
                    integer(require(w, "high", wp), join(wp, "high"), 0, MAX_PAGES));
        }
        long reclaimable = integer(m, "reclaimable_pages", path, 0, 0, MAX_PAGES);
        long highatomic = integer(m, "reserved_highatomic", path, 0, 0, MAX_PAGES);
        long free = 0;
        if (counts != null) {
            for (int o = 0; o < counts.length; o++) {
                free += counts[o] << o;
            }
        }
        if (free > managed) {
            throw new ScenarioException(path, "free pages " + free + " exceed managed_pages " + managed);
        }
        return new ZoneSpec(type, managed, start, counts, blocks, reclaimable, marks, highatomic);
    }

    private static Object keyNumber(Object key, String path) {
        if (key instanceof Number) {
            return key;
        }
        String s = String.valueOf(key);
        if (!s.matches("-?[0-9]+")) {
            throw new ScenarioException(path, "expected a number as key, got " + s);
        }
        return Long.parseLong(s);
    }

    private static List<Integer> nodeList(Object v, String path, int nrNodes) {
        List<Object> l = list(v, path);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add((int) integer(l.get(i), index(path, i), 0, nrNodes - 1));
        }
        return out;
    }

    private static List<Cpuset> cpusets(Object v, int nrNodes) {
        List<Cpuset> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<Object> l = list(v, "cpusets");
        Set<String> names = new HashSet<>(Set.of(Cpuset.ROOT));
        for (int i = 0; i < l.size(); i++) {
            String path = index("cpusets", i);
            Map<Object, Object> m = map(l.get(i), path);
            onlyFields(m, path, Set.of("name", "mems", "hardwall"));
            String name = string(require(m, "name", path), join(path, "name"));
            if (!name.startsWith("/") || name.equals("/") || name.endsWith("/")) {
                throw new ScenarioException(join(path, "name"), "expected a path like /jobs, got " + name);
            }
            String parent = name.lastIndexOf('/') == 0 ? "/" : name.substring(0, name.lastIndexOf('/'));
            if (!names.contains(parent)) {
                throw new ScenarioException(join(path, "name"), "parent cpuset " + parent + " is not defined before "
                        + name);
            }
            if (!names.add(name)) {
                throw new ScenarioException(join(path, "name"), "cpuset " + name + " defined twice");
            }
            List<Integer> mems = nodeList(require(m, "mems", path), join(path, "mems"), nrNodes);
            if (mems.isEmpty()) {
                throw new ScenarioException(join(path, "mems"), "must not be empty");
            }
            out.add(new Cpuset(name, NodeMask.of(mems), bool(m, "hardwall", path, false), parent));
        }
        return out;
    }

    private static List<Memcg> memcgs(Object v, Profile profile) {
        List<Memcg> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<Object> l = list(v, "memcgs");
        for (int i = 0; i < l.size(); i++) {
            String path = index("memcgs", i);
            Map<Object, Object> m = map(l.get(i), path);
            onlyFields(m, path, Set.of("name", "limit_pages", "memsw_limit_pages", "swappiness", "oom_group",
                    "oom_kill_disable"));
            String name = string(require(m, "name", path), join(path, "name"));
            if (!name.startsWith("/")) {
                throw new ScenarioException(join(path, "name"), "expected a path like /web, got " + name);
            }
            long limit = integer(require(m, "limit_pages", path), join(path, "limit_pages"), 0, MAX_PAGES);
            long memsw = integer(m, "memsw_limit_pages", path, MAX_PAGES, 0, MAX_PAGES);
            int swappiness = (int) integer(m, "swappiness", path, 60, 0, 200);
            boolean oomGroup = bool(m, "oom_group", path, false);
            if (oomGroup && profile == Profile.SEED) {
                throw new ScenarioException(join(path, "oom_group"), "memory.oom.group exists only under profile"
                        + " modern (it came in v4.19)");
            }
            if (oomGroup && name.equals("/")) {
                throw new ScenarioException(join(path, "oom_group"), "the root memory cgroup has no memory.oom.group");
            }
            boolean killDisable = bool(m, "oom_kill_disable", path, false);
            if (oomGroup && killDisable) {
                throw new ScenarioException(path, "oom_group (cgroup v2) and oom_kill_disable (cgroup v1) cannot both"
                        + " be set");
            }
            out.add(new Memcg(name, limit, memsw, swappiness, oomGroup, killDisable));
        }
        return out;
    }

    private static List<Scenario.TaskSpec> tasks(Object v, List<NodeSpec> nodes, Arch arch, List<Cpuset> cpusets,
            List<Memcg> memcgs) {
        List<Scenario.TaskSpec> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        Set<String> cpusetNames = new HashSet<>(Set.of(Cpuset.ROOT));
        cpusets.forEach(c -> cpusetNames.add(c.name()));
        Set<String> memcgNames = new HashSet<>();
        memcgs.forEach(c -> memcgNames.add(c.name()));
        Map<Integer, Integer> seen = new HashMap<>();
        List<Object> l = list(v, "tasks");
        for (int i = 0; i < l.size(); i++) {
            String path = index("tasks", i);
            Map<Object, Object> m = map(l.get(i), path);
            onlyFields(m, path, TASK);
            int pid = (int) integer(require(m, "pid", path), join(path, "pid"), 1, Integer.MAX_VALUE - 1);
            if (seen.put(pid, i) != null) {
                throw new ScenarioException(join(path, "pid"), "pid " + pid + " defined twice");
            }
            int tgid = (int) integer(m, "tgid", path, pid, 1, Integer.MAX_VALUE - 1);
            if (tgid != pid && !seen.containsKey(tgid)) {
                throw new ScenarioException(join(path, "tgid"), "thread group leader " + tgid
                        + " is not defined before");
            }
            String comm = string(require(m, "comm", path), join(path, "comm"));
            if (comm.isEmpty() || comm.length() > 15) {
                throw new ScenarioException(join(path, "comm"), "must be 1..15 characters, got \"" + comm + "\"");
            }
            int uid = (int) integer(m, "uid", path, 0, 0, Integer.MAX_VALUE);
            int parent = (int) integer(m, "parent", path, 0, 0, Integer.MAX_VALUE - 1);
            if (parent != 0 && !seen.containsKey(parent)) {
                throw new ScenarioException(join(path, "parent"), "parent " + parent + " is not defined before");
            }
            int defaultMm = tgid == pid ? pid : out.get(seen.get(tgid)).mm();
            int mm = (int) integer(m, "mm", path, defaultMm, 1, Integer.MAX_VALUE - 1);
            boolean owner = mm == pid;
            if (!owner && !seen.containsKey(mm)) {
                throw new ScenarioException(join(path, "mm"), "mm " + mm + " must be the pid of a task defined before");
            }
            if (!owner) {
                for (String k : List.of("rss", "swapents", "nr_ptes", "nr_pmds", "total_vm", "shmem_pages")) {
                    if (m.get(k) != null) {
                        throw new ScenarioException(join(path, k), "a task sharing mm " + mm
                                + " leaves the counters to the mm's owner");
                    }
                }
            }
            List<Scenario.RssSpec> rss = rss(m.get("rss"), join(path, "rss"), nodes, arch);
            Set<TaskFlag> flags = EnumSet.noneOf(TaskFlag.class);
            if (m.get("flags") != null) {
                List<Object> fl = list(m.get("flags"), join(path, "flags"));
                for (int f = 0; f < fl.size(); f++) {
                    String fp = index(join(path, "flags"), f);
                    String name = string(fl.get(f), fp);
                    flags.add(parseEnum(fp, () -> TaskFlag.parse(name)));
                }
            }
            String cpuset = Tree.string(m, "cpuset", path, Cpuset.ROOT);
            if (!cpusetNames.contains(cpuset)) {
                throw new ScenarioException(join(path, "cpuset"), "unknown cpuset " + cpuset);
            }
            String memcg = Tree.string(m, "memcg", path, null);
            if (memcg != null && !memcgNames.contains(memcg)) {
                throw new ScenarioException(join(path, "memcg"), "unknown memcg " + memcg);
            }
            Mempolicy pol = mempolicy(m.get("mempolicy"), join(path, "mempolicy"), nodes.size());
            out.add(new Scenario.TaskSpec(pid, tgid, comm, uid, parent, mm, rss,
                    integer(m, "swapents", path, 0, 0, MAX_PAGES), integer(m, "nr_ptes", path, 0, 0, MAX_PAGES),
                    integer(m, "nr_pmds", path, 0, 0, MAX_PAGES), integer(m, "total_vm", path, 0, 0, MAX_PAGES),
                    integer(m, "shmem_pages", path, 0, 0, MAX_PAGES),
                    (int) integer(m, "oom_score_adj", path, 0, Task.OOM_SCORE_ADJ_MIN, Task.OOM_SCORE_ADJ_MAX),
                    bool(m, "cap_sys_admin", path, false), cpuset, pol, memcg, flags));
        }
        return out;
    }

    private static Mempolicy mempolicy(Object v, String path, int nrNodes) {
        if (v == null) {
            return Mempolicy.DEFAULT;
        }
        String text;
        if (v instanceof Map) {
            Map<Object, Object> m = map(v, path);
            if (m.size() != 1) {
                throw new ScenarioException(path, "expected one of preferred, bind, interleave");
            }
            Map.Entry<Object, Object> e = m.entrySet().iterator().next();
            String mode = String.valueOf(e.getKey());
            if (!Set.of("preferred", "bind", "interleave").contains(mode)) {
                throw new ScenarioException(join(path, mode), "unknown field");
            }
            if (mode.equals("preferred")) {
                text = "preferred:" + integer(e.getValue(), join(path, mode), 0, nrNodes - 1);
            } else {
                text = mode + ":" + nodeList(e.getValue(), join(path, mode), nrNodes).toString();
            }
        } else {
            text = string(v, path);
        }
        return parseMempolicy(text, path, nrNodes);
    }

    /**
     * A task's mempolicy in its text form ({@code default | preferred:N | bind:[..] | interleave:[..]}) on a machine of
     * {@code nrNodes} nodes; a {@link ScenarioException} at {@code path} when it is malformed or names no node of it.
     */
    public static Mempolicy parseMempolicy(String text, String path, int nrNodes) {
        Mempolicy pol = parseEnum(path, () -> Mempolicy.parse(text));
        for (int n : pol.nodes().nodes()) {
            if (n >= nrNodes) {
                throw new ScenarioException(path, "node " + n + " does not exist");
            }
        }
        if (pol.mode() == Mempolicy.Mode.PREFERRED && pol.preferredNode() >= nrNodes) {
            throw new ScenarioException(path, "node " + pol.preferredNode() + " does not exist");
        }
        return pol;
    }

    private static List<Scenario.RssSpec> rss(Object v, String path, List<NodeSpec> nodes, Arch arch) {
        List<Scenario.RssSpec> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        Map<Object, Object> m = map(v, path);
        TreeMap<Integer, Map<Object, Object>> byNode = new TreeMap<>();
        for (Map.Entry<Object, Object> e : m.entrySet()) {
            String np = join(path, String.valueOf(e.getKey()));
            int node = (int) integer(keyNumber(e.getKey(), np), np, 0, nodes.size() - 1);
            byNode.put(node, map(e.getValue(), np));
        }
        for (Map.Entry<Integer, Map<Object, Object>> e : byNode.entrySet()) {
            String np = join(path, String.valueOf(e.getKey()));
            Map<Object, Object> nm = e.getValue();
            boolean perNode = nm.containsKey("anon") || nm.containsKey("file");
            if (perNode) {
                onlyFields(nm, np, Set.of("anon", "file"));
                out.add(new Scenario.RssSpec(e.getKey(), null, integer(nm, "anon", np, 0, 0, MAX_PAGES),
                        integer(nm, "file", np, 0, 0, MAX_PAGES)));
                continue;
            }
            TreeMap<Integer, Scenario.RssSpec> byZone = new TreeMap<>();
            for (Map.Entry<Object, Object> z : nm.entrySet()) {
                String zp = join(np, String.valueOf(z.getKey()));
                ZoneType type;
                try {
                    type = ZoneType.parse(String.valueOf(z.getKey()));
                } catch (IllegalArgumentException ex) {
                    throw new ScenarioException(zp, "unknown field");
                }
                if (arch.zoneIndex(type) < 0) {
                    throw new ScenarioException(zp, type + " does not exist on " + arch.scenarioName());
                }
                Map<Object, Object> zm = map(z.getValue(), zp);
                onlyFields(zm, zp, Set.of("anon", "file"));
                byZone.put(arch.zoneIndex(type), new Scenario.RssSpec(e.getKey(), type,
                        integer(zm, "anon", zp, 0, 0, MAX_PAGES), integer(zm, "file", zp, 0, 0, MAX_PAGES)));
            }
            out.addAll(byZone.values());
        }
        return out;
    }

    /**
     * The events, and into {@code clock} the logical time of each: its {@code at_ms}, else the time of the event before
     * it (0 for the first) when some event gives one, else {@code i × options.time_ms_per_event}, else none.
     */
    private static List<Scenario.Event> events(Object v, Profile profile, Arch arch, List<Scenario.TaskSpec> tasks,
            int nrNodes, Scenario.Options options, List<Long> clock) {
        List<Scenario.Event> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        Set<Integer> pids = new HashSet<>();
        tasks.forEach(t -> pids.add(t.pid()));
        List<Object> l = list(v, "events");
        List<Long> atMs = new ArrayList<>();
        boolean hasAt = false;
        for (int i = 0; i < l.size(); i++) {
            String path = index("events", i);
            Map<Object, Object> m = map(l.get(i), path);
            if (m.size() != 1) {
                throw new ScenarioException(path, "expected exactly one of alloc, may_oom, free, exit, set, charge,"
                        + " oom_score");
            }
            Map.Entry<Object, Object> e = m.entrySet().iterator().next();
            String kind = String.valueOf(e.getKey());
            String kp = join(path, kind);
            if (!Set.of("alloc", "may_oom", "free", "exit", "set", "charge", "oom_score").contains(kind)) {
                throw new ScenarioException(kp, "unknown field");
            }
            Map<Object, Object> body = new LinkedHashMap<>(map(e.getValue(), kp));
            Long at = optionalInteger(body, AT_MS, kp, 0, MAX_TIME_MS);
            if (at != null && options.timeMsPerEvent() != null) {
                throw new ScenarioException(join(kp, AT_MS), "cannot be combined with options.time_ms_per_event");
            }
            if (at != null && !atMs.isEmpty() && at < atMs.get(atMs.size() - 1)) {
                throw new ScenarioException(join(kp, AT_MS), "must be >= " + atMs.get(atMs.size() - 1)
                        + " (the time of the event before it), got " + at);
            }
            atMs.add(at != null ? at : atMs.isEmpty() ? 0L : atMs.get(atMs.size() - 1));
            body.remove(AT_MS);
            hasAt |= at != null;
            int pid = (int) integer(require(body, "pid", kp), join(kp, "pid"), 1, Integer.MAX_VALUE - 1);
            if (!pids.contains(pid)) {
                throw new ScenarioException(join(kp, "pid"), "no task with pid " + pid);
            }
            switch (kind) {
                case "alloc", "may_oom" -> {
                    onlyFields(body, kp, Set.of("pid", "gfp", "order", "node"));
                    String gfpText = string(require(body, "gfp", kp), join(kp, "gfp"));
                    GfpFlags gfp = parseEnum(join(kp, "gfp"), () -> GfpFlags.parse(gfpText, profile, arch));
                    int order = (int) integer(body, "order", kp, 0, 0, 63);
                    int node = (int) integer(body, "node", kp, -1, 0, nrNodes - 1);
                    out.add(kind.equals("alloc") ? new Scenario.AllocEvent(path, pid, gfp, order, node)
                            : new Scenario.MayOomEvent(path, pid, gfp, order, node));
                }
                case "free" -> {
                    onlyFields(body, kp, Set.of("pid", "node", "pfn", "order"));
                    out.add(new Scenario.FreeEvent(path, pid, (int) integer(body, "node", kp, 0, 0, nrNodes - 1),
                            integer(require(body, "pfn", kp), join(kp, "pfn"), 0, MAX_PAGES),
                            (int) integer(body, "order", kp, 0, 0, Zone.MAX_ORDER - 1)));
                }
                case "exit" -> {
                    onlyFields(body, kp, Set.of("pid"));
                    out.add(new Scenario.ExitEvent(path, pid));
                }
                case "set" -> {
                    onlyFields(body, kp, Set.of("pid", "oom_score_adj"));
                    out.add(new Scenario.SetEvent(path, pid, (int) integer(require(body, "oom_score_adj", kp),
                            join(kp, "oom_score_adj"), Task.OOM_SCORE_ADJ_MIN, Task.OOM_SCORE_ADJ_MAX)));
                }
                case "charge" -> {
                    onlyFields(body, kp, Set.of("pid", "pages"));
                    out.add(new Scenario.ChargeEvent(path, pid, integer(require(body, "pages", kp), join(kp, "pages"),
                            1, MAX_PAGES)));
                }
                default -> {
                    onlyFields(body, kp, Set.of("pid"));
                    out.add(new Scenario.OomScoreEvent(path, pid));
                }
            }
        }
        for (int i = 0; i < out.size(); i++) {
            clock.add(hasAt ? atMs.get(i)
                    : options.timeMsPerEvent() != null ? i * options.timeMsPerEvent() : Scenario.NO_CLOCK);
        }
        return out;
    }

    private static Scenario.Options options(Object v) {
        if (v == null) {
            return new Scenario.Options(5, true, null, false, null, false, Machine.DEFAULT_OOM_REAPER_DELAY_MS);
        }
        Map<Object, Object> m = map(v, "options");
        onlyFields(m, "options", OPTIONS);
        String compaction = Tree.string(m, "compaction", "options", "fail");
        if (!compaction.equals("fail") && !compaction.equals("succeed")) {
            throw new ScenarioException("options.compaction", "expected fail or succeed, got " + compaction);
        }
        return new Scenario.Options((int) integer(m, "max_retries", "options", 5, 0, 100000),
                bool(m, "exit_victims_before_retry", "options", true),
                optionalInteger(m, "reclaim_pages_per_pass", "options", 0, MAX_PAGES), compaction.equals("succeed"),
                optionalInteger(m, "time_ms_per_event", "options", 0, MAX_TIME_MS),
                bool(m, "reclaim_quirk_44", "options", false),
                integer(m, "oom_reaper_delay_ms", "options", Machine.DEFAULT_OOM_REAPER_DELAY_MS, 0, MAX_TIME_MS));
    }
}
