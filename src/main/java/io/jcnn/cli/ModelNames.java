package io.jcnn.cli;

import io.jcnn.model.Models;

import java.util.Iterator;

/** The zoo's model names, for picocli's help text and completion. */
final class ModelNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Models.names().iterator();
    }
}
