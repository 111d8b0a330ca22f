package io.promptune.datasets;

/** A template that cannot be rendered for an example, e.g. a placeholder naming a field it lacks. */
public class TemplateException extends IllegalArgumentException {
    public TemplateException(String message) {
        super(message);
    }
}
