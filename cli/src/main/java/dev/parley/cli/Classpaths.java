package dev.parley.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The {@code --classpath} option's parsing and class loading, shared by the commands that load contracts. */
final class Classpaths {

    private Classpaths() {}

    /** The entries of {@code classpath}, each checked to exist. */
    static List<Path> entries(String classpath) {
        List<Path> entries = new ArrayList<>();
        for (String entry : classpath.split(Pattern.quote(File.pathSeparator))) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry);
            if (!Files.exists(path)) {
                throw new InputException("class path entry " + entry + " does not exist (expected: a class directory or a jar)");
            }
            entries.add(path);
        }
        if (entries.isEmpty()) {
            throw new InputException("--classpath '" + classpath + "' names no entries (expected: class directories and jars separated by '"
                    + File.pathSeparator + "')");
        }
        return entries;
    }

    /** Loads {@code className} without initializing it, as bad input when it is missing or broken. */
    static Class<?> load(ClassLoader loader, String className, String classpath) {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new InputException("class " + className + " not found on --classpath " + classpath
                    + " (expected: a fully qualified interface name, with $ before a nested interface's name)", e);
        } catch (LinkageError e) {
            throw new InputException("class " + className + " cannot be loaded from --classpath " + classpath + ": " + e, e);
        }
    }
}
