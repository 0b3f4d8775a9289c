package dev.oomsim.kernel.mm;

/** Finds the {@link NodeMemory} of a node: how the allocator and the models reach a zonelist entry's node. */
@FunctionalInterface
public interface NodeMemories {

    /** The memory of node {@code nodeId}. */
    NodeMemory memory(int nodeId);
}
