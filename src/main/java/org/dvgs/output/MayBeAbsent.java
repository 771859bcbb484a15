package org.dvgs.output;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component that a manifest may leave out (it applies to some runs only). It is {@code null} when absent
 * and then not written at all, so that manifests hold the same keys as before the component existed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@JacksonAnnotationsInside
@JsonInclude(JsonInclude.Include.NON_NULL)
public @interface MayBeAbsent {
  /**
   * The boolean component (by its Java name) that, when {@code true} in the same object, makes this one absent;
   * when it is false or missing this component is required. Empty: always optional.
   */
  String unless() default "";
}
