/**
 * The coordinator: a Kafka Streams application that folds what the node agents write ({@code progress}, {@code kills},
 * {@code node-state}, {@code oom-lock}, {@code dead-letter}) into the compacted {@code pressure} topic and queryable
 * state stores, and serves them over an HTTP JSON API and a live dashboard. See docs/coordinator.md.
 */
package dev.oomsim.coordinator;
