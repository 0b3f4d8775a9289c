/**
 * The offline scenario runner (docs/scenario-format.md): generic tree to typed {@code Scenario}, runs, results with
 * {@code toTree()} for the CLI, JSON lines and a text summary.
 */
package dev.oomsim.kernel.scenario;
