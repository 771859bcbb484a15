/**
 * Test fixtures shared by the test packages: the one shared Spark session ({@link org.dvgs.testing.SharedSpark}),
 * configurations, small valuations, L1000 files and a child driver JVM for tests that need their own. Test code
 * only; the architecture rules of {@code org.dvgs.ArchitectureTest} cover the main sources.
 *
 * <p>May import: any org.dvgs package (test code; the rules of {@code org.dvgs.ArchitectureTest} are about the main
 * sources).
 */
package org.dvgs.testing;
