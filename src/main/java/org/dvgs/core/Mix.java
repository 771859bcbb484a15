package org.dvgs.core;

import java.nio.charset.StandardCharsets;

/** Counter-based hashing (SplitMix64 finaliser) for reproducible randomness independent of evaluation order. */
public final class Mix {
  private Mix() {}

  /** SplitMix64 finaliser: a bijective 64-bit mix. */
  public static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Mixes several values in order. */
  public static long mix(long a, long b) {
    return mix(mix(a) ^ (b * 0xC2B2AE3D27D4EB4FL));
  }

  public static long mix(long a, long b, long c) {
    return mix(mix(a, b), c);
  }

  /** A uniform double in [0, 1) from a hash. */
  public static double unit(long h) {
    return (mix(h) >>> 11) * 0x1.0p-53;
  }

  /** 64-bit hash of a string (FNV-1a over UTF-8, then mixed). */
  public static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }
}
