package org.dvgs.output;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component (a record itself) whose fields are the enclosing JSON object's own, not a nested object: a
 * manifest that adds to another (the {@code l1000} command's adds to its valuation's) composes it without
 * repeating its fields. {@link ManifestCodec} writes the component's fields first, then the record's other
 * components, merging JSON objects of the same name field by field (the later field wins); it reads the component
 * from the enclosing object itself. Only components of a manifest's top-level record may be inlined.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Inline {}
