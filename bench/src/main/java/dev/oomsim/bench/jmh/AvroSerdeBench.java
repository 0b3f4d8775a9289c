package dev.oomsim.bench.jmh;

import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.SampleEvents;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.serde.AvroEventSerde;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Avro single-object encoding and decoding of one event through {@link AvroEventSerde}, as every agent and the
 * coordinator do once per record: an {@link AllocRequest}, the {@link NodeCommand} that carries it on
 * {@code alloc-requests} (the hottest topic), and a {@link KillEvent} (large: candidates and log lines).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroSerdeBench {

    private AvroEventSerde<AllocRequest> allocSerde;
    private AvroEventSerde<NodeCommand> commandSerde;
    private AvroEventSerde<KillEvent> killSerde;
    private AllocRequest allocRequest;
    private NodeCommand nodeCommand;
    private KillEvent killEvent;
    private byte[] allocBytes;
    private byte[] commandBytes;
    private byte[] killBytes;

    @Setup
    public void setUp() {
        allocSerde = AvroEventSerde.of(AllocRequest.class);
        commandSerde = AvroEventSerde.of(NodeCommand.class);
        killSerde = AvroEventSerde.of(KillEvent.class);
        allocRequest = SampleEvents.allocRequest(123_456);
        nodeCommand = SampleEvents.nodeCommand(123_456);
        killEvent = SampleEvents.killEvent();
        allocBytes = allocSerde.encode(allocRequest);
        commandBytes = commandSerde.encode(nodeCommand);
        killBytes = killSerde.encode(killEvent);
    }

    @Benchmark
    public byte[] encodeAllocRequest() {
        return allocSerde.encode(allocRequest);
    }

    @Benchmark
    public AllocRequest decodeAllocRequest() {
        return allocSerde.decode(allocBytes);
    }

    @Benchmark
    public byte[] encodeNodeCommand() {
        return commandSerde.encode(nodeCommand);
    }

    @Benchmark
    public NodeCommand decodeNodeCommand() {
        return commandSerde.decode(commandBytes);
    }

    @Benchmark
    public byte[] encodeKillEvent() {
        return killSerde.encode(killEvent);
    }

    @Benchmark
    public KillEvent decodeKillEvent() {
        return killSerde.decode(killBytes);
    }
}
