package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/** The errors of the type input/output functions, with PostgreSQL's codes and messages. */
final class TypeErrors {

    private TypeErrors() {
    }

    static LrepException invalidSyntax(PgType type, String text) {
        return new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type " + TypeNames.inputName(type) + ": \"" + text + "\"");
    }

    /** The date/time input functions report bad syntax as 22007, not 22P02. */
    static LrepException invalidDateTimeSyntax(PgType type, String text) {
        return new LrepException(SqlState.INVALID_DATETIME_FORMAT,
                "invalid input syntax for type " + TypeNames.inputName(type) + ": \"" + text + "\"");
    }

    static LrepException outOfRange(PgType type, String text) {
        return new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "value \"" + text + "\" is out of range for type " + TypeNames.sqlName(type));
    }

    static LrepException floatOutOfRange(PgType type, String text) {
        return new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "\"" + text + "\" is out of range for type " + TypeNames.sqlName(type));
    }

    static LrepException binary(PgType type, String what) {
        return new LrepException(SqlState.INVALID_BINARY_REPRESENTATION,
                "incorrect binary data format for type " + TypeNames.sqlName(type) + ": " + what);
    }

    static LrepException wrongClass(PgType type, Object value) {
        return new LrepException(SqlState.DATATYPE_MISMATCH,
                "value of class " + value.getClass().getName() + " is not a " + TypeNames.sqlName(type)
                        + " (expected " + type.javaClass().getName() + ")");
    }
}
