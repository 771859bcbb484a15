/**
 * Tests of the code base as a whole rather than of one package: {@code ArchitectureTest} checks the package rules
 * that every {@code package-info.java} of the main sources states.
 *
 * <p>May import: any org.dvgs package (test code).
 */
package org.dvgs;
