package dev.parley.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Loads a project's compiled contracts for a build tool that did not compile them itself: the
 * Maven plugin loads them from the project's compile class path, {@code parley describe} from
 * its {@code --classpath}.
 *
 * <p>The catch is that {@link ContractDescriptor#of(Class)} recognises {@code @Contract},
 * {@code @OneWay}, {@code @Default} and the rest by their {@code Class} objects. A project's
 * class path usually carries its own copy of parley-core; if the contract interface were linked
 * against that copy, its {@code @Contract} would be a different class from the one the tool's
 * parley-core looks for and the contract would seem unannotated. So this loader asks the tool's
 * class loader (the parent) first for every class in {@code dev.parley.*}, and only then the
 * project's entries. Every other class is looked up the other way round: the JDK first, then the
 * project's entries, then the parent, so that the project's own classes and its versions of
 * libraries shared with the tool (Jackson, say) win over the tool's.
 *
 * <p>Class path entries that do not exist are skipped, as {@code javac} does; close the loader
 * when done to release the jars it opened.
 */
public final class ContractClassLoader extends URLClassLoader {

    private static final String PARLEY_PACKAGES = "dev.parley.";

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private ContractClassLoader(URL[] urls, ClassLoader parent) {
        super("parley-contracts", urls, parent);
    }

    /**
     * A loader over the given class directories and jars whose {@code dev.parley.*} classes come
     * from {@code parent}, normally the class loader of the tool's own parley-core.
     */
    public static ContractClassLoader of(List<Path> classpath, ClassLoader parent) {
        Objects.requireNonNull(parent, "parent class loader");
        URL[] urls = new URL[classpath.size()];
        for (int i = 0; i < urls.length; i++) {
            Path entry = Objects.requireNonNull(classpath.get(i), "class path entry " + i);
            try {
                urls[i] = entry.toAbsolutePath().normalize().toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("class path entry '" + entry + "' cannot be turned into a URL", e);
            }
        }
        return new ContractClassLoader(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(PARLEY_PACKAGES)) {
            return super.loadClass(name, resolve); // parent first
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = tryLoad(getPlatformClassLoader(), name);
            }
            if (type == null) {
                try {
                    type = findClass(name);
                } catch (ClassNotFoundException notInProject) {
                    type = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private static Class<?> tryLoad(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** Closes the jars this loader opened, turning the checked {@link IOException} into an unchecked one. */
    @Override
    public void close() {
        try {
            super.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the contract class loader", e);
        }
    }
}
