package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileReader;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.transform.Source;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.junit.jupiter.api.Test;
import org.xml.sax.SAXException;

/**
 * The scheduler files in submit/: the Oozie workflow and coordinator validate against Oozie's own schemas (from the
 * oozie-client jar of Maven Central), every variable they use is defined, and the run ids they build are valid.
 */
class SchedulingFilesTest {
  static final Path OOZIE = Path.of("submit", "oozie");

  static Schema schema(String... xsds) throws SAXException {
    SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    List<Source> sources = new ArrayList<>();
    for (String x : xsds) {
      URL u = SchedulingFilesTest.class.getClassLoader().getResource(x);
      assertNotNull(u, x + " on the test class path (org.apache.oozie:oozie-client)");
      sources.add(new StreamSource(u.toExternalForm()));
    }
    return f.newSchema(sources.toArray(new Source[0]));
  }

  static void validate(Schema s, Path xml) throws SAXException, IOException {
    s.newValidator().validate(new StreamSource(xml.toFile()));
  }

  @Test
  void workflowValidatesAgainstTheOozieWorkflowAndSparkActionSchemas() throws Exception {
    Schema s = schema("oozie-workflow-1.0.xsd", "spark-action-1.0.xsd");
    validate(s, OOZIE.resolve("workflow.xml"));
    // The check can fail: a Spark action without its required <jar> is refused.
    Path broken = Files.createTempFile("workflow", ".xml");
    Files.writeString(broken, Files.readString(OOZIE.resolve("workflow.xml")).replace("<jar>${appJar}</jar>", ""));
    assertThrows(SAXException.class, () -> validate(s, broken));
  }

  @Test
  void coordinatorValidatesAgainstTheOozieCoordinatorSchema() throws Exception {
    validate(schema("oozie-coordinator-0.5.xsd"), OOZIE.resolve("coordinator.xml"));
  }

  @Test
  void everyVariableIsDefinedAndRunIdsAreValid() throws Exception {
    Properties job = load(OOZIE.resolve("job.properties"));
    Properties coord = load(OOZIE.resolve("coordinator.properties"));
    String workflow = Files.readString(OOZIE.resolve("workflow.xml"));
    String coordinator = Files.readString(OOZIE.resolve("coordinator.xml"));

    // Workflow parameters come from its <parameters> defaults, job.properties, or the coordinator's configuration.
    Set<String> declared = names(workflow, "<name>([A-Za-z]+)</name>");
    for (String v : variables(workflow)) {
      assertTrue(declared.contains(v) || job.containsKey(v), "workflow variable ${" + v + "} is not defined");
      assertTrue(declared.contains(v) || coord.containsKey(v), "workflow variable ${" + v + "} is not passed by the coordinator run");
    }
    for (String v : variables(coordinator)) {
      assertTrue(coord.containsKey(v), "coordinator variable ${" + v + "} is not in coordinator.properties");
    }
    Set<String> required = names(workflow, "<property>\\s*<name>([A-Za-z]+)</name>\\s*<description>");
    for (String p : required) {
      assertTrue(job.containsKey(p), "required workflow parameter " + p + " missing from job.properties");
      assertTrue(coordinator.contains("<name>" + p + "</name>"), "required workflow parameter " + p + " not set by the coordinator");
    }

    // The run ids the schedulers build are valid dvgs.run-id values, and an invalid one would be refused.
    assertEquals("dvgs_20261123", DvgsConfig.load(null, List.of("run-id=dvgs_20261123")).runId());
    assertEquals(job.getProperty("runId"), DvgsConfig.load(null, List.of("run-id=" + job.getProperty("runId"))).runId());
    assertTrue(coordinator.contains("<value>dvgs_${coord:formatTime(coord:nominalTime(), 'yyyyMMdd')}</value>"));
    String dag = Files.readString(Path.of("submit", "airflow", "dvgs_value_dag.py"));
    assertTrue(dag.contains("RUN_ID = \"dvgs_{{ ds_nodash }}\""), "Airflow run id");
    assertTrue(dag.contains("java_class=\"org.dvgs.cli.Main\""));
    assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(null, List.of("run-id=20261123")));
  }

  static Properties load(Path p) throws IOException {
    Properties props = new Properties();
    try (FileReader r = new FileReader(p.toFile())) {
      props.load(r);
    }
    return props;
  }

  /** ${name} references that are plain variables (EL functions such as wf:..., coord:... are left out). */
  static Set<String> variables(String text) {
    return names(text, "\\$\\{([A-Za-z][A-Za-z0-9]*)\\}");
  }

  static Set<String> names(String text, String regex) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
