package org.dvgs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.SparkContext;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A saved job group comes back exactly as it was: a full group, a description alone, or nothing at all. */
class JobGroupsTest {
  private final SparkContext sc = SharedSpark.get().sparkContext();

  @AfterEach
  void clear() {
    sc.clearJobGroup();
  }

  @Test
  void aGroupWithItsDescriptionAndInterruptFlagComesBack() {
    sc.setJobGroup("caller", "the caller's work", true);
    JobGroups saved = JobGroups.save(sc);
    sc.setJobGroup("dvgs-x", "dvgs: something", false);
    assertEquals("dvgs-x", sc.getLocalProperty("spark.jobGroup.id"));
    saved.restore();
    assertEquals("caller", sc.getLocalProperty("spark.jobGroup.id"));
    assertEquals("the caller's work", sc.getLocalProperty("spark.job.description"));
    assertEquals("true", sc.getLocalProperty("spark.job.interruptOnCancel"));
    // Restoring twice changes nothing.
    sc.clearJobGroup();
    saved.restore();
    assertEquals("caller", sc.getLocalProperty("spark.jobGroup.id"));
  }

  @Test
  void aDescriptionWithoutAGroupAndNoGroupAtAllComeBackAsTheyWere() {
    sc.setJobDescription("only a description");
    JobGroups described = JobGroups.save(sc);
    sc.setJobGroup("dvgs-x", "dvgs: something", false);
    described.restore();
    assertNull(sc.getLocalProperty("spark.jobGroup.id"));
    assertEquals("only a description", sc.getLocalProperty("spark.job.description"));
    assertNull(sc.getLocalProperty("spark.job.interruptOnCancel"));

    sc.clearJobGroup();
    JobGroups none = JobGroups.save(sc);
    sc.setJobGroup("dvgs-y", "dvgs: more", true);
    none.restore();
    for (String p : JobGroups.PROPERTIES) {
      assertNull(sc.getLocalProperty(p), p);
    }
  }
}
