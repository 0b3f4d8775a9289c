package dev.oomsim.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate generated classes it has not been told to trust. Our own generated event
 * classes (package {@code dev.oomsim.schemas}) are trusted, once per JVM, on top of whatever is trusted already.
 */
final class AvroTrust {

    private static boolean done;

    private AvroTrust() {
    }

    static synchronized void trustOurEventClasses() {
        if (done) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.ClassSecurityPredicate ours =
                c -> c.getName().startsWith("dev.oomsim.schemas.") && !c.getName().contains("$");
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, ours));
        done = true;
    }
}
