package org.dvgs.output;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON codec of dvgs's manifests: one Jackson mapper, configured here once, for the records of this package and
 * for the untyped manifests (maps) that commands still write.
 *
 * <p>Names: a record component {@code restartsReused} is the JSON field {@code restarts_reused} (snake case);
 * {@link JsonAlias} on a component lists the older names it is also read from. Reading ignores fields a record
 * does not have (manifests of later versions carry more), and checks the rest before binding: a required field
 * that is missing or {@code null}, or one of the wrong kind, is a {@link ManifestFormatException} naming its path
 * ({@code training.restarts[2].last_loss is missing}).
 */
public final class ManifestCodec {
  private static final JsonMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      // Later versions add fields; a reader of this version must not fail on them.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .build();
  private static final PropertyNamingStrategies.NamingBase NAMES = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private ManifestCodec() {}

  /** JSON text (indented) of a record, a map or any value built of them, lists and arrays. */
  public static String toJson(Object manifest) {
    try {
      return JSON.writeValueAsString(manifest instanceof Record r && hasInline(r.getClass()) ? toMap(r) : manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + manifest.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A record as the tree of maps and lists that its JSON parses to (numbers keep their Java types: an {@code int}
   * component is an {@link Integer}, a {@code long} one a {@link Long}).
   */
  public static Map<String, Object> toMap(Object manifest) {
    Map<String, Object> tree = JSON.convertValue(manifest, new TypeReference<LinkedHashMap<String, Object>>() {});
    return manifest instanceof Record r && hasInline(r.getClass()) ? inlined(tree, r.getClass()) : tree;
  }

  private static boolean hasInline(Class<?> type) {
    for (RecordComponent c : type.getRecordComponents()) {
      if (annotation(c, Inline.class) != null) {
        return true;
      }
    }
    return false;
  }

  /** The tree of a record with {@link Inline} components: their fields first, then the others merged over them. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> inlined(Map<String, Object> tree, Class<?> type) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> rest = new LinkedHashMap<>(tree);
    for (RecordComponent c : type.getRecordComponents()) {
      if (annotation(c, Inline.class) != null) {
        Object inner = rest.remove(jsonName(c));
        if (inner instanceof Map<?, ?> m) {
          merge(out, (Map<String, Object>) m);
        }
      }
    }
    merge(out, rest);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> from) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      if (into.get(e.getKey()) instanceof Map<?, ?> a && e.getValue() instanceof Map<?, ?> b) {
        Map<String, Object> both = new LinkedHashMap<>((Map<String, Object>) a);
        merge(both, (Map<String, Object>) b);
        into.put(e.getKey(), both);
      } else {
        into.put(e.getKey(), e.getValue());
      }
    }
  }

  /** Parses JSON text into a tree of maps, lists, numbers and strings. */
  public static Object parse(String json) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new ManifestFormatException("", "is not JSON: " + firstLine(e.getOriginalMessage()) + location(e), e);
    }
  }

  /**
   * Reads a manifest's JSON text as record {@code type}.
   *
   * @throws ManifestFormatException when the text is not JSON, or a field {@code type} needs is missing,
   *     {@code null} or of the wrong kind
   */
  public static <T extends Record> T fromJson(String json, Class<T> type) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ManifestFormatException("", "is not JSON: " + firstLine(e.getOriginalMessage()) + location(e), e);
    }
    return fromTree(tree, type);
  }

  /** Reads a tree of maps and lists (a manifest as a map) as record {@code type}, checked as {@link #fromJson}. */
  public static <T extends Record> T fromMap(Map<String, ?> manifest, Class<T> type) {
    return fromTree(JSON.valueToTree(manifest), type);
  }

  private static <T extends Record> T fromTree(JsonNode tree, Class<T> type) {
    if (tree == null || !tree.isObject()) {
      throw new ManifestFormatException("", "is not a JSON object" + (tree == null || tree.isMissingNode() ? " (empty)" : " (found " + tree.getNodeType() + ")"), null);
    }
    check(tree, type, "");
    if (hasInline(type)) {
      // Each inlined component reads the enclosing object itself, under its own name for Jackson.
      com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) tree).deepCopy();
      for (RecordComponent c : type.getRecordComponents()) {
        if (annotation(c, Inline.class) != null) {
          copy.set(jsonName(c), tree);
        }
      }
      tree = copy;
    }
    try {
      return JSON.treeToValue(tree, type);
    } catch (JsonMappingException e) {
      throw new ManifestFormatException(path(e.getPath()), "is malformed: " + firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new ManifestFormatException("", "is malformed: " + firstLine(e.getOriginalMessage()), e);
    }
  }

  /** The JSON name of a record component. */
  static String jsonName(RecordComponent c) {
    JsonProperty p = annotation(c, JsonProperty.class);
    return p != null && !p.value().isEmpty() ? p.value() : NAMES.translate(c.getName());
  }

  /** An annotation of a record component, or of its accessor (Jackson's annotations do not target components). */
  private static <A extends java.lang.annotation.Annotation> A annotation(RecordComponent c, Class<A> type) {
    A a = c.getAnnotation(type);
    return a != null ? a : c.getAccessor().getAnnotation(type);
  }

  /** Checks that {@code node} has every field record {@code type} requires, recursively, before binding. */
  private static void check(JsonNode node, Class<?> type, String at) {
    if (!node.isObject()) {
      throw new ManifestFormatException(at, "must be a JSON object (found " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")", null);
    }
    for (RecordComponent c : type.getRecordComponents()) {
      String name = jsonName(c);
      JsonNode v = node.get(name);
      JsonAlias alias = annotation(c, JsonAlias.class);
      if ((v == null || v.isNull()) && alias != null) {
        for (String a : alias.value()) {
          if (node.get(a) != null && !node.get(a).isNull()) {
            v = node.get(a);
          }
        }
      }
      String here = at.isEmpty() ? name : at + "." + name;
      if (annotation(c, Inline.class) != null) {
        check(node, c.getType(), at);
        continue;
      }
      if (v == null || v.isNull()) {
        if (v != null && c.isAnnotationPresent(MayBeNull.class)) {
          continue;
        }
        if (!optional(c, node, type)) {
          throw new ManifestFormatException(here, v == null ? "is missing" : "is null", null);
        }
        continue;
      }
      checkValue(v, c.getGenericType(), here);
    }
  }

  private static boolean optional(RecordComponent c, JsonNode node, Class<?> type) {
    MayBeAbsent a = c.getAnnotation(MayBeAbsent.class);
    if (a == null) {
      return false;
    }
    if (a.unless().isEmpty()) {
      return true;
    }
    for (RecordComponent other : type.getRecordComponents()) {
      if (other.getName().equals(a.unless())) {
        JsonNode flag = node.get(jsonName(other));
        return flag != null && flag.isBoolean() && flag.booleanValue();
      }
    }
    throw new IllegalStateException(type.getName() + "." + c.getName() + ": no component " + a.unless());
  }

  private static void checkValue(JsonNode v, Type t, String at) {
    if (t instanceof Class<?> k && k.isRecord()) {
      check(v, k, at);
    } else if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        if (!v.isArray()) {
          throw new ManifestFormatException(at, "must be a list (found " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")", null);
        }
        for (int i = 0; i < v.size(); i++) {
          if (!v.get(i).isNull()) {
            checkValue(v.get(i), args[0], at + "[" + i + "]");
          }
        }
      } else if (Map.class.isAssignableFrom(raw)) {
        if (!v.isObject()) {
          throw new ManifestFormatException(at, "must be a JSON object (found " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")", null);
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
          if (!e.getValue().isNull()) {
            checkValue(e.getValue(), args[1], at + "." + e.getKey());
          }
        }
      }
    }
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder s = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        s.append(s.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        s.append('[').append(r.getIndex()).append(']');
      }
    }
    return s.toString();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Names of the components of {@code type} as JSON fields, in order. */
  public static List<String> fieldNames(Class<? extends Record> type) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      out.add(jsonName(c));
    }
    return out;
  }
}
