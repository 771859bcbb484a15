package org.dvgs.core;

/** Bad input data: the message names the file, column or row. */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The first input error in a chain of causes (a task's error inside a Spark job failure), or null. */
  public static InputException in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InputException ie) {
        return ie;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * Rethrows a failure so that an input error found by an executor reaches the caller as the same one-line
   * {@link InputException} as one found on the driver (with the job failure as its cause); any other failure is
   * rethrown unchanged. Spark's job failures are checked {@code SparkException}s that Scala throws undeclared, so
   * callers catch {@link Exception}.
   *
   * @return never returns normally; declared so that callers can write {@code throw InputException.rethrow(e)}
   */
  public static RuntimeException rethrow(Exception e) {
    InputException ie = in(e);
    if (ie != null) {
      throw ie == e ? ie : new InputException(ie.getMessage(), e);
    }
    if (e instanceof RuntimeException re) {
      throw re;
    }
    throw InputException.<RuntimeException>sneaky(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }
}
